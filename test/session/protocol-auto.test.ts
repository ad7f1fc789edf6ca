// 'auto' finds a runner's protocol version, newest first, without ever running the command twice,
// against this project's runner pinned to each version (behaving as upstream's runner built for
// it) and against emulations of upstream's refusals. Real runners, real sockets.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROTOCOL_VERSIONS } from '../../src/protocol/versions';
import { SessionManager } from '../../src/main/session/session-manager';
import { BUNDLED_RUNNER, rogueRunner } from '../helpers/fixture-paths';
import { assertNothingLeftBehind, collect } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const newManager = () => new SessionManager({ defaults: { timeouts: { connectMs: 10_000, spawnReadyMs: 10_000 } } });
let manager = newManager();
after(() => manager.dispose());
/** Versions are remembered per manager: a new one starts knowing none. */
async function freshManager(): Promise<void> {
  await manager.dispose();
  manager = newManager();
}
const work = mkdtempSync(path.join(os.tmpdir(), 'codex-protocol-auto-'));
after(() => rmSync(work, { recursive: true, force: true }));

const pinned = (version: number, file = BUNDLED_RUNNER) => ({ exe: process.execPath, args: [file, `--protocol=${version}`] });
const launches = (stages: { stage: string }[]) => stages.filter((s) => s.stage === 'launching_runner').length;

test('a runner pinned to any version works with no version given: output and exit code intact', { skip: posixOnly('runs sh and true as commands') }, async () => {
  await freshManager();
  for (const version of PROTOCOL_VERSIONS) {
    const session = manager.start({ command: ['sh', '-c', `echo "speaks ${version}"; echo err >&2; exit 7`], runner: { kind: 'custom', spec: pinned(version) } });
    const { stdout, stderr, result } = await collect(session);
    assert.deepEqual(result, { state: 'exited', exitCode: 7, timedOut: false, endReason: 'exited' }, `pinned ${version}: ${result.error?.message}`);
    assert.equal(stdout.toString(), `speaks ${version}\n`);
    assert.equal(stderr.toString(), 'err\n');
    const status = session.status();
    assert.equal(status.protocol?.version, version);
    assert.equal(status.protocol?.chosen, 'detected');
    // Every version answers a refusal in its own version, as codex's runners do, so the search
    // jumps straight to it: one refused try at most.
    const expectedRefused = version === 6 ? [] : [6];
    assert.deepEqual(status.protocol?.refused.map((r) => r.version), expectedRefused, `pinned ${version}`);
    const expectedReply = version >= 4
      ? /^error at read_spawn_request: runner: unsupported protocol version 6$/
      : version === 3
        ? /^error spawn_failed: runner: unsupported protocol version 6$/
        : /^error spawn_failed: runner: bad spawn request: spawn_request: missing field "(policy_json_or_preset|permission_profile_cwd)"/;
    for (const r of status.protocol!.refused) assert.match(r.reply, expectedReply, `pinned ${version}`);
    assert.equal(launches(status.stages), expectedRefused.length + 1);
    await assertNothingLeftBehind(session);
  }
});

test('the version found is remembered per runner file: only the first session pays for the search', { skip: posixOnly('runs sh and true as commands') }, async () => {
  await freshManager();
  const file = path.join(work, 'runner-copy.js');
  copyFileSync(BUNDLED_RUNNER, file);
  const first = await manager.start({ command: ['true'], runner: { kind: 'custom', spec: pinned(2, file) } }).exited;
  assert.equal(first.state, 'exited');
  const second = manager.start({ command: ['true'], runner: { kind: 'custom', spec: pinned(2, file) } });
  assert.equal((await second.exited).state, 'exited');
  assert.deepEqual(second.status().protocol, { version: 2, chosen: 'remembered', refused: [] });
  assert.equal(launches(second.status().stages), 1);
  // A replaced runner (new mtime) is searched again.
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
  const third = manager.start({ command: ['true'], runner: { kind: 'custom', spec: pinned(2, file) } });
  assert.equal((await third.exited).state, 'exited');
  assert.equal(third.status().protocol?.chosen, 'detected');
});

