// A command never runs twice: once the spawn request was written, a runner that goes silent
// (dies, exits, closes its pipe) may have started the command, so the session fails and says so
// instead of trying another version or another runner. Only an explicit refusal frame moves the
// version search on. Real runners (rogue ones that really start the command), real sockets.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionManager } from '../../src/main/session/session-manager';
import { BUNDLED_RUNNER, rogueRunner } from '../helpers/fixture-paths';
import { eventually } from '../helpers/process-state';
import { assertNothingLeftBehind, collect } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const work = mkdtempSync(path.join(os.tmpdir(), 'codex-never-twice-'));
after(() => rmSync(work, { recursive: true, force: true }));
const launches = (stages: { stage: string }[]) => stages.filter((s) => s.stage === 'launching_runner').length;

let counter = 0;
/** A rogue runner in `mode` whose every start of the command is counted in a file. */
function counted(mode: string): { spec: ReturnType<typeof rogueRunner>; starts(): number } {
  const file = path.join(work, `starts-${counter++}`);
  writeFileSync(file, '');
  return {
    spec: { ...rogueRunner(mode), env: { ROGUE_COUNT: file } },
    starts: () => readFileSync(file, 'utf8').split('\n').filter(Boolean).length,
  };
}

const MAY_HAVE_STARTED = /^runner pid \d+ (was killed by SIGKILL|exited with code 0) after the spawn request was written, without answering it: the command may have started, so it is not run again/;

for (const mode of ['fork-then-die', 'run-then-exit']) {
  test(`auto: a runner that starts the command and ends without a frame (${mode}) fails the session; the command started once`, { skip: posixOnly('runs true as the command') }, async () => {
    const manager = new SessionManager();
    try {
      const runner = counted(mode);
      const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: runner.spec } });
      const result = await session.exited;
      assert.equal(result.state, 'failed');
      assert.equal(result.error?.stage, 'spawn_sent');
      assert.match(result.error?.message ?? '', MAY_HAVE_STARTED);
      assert.equal(runner.starts(), 1);
      assert.equal(launches(session.status().stages), 1);
      assert.deepEqual(session.status().protocol, { version: 6, chosen: 'detected', refused: [] });
      await assertNothingLeftBehind(session);
    } finally {
      await manager.dispose();
    }
  });
}

test('a warm runner that goes silent after the request is not replaced: the session fails, the command started once', { skip: posixOnly('runs true as the command') }, async () => {
  const runner = counted('answers-once');
  const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: runner.spec } }, warmRunners: 1 });
  try {
    // The first session runs (its runner answers) and warms the identity; the warm runner will not answer.
    assert.deepEqual(await manager.start({ command: ['true'] }).exited, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
    assert.ok(await eventually(() => manager.poolStatus()[0]?.idle === 1), `pool: ${JSON.stringify(manager.poolStatus())}`);
    const session = manager.start({ command: ['true'] });
    const result = await session.exited;
    assert.equal(session.status().runner?.warm, true);
    assert.match(result.error?.message ?? '', MAY_HAVE_STARTED);
    assert.equal(runner.starts(), 2, 'one start per session');
    assert.equal(launches(session.status().stages), 0, 'no runner launched after the warm one went silent');
  } finally {
    await manager.dispose();
  }
});

test("a refusal of the request's own content fails at once and teaches auto nothing", async () => {
  const manager = new SessionManager();
  try {
    const spec = rogueRunner('refuse-content');
    const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: spec } });
    const result = await session.exited;
    assert.equal(result.error?.message, 'runner failed during read_spawn_request: runner: bad spawn request: invalid value: the cwd is not usable (a refusal in the version it was sent in: the runner speaks it, so no other version is tried)');
    assert.equal(launches(session.status().stages), 1);
    // Nothing was remembered: the next session of the same runner searches again.
    const next = manager.start({ command: ['true'], runner: { kind: 'custom', spec } });
    await next.exited;
    assert.deepEqual(next.status().protocol, { version: 6, chosen: 'detected', refused: [] });
  } finally {
    await manager.dispose();
  }
});

test('a relative cwd is resolved against this process\'s cwd before anything starts: v6 found, nothing wrong remembered', { skip: posixOnly('runs pwd as the command') }, async () => {
  const manager = new SessionManager();
  try {
    const dir = mkdtempSync(path.join(work, 'cwd-'));
    const session = manager.start({ command: ['pwd'], cwd: path.relative(process.cwd(), dir), runner: { kind: 'custom', spec: { exe: process.execPath, args: [BUNDLED_RUNNER] } } });
    const { stdout, result } = await collect(session);
    assert.equal(result.state, 'exited', result.error?.message);
    assert.equal(stdout.toString(), `${dir}\n`);
    assert.deepEqual(session.status().protocol, { version: 6, chosen: 'detected', refused: [] });
    assert.equal(launches(session.status().stages), 1);
  } finally {
    await manager.dispose();
  }
});

test('nothing after exit counts: output and a second exit in the same read are dropped', async () => {
  const manager = new SessionManager();
  try {
    const { stdout, result } = await collect(manager.start({ command: ['true'], runner: { kind: 'custom', spec: rogueRunner('exit-then-more') } }));
    assert.deepEqual(result, { state: 'exited', exitCode: 3, timedOut: false, endReason: 'exited' });
    assert.equal(stdout.toString(), 'before\n');
  } finally {
    await manager.dispose();
  }
});
