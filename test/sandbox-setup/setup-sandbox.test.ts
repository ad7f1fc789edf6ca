// setupSandbox's orchestration, as upstream's run_elevated_setup does it: the provisioning payload,
// setup_error.json cleared then read, readiness read again after exit 0, one run per codex home.
// The direct (elevated) path runs a real process here: a shell script at the helper's name
// stands in for codex's helper (the real helper runs under Wine: test/win32/sandbox-setup.test.ts).
// The UAC launch cannot run here: only for its result mapping is it stood in for, at the
// SetupPlatform boundary, and named so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';
import { encodeProvisionPayload, provisionPayload } from '../../src/main/codex/sandbox-setup/provision-payload';
import { runSandboxSetup, type SetupPlatform, type SetupStage } from '../../src/main/codex/sandbox-setup/setup-sandbox';
import { acquireSetupLock, SETUP_LOCK_FILE, setupLockFile } from '../../src/main/codex/sandbox-setup/setup-lock';
import { marker, users } from '../helpers/codex-home-fixture';

function scratch(t: { after(fn: () => void): void }) {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'setup-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  const bin = path.join(root, 'bin');
  mkdirSync(home, { recursive: true });
  mkdirSync(bin, { recursive: true });
  return { root, home, bin };
}

/** A stand-in helper: a shell script at the helper's file name; `$1` is the payload. */
function helperScript(dir: string, body: string): string {
  const file = path.join(dir, SETUP_HELPER_FILE);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** An elevated process: the helper runs directly, as a child. */
const elevated: SetupPlatform = {
  realUser: async () => 'HOST\\alice',
  isElevated: () => true,
  startElevated: () => Promise.reject(new Error('an elevated process never uses the UAC launch')),
};

/** What the helper writes on success (setup_main's write_secrets / write_setup_marker). */
const WRITE_READY = `mkdir -p "$HOME_DIR/.sandbox" "$HOME_DIR/.sandbox-secrets"
printf '%s' '${JSON.stringify(marker())}' > "$HOME_DIR/.sandbox/setup_marker.json"
printf '%s' '${JSON.stringify(users(Buffer.from('a').toString('base64'), Buffer.from('b').toString('base64')))}' > "$HOME_DIR/.sandbox-secrets/sandbox_users.json"`;

test("codex.exe 0.171.0's own provisioning payload, byte for byte (captured under Wine from its elevated setup)", () => {
  // codex.exe sandbox -c 'windows.sandbox="elevated"' on a fresh home, CODEX_HOME=Z:\tmp\i20s-home2,
  // its helper replaced by a program that saved its command line.
  const captured =
    'eyJ2ZXJzaW9uIjo1LCJvZmZsaW5lX3VzZXJuYW1lIjoiQ29kZXhTYW5kYm94T2ZmbGluZSIsIm9ubGluZV91c2VybmFtZSI6IkNvZGV4U2FuZGJveE9ubGluZSIsImNvZGV4X2hvbWUiOiJaOlxcdG1wXFxpMjBzLWhvbWUyIiwiY29tbWFuZF9jd2QiOiJaOlxcdG1wXFxpMjBzLWhvbWUyIiwicmVhZF9yb290cyI6W10sIndyaXRlX3Jvb3RzIjpbXSwiZGVueV9yZWFkX3BhdGhzIjpbXSwiZGVueV93cml0ZV9wYXRocyI6W10sInByb3h5X3BvcnRzIjpbXSwiYWxsb3dfbG9jYWxfYmluZGluZyI6ZmFsc2UsIm90ZWwiOm51bGwsInJlYWxfdXNlciI6IlZNXFxyb290IiwibW9kZSI6ImludGVyYWN0aXZlLXByb3Zpc2lvbiIsInJlZnJlc2hfb25seSI6ZmFsc2V9';
  assert.equal(encodeProvisionPayload(provisionPayload({ codexHome: 'Z:\\tmp\\i20s-home2', realUser: 'VM\\root' })), captured);
});

test('the payload refuses what the helper would misread: an unqualified real_user, a bad port', () => {
  assert.throws(() => provisionPayload({ codexHome: 'C:\\h', realUser: 'alice' }), /real_user must be DOMAIN\\user/);
  assert.throws(() => provisionPayload({ codexHome: 'C:\\h', realUser: 'H\\a', proxyPorts: [0] }), /proxy port 0/);
  assert.deepEqual(provisionPayload({ codexHome: 'C:\\h', realUser: 'H\\a', proxyPorts: [8080, 3128, 8080], allowLocalBinding: true }).proxy_ports, [3128, 8080]);
});

test("a helper failure carries the helper's code and message from setup_error.json; readiness stays not ready", async (t) => {
  const d = scratch(t);
  const helper = helperScript(d.bin, `echo "$1" > "${d.root}/payload.txt"
mkdir -p "${d.home}/.sandbox"
printf '%s' '{"code":"helper_users_group_create_failed","message":"failed to create local group CodexSandboxUsers: LookupAccountNameW failed for CodexSandboxUsers: 1332"}' > "${d.home}/.sandbox/setup_error.json"
exit 1`);
  const stages: SetupStage[] = [];
  const result = await runSandboxSetup({ codexHome: d.home, setupHelper: helper, onProgress: (s) => stages.push(s) }, elevated);
  assert.equal(result.outcome, 'failed');
  assert.equal(result.code, 'helper_users_group_create_failed');
  assert.match(result.message!, /LookupAccountNameW failed for CodexSandboxUsers: 1332/);
  assert.notEqual(result.readiness.state, 'ready');
  assert.deepEqual(stages, ['starting_helper', 'running_helper']);
  const sent = readFileSync(path.join(d.root, 'payload.txt'), 'utf8').trim();
  assert.equal(sent, encodeProvisionPayload(provisionPayload({ codexHome: d.home, realUser: 'HOST\\alice' })), 'the helper got the provisioning payload as its one argument');
  assert.equal(existsSync(path.join(d.home, SETUP_LOCK_FILE)), false, 'the lock is released');
});

test('a report left by an earlier run is cleared first: a helper that fails without one gets orchestrator_helper_exit_nonzero', async (t) => {
  const d = scratch(t);
  mkdirSync(path.join(d.home, '.sandbox'));
  writeFileSync(path.join(d.home, '.sandbox', 'setup_error.json'), '{"code":"stale_code","message":"from before"}');
  const result = await runSandboxSetup({ codexHome: d.home, setupHelper: helperScript(d.bin, 'exit 3') }, elevated);
  assert.deepEqual([result.outcome, result.code, result.message], ['failed', 'orchestrator_helper_exit_nonzero', 'setup helper exited with status 3']);
});

test('a report that is not JSON is said to be so (orchestrator_helper_report_read_failed)', async (t) => {
  const d = scratch(t);
  const result = await runSandboxSetup({ codexHome: d.home, setupHelper: helperScript(d.bin, `printf 'not json' > "${d.home}/.sandbox/setup_error.json"; exit 1`) }, elevated);
  assert.equal(result.code, 'orchestrator_helper_report_read_failed');
  assert.match(result.message!, /not JSON/);
});

test('success is confirmed by reading readiness again: the marker and the users file there, ready', async (t) => {
  const d = scratch(t);
  const result = await runSandboxSetup({ codexHome: d.home, setupHelper: helperScript(d.bin, `HOME_DIR="${d.home}"\n${WRITE_READY}\nexit 0`) }, elevated);
  assert.deepEqual([result.outcome, result.code, result.readiness.state, result.readiness.reasons], ['succeeded', undefined, 'ready', []]);
});

test('exit 0 without the marker and users file is orchestrator_helper_incomplete', async (t) => {
  const d = scratch(t);
  const result = await runSandboxSetup({ codexHome: d.home, setupHelper: helperScript(d.bin, 'exit 0') }, elevated);
  assert.equal(result.outcome, 'failed');
  assert.equal(result.code, 'orchestrator_helper_incomplete');
  assert.match(result.message!, /marker_missing/);
});

test('no helper: orchestrator_helper_launch_failed naming where it looked (as codex.exe without codex-resources)', async (t) => {
  const d = scratch(t);
  const result = await runSandboxSetup({ codexHome: d.home, codexInstall: d.bin }, elevated);
  assert.equal(result.code, 'orchestrator_helper_launch_failed');
  assert.match(result.message!, /^failed to launch setup helper: no codex install was found to take codex-windows-sandbox-setup\.exe from/);
  assert.match(result.readiness.reasons.find((r) => r.code === 'install_unsupported')?.message ?? '', /codexInstall .* holds neither codex\.exe/, 'the bad option is the readiness reason, not nested in the setup message');
  const missing = await runSandboxSetup({ codexHome: d.home, setupHelper: path.join(d.bin, 'gone', SETUP_HELPER_FILE) }, elevated);
  assert.equal(missing.code, 'orchestrator_helper_launch_failed');
  assert.equal(missing.message, `failed to launch setup helper: the setupHelper option names ${path.join(d.bin, 'gone', SETUP_HELPER_FILE)}, which is not a file`);
  assert.deepEqual(missing.looked, [path.join(d.bin, 'gone', SETUP_HELPER_FILE)]);
  const noExec = path.join(d.bin, SETUP_HELPER_FILE);
  writeFileSync(noExec, 'not a program');
  const notStarted = await runSandboxSetup({ codexHome: d.home, setupHelper: noExec }, elevated);
  assert.equal(notStarted.code, 'orchestrator_helper_launch_failed');
  assert.match(notStarted.message!, /EACCES/);
});

test('not elevated: the UAC launch is used; 1223 (the user said no) is canceled, any other launch error failed (stand-in for the UAC boundary)', async (t) => {
  const d = scratch(t);
  const helper = helperScript(d.bin, 'exit 0');
  const asked: string[] = [];
  const refusing = (code: number): SetupPlatform => ({
    realUser: async () => 'HOST\\alice',
    isElevated: () => false,
    startElevated: async (file, parameters) => {
      asked.push(`${file} ${parameters}`);
      throw Object.assign(new Error(`ShellExecuteExW failed: error ${code}`), { code });
    },
  });
  const stages: SetupStage[] = [];
  const canceled = await runSandboxSetup({ codexHome: d.home, setupHelper: helper, onProgress: (s) => stages.push(s) }, refusing(1223));
  assert.deepEqual([canceled.outcome, canceled.code], ['canceled', 'orchestrator_helper_launch_canceled']);
  assert.deepEqual(stages, ['requesting_elevation']);
  assert.deepEqual(asked, [`${helper} ${encodeProvisionPayload(provisionPayload({ codexHome: d.home, realUser: 'HOST\\alice' }))}`]);
  const failed = await runSandboxSetup({ codexHome: d.home, setupHelper: helper }, refusing(5));
  assert.deepEqual([failed.outcome, failed.code], ['failed', 'orchestrator_helper_launch_failed']);
});

test('callers of one codex home share one run of the helper', async (t) => {
  const d = scratch(t);
  const helper = helperScript(d.bin, `echo run >> "${d.root}/runs.txt"; sleep 0.3; exit 4`);
  const [a, b] = await Promise.all([runSandboxSetup({ codexHome: d.home, setupHelper: helper }, elevated), runSandboxSetup({ codexHome: d.home, setupHelper: helper }, elevated)]);
  assert.deepEqual(a, b);
  assert.equal(readFileSync(path.join(d.root, 'runs.txt'), 'utf8'), 'run\n');
});

test('an abort ends the helper, releases the lock, and rejects with the caller\'s reason; a second caller keeps the run', async (t) => {
  const d = scratch(t);
  const helper = helperScript(d.bin, `echo $$ > "${d.root}/pid.txt"; exec sleep 30`);
  const first = new AbortController();
  const one = runSandboxSetup({ codexHome: d.home, setupHelper: helper, signal: first.signal }, elevated);
  while (!existsSync(path.join(d.root, 'pid.txt')) || readFileSync(path.join(d.root, 'pid.txt'), 'utf8') === '') await new Promise((r) => setTimeout(r, 20));
  const second = new AbortController();
  const two = runSandboxSetup({ codexHome: d.home, setupHelper: helper, signal: second.signal }, elevated);
  first.abort(new Error('first went'));
  await assert.rejects(one, /first went/);
  const pid = Number(readFileSync(path.join(d.root, 'pid.txt'), 'utf8'));
  assert.doesNotThrow(() => process.kill(pid, 0), 'still running for the second caller');
  second.abort(new Error('second went'));
  await assert.rejects(two, /second went/);
  // The last caller hears of its abort at once; the helper's end and the lock's release follow.
  await until(() => !alive(pid) && !existsSync(path.join(d.home, SETUP_LOCK_FILE)), 'the helper was ended and the lock released once nobody waited');
});

test('bad options are refused before anything runs', async () => {
  await assert.rejects(runSandboxSetup({ codexHome: 'relative' }, elevated), /codexHome must be an absolute path/);
  await assert.rejects(runSandboxSetup({ codexHome: '/h', setupHelper: 'x.exe' }, elevated), /setupHelper must be an absolute path/);
});

test("the helper run elevated comes only from the setupHelper option or codex's install: never PATH or the home's .sandbox-bin", async (t) => {
  const d = scratch(t);
  // Stand-ins that would run if taken: on PATH and in the user-writable .sandbox-bin.
  const ran = path.join(d.root, 'ran.txt');
  helperScript(d.bin, `echo PATH >> "${ran}"; exit 0`);
  const sandboxBin = path.join(d.home, '.sandbox-bin');
  mkdirSync(sandboxBin, { recursive: true });
  helperScript(sandboxBin, `echo sandbox-bin >> "${ran}"; exit 0`);
  const saved = process.env.PATH;
  process.env.PATH = d.bin;
  t.after(() => (process.env.PATH = saved));
  const result = await runSandboxSetup({ codexHome: d.home }, elevated);
  assert.equal(existsSync(ran), false, 'neither the PATH helper nor the .sandbox-bin one ran');
  assert.deepEqual([result.outcome, result.code], ['failed', 'orchestrator_helper_launch_failed']);
  assert.match(result.message!, /no codex install was found/);
  assert.match(result.message!, /not run elevated/);
  assert.doesNotMatch(result.message!, new RegExp(d.bin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the message does not list the places looked');
  assert.ok(!result.looked?.some((p) => p.startsWith(d.bin) || p.startsWith(sandboxBin)), `looked only at the install: ${result.looked?.join(', ')}`);
  process.env.PATH = `${d.bin}${path.delimiter}${saved}`; // the stand-in helpers need mkdir

  // An install without its helper: still not taken from PATH; the install's place is named as data.
  const root = path.join(d.root, 'install');
  mkdirSync(path.join(root, 'codex-resources'), { recursive: true });
  const noHelper = await runSandboxSetup({ codexHome: d.home, codexInstall: root }, elevated);
  assert.equal(existsSync(ran), false);
  assert.equal(noHelper.code, 'orchestrator_helper_launch_failed');
  assert.match(noHelper.message!, /codex's install at .* has no codex-windows-sandbox-setup\.exe/);
  assert.ok(noHelper.looked?.includes(path.join(root, 'codex-resources', SETUP_HELPER_FILE)), noHelper.looked?.join(', '));

  // The install's own helper is the one run.
  helperScript(path.join(root, 'codex-resources'), `echo install >> "${ran}"; HOME_DIR="${d.home}"\n${WRITE_READY}\nexit 0`);
  const fromInstall = await runSandboxSetup({ codexHome: d.home, codexInstall: root }, elevated);
  assert.equal(fromInstall.outcome, 'succeeded');
  assert.equal(readFileSync(ran, 'utf8'), 'install\n');
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `done` (every 20 ms, for at most 10 s): an ordering, never a speed. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Stand-in for the UAC launch (it cannot run here), named so: the helper starts as a real child
 * once the "prompt" is answered, and, as an elevated process seen from one that is not, it cannot
 * be terminated (terminate() returns false).
 */
function unkillableLaunch(answered: Promise<void> = Promise.resolve()): SetupPlatform & { launches: number } {
  const platform = {
    launches: 0,
    realUser: async () => 'HOST\\alice',
    isElevated: () => false,
    startElevated: async (file: string, parameters: string) => {
      await answered;
      platform.launches++;
      const child = spawn(file, [parameters], { stdio: 'ignore' });
      await once(child, 'spawn');
      const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
      return { exited, terminate: () => false };
    },
  };
  return platform;
}

/** A helper that runs until the test creates `<root>/go` (or its folder is gone: nothing outlives a test), then exits 5. */
const helperUntilGo = (d: { root: string; bin: string }) => helperScript(d.bin, `echo $$ > "${d.root}/pid.txt"\nwhile [ ! -e "${d.root}/go" ] && [ -d "${d.root}" ]; do sleep 0.02; done\nexit 5`);
async function helperPid(d: { root: string }): Promise<number> {
  const file = path.join(d.root, 'pid.txt');
  await until(() => existsSync(file) && /\d+\n/.test(readFileSync(file, 'utf8')), 'the helper started');
  return Number(readFileSync(file, 'utf8'));
}

test('timeoutMs with a helper that cannot be ended (elevated): failed at once; the lock stays held until the helper exits, and a second setup waits for it', { timeout: 30_000 }, async (t) => {
  const d = scratch(t);
  const helper = helperUntilGo(d);
  const platform = unkillableLaunch();
  const result = await runSandboxSetup({ codexHome: d.home, setupHelper: helper, timeoutMs: 300 }, platform);
  assert.deepEqual([result.outcome, result.code], ['failed', 'orchestrator_helper_timeout']);
  assert.match(result.message!, /did not finish within 300 ms; it could not be ended .*the setup lock is held until it exits/);
  assert.ok(alive(await helperPid(d)), 'the helper is still running: the result did not wait for it');
  assert.ok(existsSync(setupLockFile(d.home)), 'the lock is held while it runs');
  const stages: SetupStage[] = [];
  const next = runSandboxSetup({ codexHome: d.home, setupHelper: helper, onProgress: (s) => stages.push(s) }, platform);
  await until(() => stages.includes('waiting_for_other_setup'), 'the second setup waits for the lock');
  assert.equal(platform.launches, 1, 'no second helper while the first runs');
  writeFileSync(path.join(d.root, 'go'), '');
  const second = await next;
  assert.deepEqual([second.outcome, second.code, platform.launches], ['failed', 'orchestrator_helper_exit_nonzero', 2]);
  assert.equal(existsSync(setupLockFile(d.home)), false);
});

test('an abort while the UAC prompt is up rejects at once; a prompt accepted later runs the helper under the lock until it exits', { timeout: 30_000 }, async (t) => {
  const d = scratch(t);
  let answer!: () => void;
  const platform = unkillableLaunch(new Promise<void>((r) => (answer = r)));
  const stages: SetupStage[] = [];
  const controller = new AbortController();
  const running = runSandboxSetup({ codexHome: d.home, setupHelper: helperUntilGo(d), signal: controller.signal, onProgress: (s) => stages.push(s) }, platform);
  await until(() => stages.includes('requesting_elevation'), 'the prompt is up');
  controller.abort(new Error('the app closed'));
  await assert.rejects(running, /the app closed/);
  assert.ok(existsSync(setupLockFile(d.home)), 'the lock stays held: the prompt cannot be withdrawn');
  answer();
  await helperPid(d); // the accepted prompt started the helper
  assert.ok(existsSync(setupLockFile(d.home)), 'held while the helper runs');
  writeFileSync(path.join(d.root, 'go'), '');
  await until(() => !existsSync(setupLockFile(d.home)), 'the lock is released once the helper exited');
});

test("timeoutMs bounds the wait for another process's setup lock: failed, naming the lock; the holder keeps it", { timeout: 30_000 }, async (t) => {
  const d = scratch(t);
  const holder = await acquireSetupLock(setupLockFile(d.home)); // alive and heartbeating, as another process's setup
  t.after(() => holder.release());
  const stages: SetupStage[] = [];
  const result = await runSandboxSetup({ codexHome: d.home, setupHelper: helperScript(d.bin, 'exit 0'), timeoutMs: 300, onProgress: (s) => stages.push(s) }, elevated);
  assert.deepEqual([result.outcome, result.code], ['failed', 'orchestrator_setup_wait_timeout']);
  assert.ok(result.message!.includes(setupLockFile(d.home)), result.message);
  assert.deepEqual(stages, ['waiting_for_other_setup']);
  assert.equal(JSON.parse(readFileSync(setupLockFile(d.home), 'utf8')).token, holder.owner.token);
});

test('a second caller with other options is refused, saying which; every caller of one run hears its progress', async (t) => {
  const d = scratch(t);
  const helper = helperScript(d.bin, `echo $$ > "${d.root}/pid.txt"; while [ ! -e "${d.root}/go" ] && [ -d "${d.root}" ]; do sleep 0.02; done; HOME_DIR="${d.home}"\n${WRITE_READY}\nexit 0`);
  const first: SetupStage[] = [];
  const second: SetupStage[] = [];
  const a = runSandboxSetup({ codexHome: d.home, setupHelper: helper, onProgress: (s) => first.push(s) }, elevated);
  await until(() => first.includes('running_helper'), 'the helper runs');
  await assert.rejects(
    runSandboxSetup({ codexHome: d.home, setupHelper: helper, proxyPorts: [3128] }, elevated),
    /a sandbox setup of .* is already running in this process with other options \(proxyPorts\)/,
  );
  const b = runSandboxSetup({ codexHome: d.home, setupHelper: helper, onProgress: (s) => second.push(s) }, elevated);
  writeFileSync(path.join(d.root, 'go'), '');
  const [ra, rb] = await Promise.all([a, b]);
  assert.deepEqual([ra.outcome, rb.outcome], ['succeeded', 'succeeded']);
  assert.deepEqual(first, ['starting_helper', 'running_helper', 'checking_readiness']);
  assert.deepEqual(second, ['waiting_for_other_setup', 'checking_readiness']);
});

test('a home found ready once the lock is taken is succeeded without running the helper (no second UAC prompt)', async (t) => {
  const d = scratch(t);
  const log = path.join(d.root, 'runs.txt');
  const helper = helperScript(d.bin, `echo run >> "${log}"; HOME_DIR="${d.home}"\n${WRITE_READY}\nexit 0`);
  assert.equal((await runSandboxSetup({ codexHome: d.home, setupHelper: helper }, elevated)).outcome, 'succeeded');
  const again = await runSandboxSetup({ codexHome: d.home, setupHelper: helper }, unkillableLaunch());
  assert.deepEqual([again.outcome, again.readiness.state], ['succeeded', 'ready']);
  assert.equal(readFileSync(log, 'utf8'), 'run\n', 'the helper ran once');
});

test("a token user that cannot be read is a failed result with a code, not a rejection", async (t) => {
  const d = scratch(t);
  const broken: SetupPlatform = { ...elevated, realUser: () => Promise.reject(new Error('LookupAccountSidW(S-1-5-21-1) failed: 1789')) };
  const result = await runSandboxSetup({ codexHome: d.home, setupHelper: helperScript(d.bin, 'exit 0') }, broken);
  assert.deepEqual([result.outcome, result.code], ['failed', 'orchestrator_payload_serialize_failed']);
  assert.match(result.message!, /this process's user .*1789/);
  assert.equal(existsSync(setupLockFile(d.home)), false);
});
