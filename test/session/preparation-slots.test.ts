// Sandbox preparation holds no launch slot (slots bound runner launches and connects), and every
// wait in it is bounded by the session's own bounds. codex's runner's seat is taken by this
// package's runner (kind 'codex', as test/sandbox-prep/prepare-sandbox.test.ts does); codex's setup
// helper cannot act on Linux, so a shell script at its file name stands in for it (named as such).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionManager } from '../../src/main/session/session-manager';
import type { Session } from '../../src/main/session/session';
import { SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';
import { capSidFile } from '../../src/main/codex/sandbox-prep/cap-sid-file';
import { BUNDLED_RUNNER, realRunner } from '../helpers/fixture-paths';
import { eventually } from '../helpers/process-state';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('runs sh as the command and a shell script as the setup helper stand-in');
const asCodex = { exe: process.execPath, args: [BUNDLED_RUNNER], kind: 'codex' as const };

function scratch(t: { after(fn: () => void): void }) {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'prep-slots-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  mkdirSync(work);
  const pidFile = path.join(root, 'helper.pid');
  const release = path.join(root, 'release');
  // Stand-in for codex-windows-sandbox-setup.exe: records its pid, then waits until released.
  const helper = path.join(home, '.sandbox-bin', SETUP_HELPER_FILE);
  writeFileSync(helper, `#!/bin/sh\n# struct Payload with 17 elements (the marker codex 0.171.0's helper carries)\necho $$ >> '${pidFile}'\nwhile [ ! -e '${release}' ]; do sleep 0.05; done\n`);
  chmodSync(helper, 0o755);
  return { root, home, work, pidFile, release };
}

const helperPids = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function output(session: Session): Promise<string> {
  let out = '';
  session.stdout.on('data', (d: Buffer) => (out += d));
  session.stderr.resume();
  await session.exited;
  return out;
}

test('two codex-runner sessions waiting on one slow refresh hold no launch slot: a plain session never queues; a timeoutMs session fails within its bound, naming the step; the others still get the refresh', { skip }, async (t) => {
  const d = scratch(t);
  const manager = new SessionManager({ launchConcurrency: 2 });
  t.after(() => manager.dispose());
  const codex = () => manager.start({ command: ['sh', '-c', 'echo prepared'], cwd: d.work, runner: { kind: 'codex', spec: asCodex, codexHome: d.home } });
  const a = codex();
  const b = codex();
  const aOut = output(a);
  const bOut = output(b);
  assert.ok(await eventually(() => helperPids(d.pidFile).length === 1 && a.state === 'preparing_sandbox' && b.state === 'preparing_sandbox', 10_000), 'both wait on one helper run');

  const plain = manager.start({ command: ['sh', '-c', 'echo hi'], runner: { kind: 'custom', spec: realRunner() }, timeoutMs: 3000 });
  assert.equal(await output(plain), 'hi\n');
  const result = await plain.exited;
  assert.equal(result.state, 'exited', result.error?.message);
  assert.ok(!plain.status().stages.some((s) => s.stage === 'queued'), `never queued: ${plain.status().stages.map((s) => s.stage)}`);
  assert.deepEqual([a.state, b.state], ['preparing_sandbox', 'preparing_sandbox'], 'the refresh is still under way');

  // A third session joins the same refresh with its own 2000 ms bound.
  const started = Date.now();
  const bounded = manager.start({ command: ['true'], cwd: d.work, runner: { kind: 'codex', spec: asCodex, codexHome: d.home }, timeoutMs: 2000 });
  const late = await bounded.exited;
  const took = Date.now() - started;
  assert.equal(late.state, 'failed');
  assert.equal(late.error?.stage, 'preparing_sandbox');
  assert.equal(late.error?.message, "sandbox refresh: not done within the session's timeoutMs (2000 ms)");
  assert.ok(took < 2000 + 3000, `failed ${took} ms after start, bound 2000 ms`);
  assert.ok(!bounded.status().stages.some((s) => s.stage === 'queued' || s.stage === 'creating_pipes'));

  // Its leaving did not end the refresh for the two still waiting on it.
  const [pid] = helperPids(d.pidFile);
  assert.ok(alive(pid!), 'the shared helper run goes on');
  writeFileSync(d.release, '');
  assert.deepEqual(await Promise.all([aOut, bOut]), ['prepared\n', 'prepared\n']);
  assert.deepEqual([(await a.exited).state, (await b.exited).state], ['exited', 'exited']);
  assert.deepEqual([a.status().sandboxPrep?.refresh, b.status().sandboxPrep?.refresh], ['ran', 'ran']);
  assert.equal(helperPids(d.pidFile).length, 1, 'one helper run served both');
  // Preparation comes before the slot: queued (if ever) after preparing_sandbox.
  const stages = a.status().stages.map((s) => s.stage);
  assert.ok(stages.indexOf('preparing_sandbox') < stages.indexOf('creating_pipes'), String(stages));
});

test('sessions with timeoutMs against a hanging helper each fail within their bound; the last leaving kills the helper', { skip }, async (t) => {
  const d = scratch(t);
  const manager = new SessionManager({ launchConcurrency: 1 });
  t.after(() => manager.dispose());
  const first = manager.start({ command: ['true'], cwd: d.work, runner: { kind: 'codex', spec: asCodex, codexHome: d.home }, timeoutMs: 2000 });
  const second = manager.start({ command: ['true'], cwd: d.work, runner: { kind: 'codex', spec: asCodex, codexHome: d.home }, timeoutMs: 2500 });
  assert.ok(await eventually(() => helperPids(d.pidFile).length === 1, 10_000), 'the helper runs');
  const [pid] = helperPids(d.pidFile);
  const one = await first.exited;
  assert.equal(one.error?.message, "sandbox refresh: not done within the session's timeoutMs (2000 ms)");
  assert.ok(alive(pid!), 'the second session still waits on it');
  const two = await second.exited;
  assert.deepEqual([two.error?.stage, two.error?.message], ['preparing_sandbox', "sandbox refresh: not done within the session's timeoutMs (2500 ms)"]);
  assert.ok(await eventually(() => !alive(pid!), 5000), 'the helper is killed once nobody waits on it');
  assert.equal(helperPids(d.pidFile).length, 1);
});

test("a session waiting on another writer's cap_sid.lock fails within its timeoutMs, naming the step, and stops waiting (it writes nothing later)", { skip }, async (t) => {
  const d = scratch(t);
  // A live writer's fresh lock (this process's pid): waited for, up to 45 s by the lock's own rule.
  const lock = `${capSidFile(d.home)}.lock`;
  writeFileSync(lock, `${process.pid} another-writer`);
  const manager = new SessionManager({ launchConcurrency: 1 });
  t.after(() => manager.dispose());
  const plain = manager.start({ command: ['sh', '-c', 'echo hi'], runner: { kind: 'custom', spec: realRunner() } });
  const session = manager.start({ command: ['true'], cwd: d.work, runner: { kind: 'codex', spec: asCodex, codexHome: d.home, refreshSandbox: false }, timeoutMs: 2000 });
  const result = await session.exited;
  assert.deepEqual([result.error?.stage, result.error?.message], ['preparing_sandbox', "capability SIDs: not done within the session's timeoutMs (2000 ms)"]);
  assert.equal((await plain.exited).state, 'exited');
  // The writer goes: an abandoned wait would now take the lock and write cap_sid for nobody.
  rmSync(lock);
  await new Promise((r) => setTimeout(r, 500)); // the lock is polled every <= 100 ms
  assert.equal(existsSync(capSidFile(d.home)), false, 'nothing was written after the session ended');
  assert.equal(existsSync(lock), false);
});