test('a refusal is retried, a genuine failure never: the command runs exactly once', { skip: posixOnly('runs sh and true as commands') }, async () => {
  await freshManager();
  const marker = path.join(work, 'ran-once.txt');
  // Pinned to 1: version 6 is refused before anything spawns (in version 1); version 1 runs the command.
  const ok = manager.start({ command: ['sh', '-c', `echo ran >> ${marker}`], runner: { kind: 'custom', spec: pinned(1) } });
  assert.equal((await ok.exited).state, 'exited');
  assert.equal(readFileSync(marker, 'utf8'), 'ran\n');
  // A command that cannot start is that command's outcome at the version found, not a refusal.
  const bad = manager.start({ command: ['/nonexistent/cmd'], runner: { kind: 'custom', spec: pinned(3) } });
  const result = await bad.exited;
  assert.equal(result.state, 'failed');
  assert.match(result.error?.message ?? '', /^runner reported spawn_failed: failed to spawn \/nonexistent\/cmd: spawn \/nonexistent\/cmd ENOENT$/);
  assert.deepEqual(bad.status().protocol?.refused.map((r) => r.version), [6]);
  assert.equal(bad.status().protocol?.version, 3);
  // The same on the newest version: no retry at all.
  const newest = manager.start({ command: ['/nonexistent/cmd'], runner: { kind: 'custom', spec: pinned(6) } });
  assert.match((await newest.exited).error?.message ?? '', /^runner failed during spawn_child: /);
  assert.equal(launches(newest.status().stages), 1);
  await assertNothingLeftBehind(bad);
});

test("upstream's version-1 refusal (spawn_failed in its own version) makes the search jump straight to 1", async () => {
  await freshManager();
  const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: rogueRunner('upstream-v1') } });
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
  assert.deepEqual(session.status().protocol, {
    version: 1,
    chosen: 'detected',
    refused: [{ version: 6, reply: 'error spawn_failed: runner: unsupported protocol version 6' }],
  });
});

test('a version given by the caller is not searched: its refusal is the error, with the way out', { skip: posixOnly('runs sh and true as commands') }, async () => {
  const session = manager.start({ command: ['true'], advanced: { protocolVersion: 6 }, runner: { kind: 'custom', spec: pinned(4) } });
  const result = await session.exited;
  assert.equal(result.error?.stage, 'spawn_sent');
  assert.equal(
    result.error?.message,
    'runner failed during read_spawn_request: runner: unsupported protocol version 6 (the session asked for protocol version 6; "auto" finds the runner\'s own)',
  );
  assert.deepEqual(session.status().protocol, { version: 6, chosen: 'given', refused: [] });
  const fine = manager.start({ command: ['true'], advanced: { protocolVersion: 4 }, runner: { kind: 'custom', spec: pinned(4) } });
  assert.equal((await fine.exited).state, 'exited');
  assert.equal(fine.status().protocol?.chosen, 'given');
});

test('when every version is refused: one error listing what each try got, nothing left behind', async () => {
  await freshManager();
  const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: rogueRunner('refuse-all') } });
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'spawn_sent');
  const tries = PROTOCOL_VERSIONS.map((v) => `v${v}: error at read_spawn_request: runner: unsupported protocol version 6`).join('; ');
  assert.equal(result.error?.message, `runner ${path.resolve(path.dirname(BUNDLED_RUNNER), '..', 'test', 'fixtures', 'rogue-runner.js')} refused every protocol version this module speaks (${tries})`);
  assert.equal(launches(session.status().stages), PROTOCOL_VERSIONS.length);
  await assertNothingLeftBehind(session);
});

test('a custom permission profile is never sent to version 1: a version-1 runner fails after its one refusal', async () => {
  await freshManager();
  const session = manager.start({ command: ['true'], runner: { kind: 'custom', spec: pinned(1) }, permissions: { type: 'managed', file_system: { type: 'unrestricted' }, network: 'restricted' } });
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.match(result.error?.message ?? '', /^runner \S+ speaks protocol version 1 \(its refusal said so\), which cannot carry this request: a custom permission profile cannot be sent to a version-1 runner/);
  assert.equal(launches(session.status().stages), 1);
});
