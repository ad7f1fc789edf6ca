// codex's setup after a refused sandbox logon (issue 20 §4), as a session runs it: holding no launch
// slot and no pipes, bounded by the session's timeoutMs and end, at most once per session, then one
// more launch; the command never runs twice. And: a missing cwd fails before the readiness gate can
// ask for elevation.
//
// What cannot run on Linux is stood in for, named as such: the logon itself (CreateProcessWithLogonW
// refusing with 1326, then the runner started as this user), the users file's DPAPI (the password is
// read from the file as written), and setup's platform (elevated, so the helper runs directly). The
// setup helper is a shell script at codex's helper file name, run for real by runSandboxSetup with
// the real provisioning payload; codex's runner's seat is taken by this package's runner (kind
// 'codex'), or by a rogue runner that refuses spawn_child's logon with 1326 once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SecretText } from '../../src/main/codex/home/secret-text';
import { RunnerStarter } from '../../src/main/launch/launch-runner';
import { SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';
import { SandboxNotReadyError } from '../../src/main/codex/sandbox-setup/sandbox-not-ready-error';
import { runSandboxSetup, type SetupPlatform } from '../../src/main/codex/sandbox-setup/setup-sandbox';
import { Admission } from '../../src/main/session/admission';
import { codexHomeAccess } from '../../src/main/session/codex-home-access';
import type { CodexHomeAccess } from '../../src/main/launch/launch-plan';
import { boundedWait } from '../../src/util/bounded-wait';
import { Session, type SessionHost } from '../../src/main/session/session';
import type { SessionConfig } from '../../src/main/session/session-options';
import { BUNDLED_RUNNER, realRunner, rogueRunner } from '../helpers/fixture-paths';
import { codexHomeScratch, marker, OFFLINE, users } from '../helpers/codex-home-fixture';
import { posixOnly } from '../helpers/platform';
import { eventually } from '../helpers/process-state';
import { assertNothingLeftBehind } from '../helpers/sessions';

const skip = posixOnly('runs sh as the command and a shell script as the setup helper stand-in');
const asCodex = { exe: process.execPath, args: [BUNDLED_RUNNER], kind: 'codex' as const };
/** The stand-in for CreateProcessWithLogonW starts the runner as the current user, through a launcher of its own. */
const runners = new RunnerStarter();
after(() => runners.dispose());
/** Stand-in for Windows: this process is elevated, so the helper runs directly (no UAC). */
const elevated: SetupPlatform = { realUser: async () => 'HOST\\alice', isElevated: () => true, startElevated: () => Promise.reject(new Error('unused')) };
const blob = (s: string) => Buffer.from(s).toString('base64');

function fixture(t: { after(fn: () => void): void }) {
  const scratch = codexHomeScratch('logon-recovery');
  const home = scratch.make();
  const root = path.dirname(home.home);
  const work = path.join(root, 'work');
  const bin = path.join(root, 'bin');
  mkdirSync(work);
  mkdirSync(bin);
  const runs = path.join(root, 'setup-runs.txt');
  const release = path.join(root, 'release');
  t.after(() => {
    writeFileSync(release, ''); // a helper still waiting ends
    scratch.dispose();
  });
  // Stand-in for codex-windows-sandbox-setup.exe: records its pid, waits until released, then
  // writes what codex's setup writes (marker, a new users file).
  const helper = path.join(bin, SETUP_HELPER_FILE);
  writeFileSync(
    helper,
    `#!/bin/sh
echo $$ >> '${runs}'
while [ ! -e '${release}' ]; do sleep 0.05; done
mkdir -p '${home.home}/.sandbox' '${home.home}/.sandbox-secrets'
printf '%s' '${JSON.stringify(marker())}' > '${home.markerFile}'
printf '%s' '${JSON.stringify(users(blob('new'), blob('new')))}' > '${home.usersFile}'
`,
  );
  chmodSync(helper, 0o755);
  const ready = () => {
    home.writeMarker(marker());
    home.writeUsers(users(blob('old'), blob('old')));
  };
  /** Logon errors the next launches get, in order (0: the launch goes through). */
  const refusals: number[] = [];
  const launched: number[] = [];
  const access: CodexHomeAccess = {
    findRunner: codexHomeAccess.findRunner,
    async logon() {
      return {
        username: OFFLINE,
        // Read at each launch, as codex's (the DPAPI decryption aside): missing after upstream's deletion.
        password: async () => SecretText.fromUtf8(Buffer.from((JSON.parse(readFileSync(home.usersFile, 'utf8')) as { offline: { password: string } }).offline.password)),
        retryOnLogonFailure: true,
        reusable: true,
        async launchAs(spec, names, o) {
          const code = refusals.shift() ?? 0;
          launched.push(code);
          if (code) throw Object.assign(new Error(`CreateProcessWithLogonW failed: ${code}`), { win32Code: code });
          return runners.launch(spec, names, o.cwd, { signal: o.signal });
        },
      };
    },
    setup: (o) => runSandboxSetup(o, elevated),
  };
  const host = (admission?: Admission): SessionHost => ({ codexHome: access, ...(admission ? { admission } : {}) });
  const options = (extra: Partial<SessionConfig> = {}): SessionConfig => ({
    command: ['sh', '-c', `echo ran >> '${path.join(work, 'ran.txt')}'; echo done`],
    cwd: work,
    runner: asCodex,
    sandbox: 'codex',
    codexHome: home.home,
    setupHelper: helper,
    refreshSandbox: false,
    autoSetupSandbox: true,
    ...extra,
  });
  const setupRuns = () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0);
  const commandRuns = () => (existsSync(path.join(work, 'ran.txt')) ? readFileSync(path.join(work, 'ran.txt'), 'utf8').split('\n').filter(Boolean).length : 0);
  return { home, work, root, release, ready, refusals, launched, host, options, setupRuns, commandRuns };
}

