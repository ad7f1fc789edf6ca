// setupSandbox's orchestration, as upstream's run_elevated_setup does it: the provisioning payload,
// setup_error.json cleared then read, readiness read again after exit 0, one run per codex home.
// The direct (elevated) path runs a real process here: a shell script at the helper's name
// stands in for codex's helper (the real helper runs under Wine: test/win32/sandbox-setup.test.ts).
// The UAC launch cannot run here: only for its result mapping is it stood in for, at the
// SetupPlatform boundary, and named so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SETUP_HELPER_FILE } from '../../src/sandbox-prep/sandbox-refresh';
import { encodeProvisionPayload, provisionPayload } from '../../src/sandbox-setup/provision-payload';
import { runSandboxSetup, type SetupPlatform, type SetupStage } from '../../src/sandbox-setup/setup-sandbox';
import { SETUP_LOCK_FILE } from '../../src/sandbox-setup/setup-lock';
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
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the helper was ended once nobody waited');
  assert.equal(existsSync(path.join(d.home, SETUP_LOCK_FILE)), false);
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