const stagesOf = (s: Session) => s.status().stages.map((x) => x.stage);

/** Every socket a session's attempts made (a refused attempt's too), and every runner it launched. */
const madeBy = new WeakMap<Session, { sockets: Set<string>; runners: Set<number> }>();

/** Nothing of any attempt is left: each attempt's sockets and runner, the last one's child. */
async function assertAllReleased(session: Session): Promise<void> {
  await assertNothingLeftBehind(session, [...madeBy.get(session)!.runners]);
  for (const socket of madeBy.get(session)!.sockets) assert.equal(existsSync(path.dirname(socket)), false, `socket dir of ${socket} left behind`);
}

async function start(session: Session): Promise<Session> {
  const made = { sockets: new Set<string>(), runners: new Set<number>() };
  madeBy.set(session, made);
  session.on('update', () => {
    const s = session.status();
    for (const pipe of [s.pipes.in, s.pipes.out]) if (pipe) made.sockets.add(pipe.name);
    if (s.runnerPid) made.runners.add(s.runnerPid);
  });
  void session.start();
  session.stdout.resume();
  session.stderr.resume();
  return session;
}

test('a refused logon (1326) with autoSetupSandbox: setup runs holding no launch slot, so a plain session never queues; then one more launch runs the command once', { skip }, async (t) => {
  const f = fixture(t);
  f.ready();
  f.refusals.push(1326);
  const admission = new Admission(1);
  const codex = await start(new Session(f.options(), f.host(admission)));
  assert.ok(await eventually(() => f.setupRuns() === 1 && codex.state === 'setting_up_sandbox', 10_000), `setup under way: ${stagesOf(codex)}`);
  assert.equal(existsSync(f.home.usersFile), false, "the refused users file was deleted first, as codex's parent does");

  const plain = new Session({ command: ['sh', '-c', 'echo hi'], runner: realRunner(), timeoutMs: 3000 }, { admission });
  let out = '';
  plain.stdout.on('data', (d: Buffer) => (out += d));
  await plain.start();
  const result = await plain.exited;
  assert.equal(result.state, 'exited', result.error?.message);
  assert.equal(out, 'hi\n');
  assert.ok(!stagesOf(plain).includes('queued'), `never queued: ${stagesOf(plain)}`);
  assert.equal(codex.state, 'setting_up_sandbox', 'the setup is still under way');

  writeFileSync(f.release, '');
  const done = await codex.exited;
  assert.deepEqual([done.state, done.exitCode], ['exited', 0], done.error?.message);
  assert.equal(f.commandRuns(), 1);
  assert.equal(f.setupRuns(), 1);
  assert.deepEqual(f.launched, [1326, 0]);
  const stages = stagesOf(codex);
  const setupAt = stages.indexOf('setting_up_sandbox');
  assert.ok(setupAt > stages.indexOf('launching_runner') && stages.lastIndexOf('launching_runner') > setupAt, stages.join(' > '));
  await assertAllReleased(codex);
});

test("timeoutMs bounds the setup after a refused logon: the session fails at its bound naming the step, and the helper is killed once nobody waits on it", { skip }, async (t) => {
  const f = fixture(t);
  f.ready();
  f.refusals.push(1326);
  const session = await start(new Session(f.options({ timeoutMs: 2000 }), f.host(new Admission(1))));
  const result = await boundedWait(session.exited, { timeoutMs: 8000 }).catch(() => undefined);
  assert.ok(result, `still ${session.state} 8 s later (stages ${stagesOf(session)}): the setup was not bounded by timeoutMs 2000`);
  assert.equal(result.state, 'failed');
  assert.deepEqual([result.error?.stage, result.error?.message], ['setting_up_sandbox', "sandbox setup after logon error 1326: not done within the session's timeoutMs (2000 ms)"]);
  const pid = Number(readFileSync(path.join(f.root, 'setup-runs.txt'), 'utf8').trim());
  assert.ok(
    await eventually(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 5000),
    'the helper is gone',
  );
  assert.equal(f.commandRuns(), 0);
});

test('setup runs at most once per session: a logon refused at launch, set up, then refused again at spawn_child fails the session; the command never ran', { skip }, async (t) => {
  const f = fixture(t);
  f.ready();
  writeFileSync(f.release, ''); // the helper finishes at once
  f.refusals.push(1326);
  const refusedFile = path.join(f.root, 'spawn-child-refused');
  const count = path.join(f.root, 'command-starts');
  writeFileSync(count, '');
  const runner = { ...rogueRunner('logon-refused-once'), kind: 'codex' as const, env: { ROGUE_REFUSED: refusedFile, ROGUE_COUNT: count } };
  const session = await start(new Session(f.options({ runner }), f.host(new Admission(1))));
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(f.setupRuns(), 1, 'setup ran once, not again after the second refusal');
  assert.equal(result.error?.stage, 'spawn_sent');
  assert.match(result.error?.message ?? '', /1326/);
  assert.ok(existsSync(refusedFile), 'the runner refused spawn_child');
  assert.equal(readFileSync(count, 'utf8'), '', 'the command never started');
  assert.deepEqual(f.launched, [1326, 0]);
  await assertAllReleased(session);
});

test('a logon refused at spawn_child (1326): setup runs outside the slot, then one new runner runs the command exactly once', { skip }, async (t) => {
  const f = fixture(t);
  f.ready();
  const refusedFile = path.join(f.root, 'spawn-child-refused');
  const count = path.join(f.root, 'command-starts');
  writeFileSync(count, '');
  const runner = { ...rogueRunner('logon-refused-once'), kind: 'codex' as const, env: { ROGUE_REFUSED: refusedFile, ROGUE_COUNT: count } };
  const admission = new Admission(1);
  const session = await start(new Session(f.options({ runner }), f.host(admission)));
  assert.ok(await eventually(() => session.state === 'setting_up_sandbox', 10_000), stagesOf(session).join(' > '));
  // Holding no slot: another launch gets one at once.
  const slot = admission.tryAcquire();
  assert.ok(slot, 'the launch slot was given back for the setup');
  slot();
  writeFileSync(f.release, '');
  const result = await session.exited;
  assert.deepEqual([result.state, result.exitCode], ['exited', 0], result.error?.message);
  assert.equal(readFileSync(count, 'utf8').split('\n').filter(Boolean).length, 1, 'the command started once');
  assert.equal(f.setupRuns(), 1);
  const stages = stagesOf(session);
  assert.ok(stages.indexOf('setting_up_sandbox') > stages.indexOf('spawn_sent'), stages.join(' > '));
  assert.equal(madeBy.get(session)!.runners.size, 2, 'two runners: the refused one and the one that ran it');
  await assertAllReleased(session);
});

test('without autoSetupSandbox, a refused logon fails typed (users file deleted), nothing set up, the slot given back', { skip }, async (t) => {
  const f = fixture(t);
  f.ready();
  f.refusals.push(1326);
  const admission = new Admission(1);
  const session = await start(new Session(f.options({ autoSetupSandbox: false }), f.host(admission)));
  const result = await session.exited;
  assert.ok(result.error instanceof SandboxNotReadyError, `${result.error?.name}: ${result.error?.message}`);
  assert.deepEqual([result.error.stage, result.error.logonError], ['launching_runner', 1326]);
  assert.equal(existsSync(f.home.usersFile), false);
  assert.equal(f.setupRuns(), 0);
  const slot = admission.tryAcquire();
  assert.ok(slot, 'no slot left behind');
  slot();
});

test('a missing cwd fails at preparing before the readiness gate: autoSetupSandbox on a fresh home never runs setup (never prompts)', { skip }, async (t) => {
  const f = fixture(t);
  writeFileSync(f.release, '');
  const missing = path.join(f.root, 'gone');
  const session = await start(new Session(f.options({ cwd: missing }), f.host()));
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'preparing');
  assert.match(result.error?.message ?? '', new RegExp(`working directory ${missing} does not exist`));
  assert.equal(f.setupRuns(), 0, 'no setup ran');
  assert.ok(!stagesOf(session).includes('setting_up_sandbox'), stagesOf(session).join(' > '));
  assert.equal(existsSync(f.home.markerFile), false);
});
