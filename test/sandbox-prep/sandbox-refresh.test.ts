// Running codex's setup helper in refresh mode: its payload, its failure as the helper reports it,
// the bound and the abort. The real helper runs under Wine (test/win32/codex-setup-helper.test.ts);
// here a stand-in script at the helper's name exercises this side's process handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodePayload, refreshPayload } from '../../src/main/codex/sandbox-prep/refresh-payload';
import { readSetupError, SandboxRefreshError, SandboxRefreshes, setupErrorFile, SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';

/** One owner's refreshes (a SessionManager has one), shared by this file's tests: each uses its own payloads. */
const refreshes = new SandboxRefreshes();

function scratch(t: { after(fn: () => void): void }) {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'refresh-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  mkdirSync(path.join(work, '.git'), { recursive: true });
  return { root, home, work };
}

/** A stand-in helper: a shell script at the helper's file name. */
function helperScript(dir: string, body: string): string {
  const file = path.join(dir, SETUP_HELPER_FILE);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const KEYS = ['version', 'offline_username', 'online_username', 'codex_home', 'command_cwd', 'read_roots', 'write_roots', 'deny_read_paths', 'deny_write_paths', 'proxy_ports', 'allow_local_binding', 'otel', 'real_user', 'user_profile', 'mode', 'runtime', 'refresh_only'];

test("the refresh payload: the helper's 17 fields in its order, refresh_only, standard base64 of the JSON", async (t) => {
  const d = scratch(t);
  const payload = await refreshPayload({ codexHome: d.home, cwd: d.work, writeRoots: [d.work], workspaceRoots: [d.work], readsRoot: false, realUser: 'me', userProfile: d.root });
  assert.deepEqual(Object.keys(payload), KEYS);
  assert.deepEqual(JSON.parse(Buffer.from(encodePayload(payload), 'base64').toString('utf8')), payload);
  assert.equal(payload.version, 5);
  assert.equal(payload.offline_username, 'CodexSandboxOffline');
  assert.equal(payload.online_username, 'CodexSandboxOnline');
  assert.equal(payload.mode, 'full');
  assert.equal(payload.runtime, 'legacy');
  assert.equal(payload.refresh_only, true);
  assert.equal(payload.otel, null);
  assert.deepEqual(payload.read_roots, [path.join(d.home, '.sandbox-bin'), d.work], 'the helper folder and the cwd');
  assert.deepEqual(payload.deny_write_paths, [path.join(d.work, '.git')], 'existing carve-outs only');
  assert.equal(Object.values(payload).includes(null as never), true, 'otel is the only null');
  assert.equal(Object.entries(payload).filter(([, v]) => v === null).length, 1);
});

test("a failing helper is reported with its own code and message from setup_error.json; an old report is not taken for it", async (t) => {
  const d = scratch(t);
  mkdirSync(path.join(d.home, '.sandbox'));
  writeFileSync(setupErrorFile(d.home), '{"code":"stale","message":"from an earlier run"}');
  const report = setupErrorFile(d.home);
  const helper = helperScript(d.root, `printf '%s' '{"code":"helper_sid_resolve_failed","message":"LookupAccountNameW failed for CodexSandboxUsers: 1332"}' > '${report}'\nexit 1`);
  const err = await refreshes.run({ helper, codexHome: d.home, payloadBase64: 'cGF5bG9hZDE=', signal: new AbortController().signal }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof SandboxRefreshError);
  assert.equal(err.helperCode, 'helper_sid_resolve_failed');
  assert.match(err.message, /^codex's sandbox setup helper exited with code 1: helper_sid_resolve_failed: LookupAccountNameW failed for CodexSandboxUsers: 1332 \(from .*setup_error\.json\)$/);

  const silent = helperScript(d.root, 'exit 3');
  await assert.rejects(refreshes.run({ helper: silent, codexHome: d.home, payloadBase64: 'cGF5bG9hZDI=', signal: new AbortController().signal }), /exited with code 3 and wrote no .*setup_error\.json/);
});

test('setup_error.json is read with a bound and must be the helper\'s shape', async (t) => {
  const d = scratch(t);
  const file = path.join(d.root, 'setup_error.json');
  writeFileSync(file, `{"code":"x","message":"${'m'.repeat(70_000)}"}`);
  assert.deepEqual(await readSetupError(file), { kind: 'bad', why: 'is over 65536 bytes' });
  writeFileSync(file, '{"code":1}');
  assert.deepEqual(await readSetupError(file), { kind: 'bad', why: 'has no string "code" and "message"' });
  assert.deepEqual(await readSetupError(path.join(d.root, 'none.json')), { kind: 'none' });
});

test('a helper whose setup_error.json is not its report: "exited with code 3; <file> is not JSON", no stray space', async (t) => {
  const d = scratch(t);
  const report = setupErrorFile(d.home);
  mkdirSync(path.dirname(report), { recursive: true });
  const helper = helperScript(d.root, `printf 'oops' > '${report}'\nexit 3`);
  const err = await refreshes.run({ helper, codexHome: d.home, payloadBase64: 'YmFkMQ==', signal: new AbortController().signal }).then(() => undefined, (e: unknown) => e as Error);
  assert.ok(err instanceof SandboxRefreshError);
  assert.ok(err.message.startsWith(`codex's sandbox setup helper exited with code 3; ${report} is not JSON (`), err.message);
});

test('a 100 MB setup_error.json is refused at the 64 KiB bound, not read into memory', async (t) => {
  const d = scratch(t);
  const report = setupErrorFile(d.home);
  mkdirSync(path.dirname(report), { recursive: true });
  // The helper leaves 100 MB (sparse: no disk used) where its report goes, and fails.
  const helper = helperScript(d.root, `truncate -s 100M '${report}'\nexit 1`);
  const before = process.memoryUsage().arrayBuffers;
  const err = await refreshes.run({ helper, codexHome: d.home, payloadBase64: 'YmlnMQ==', signal: new AbortController().signal }).then(() => undefined, (e: unknown) => e as Error);
  const grew = process.memoryUsage().arrayBuffers - before;
  assert.ok(err instanceof SandboxRefreshError);
  assert.equal(err.message, `codex's sandbox setup helper exited with code 1; ${report} is over 65536 bytes; its log is in ${path.dirname(report)}`);
  assert.ok(grew < 16 * 1024 * 1024, `buffers grew by ${grew} bytes`);
});

test('a helper that hangs is killed at the bound; an abort kills it at once', async (t) => {
  const d = scratch(t);
  const pidFile = path.join(d.root, 'pid');
  const helper = helperScript(d.root, `echo $$ > '${pidFile}'\nexec sleep 60`);
  await assert.rejects(refreshes.run({ helper, codexHome: d.home, payloadBase64: 'aGFuZzE=', signal: new AbortController().signal, timeoutMs: 300 }), /did not finish its refresh within 300 ms; killed it/);
  assert.throws(() => process.kill(Number(readFileSync(pidFile, 'utf8')), 0), /ESRCH/);

  rmSync(pidFile);
  const abort = new AbortController();
  const running = refreshes.run({ helper, codexHome: d.home, payloadBase64: 'aGFuZzI=', signal: abort.signal });
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await new Promise((r) => setTimeout(r, 20));
  abort.abort(new Error('session ended'));
  await assert.rejects(running, /session ended/);
  assert.throws(() => process.kill(Number(readFileSync(pidFile, 'utf8')), 0), /ESRCH/);
});

test('a refresh done for the same payload is skipped by the same owner; another payload runs, and so does another owner', async (t) => {
  const d = scratch(t);
  const count = path.join(d.root, 'runs');
  const helper = helperScript(d.root, `echo run >> '${count}'`);
  const signal = new AbortController().signal;
  assert.equal(await refreshes.run({ helper, codexHome: d.home, payloadBase64: 'b2s=', signal }), 'ran');
  assert.equal(await refreshes.run({ helper, codexHome: d.home, payloadBase64: 'b2s=', signal }), 'skipped');
  assert.equal(await refreshes.run({ helper, codexHome: d.home, payloadBase64: 'b2sy', signal }), 'ran');
  assert.equal(readFileSync(count, 'utf8'), 'run\nrun\n');
  assert.equal(await new SandboxRefreshes().run({ helper, codexHome: d.home, payloadBase64: 'b2s=', signal }), 'ran', 'another owner knows nothing of the first one\'s runs');
  assert.equal(readFileSync(count, 'utf8'), 'run\nrun\nrun\n');
});

test("sessions sharing a refresh: one leaving does not kill the run for the others, nor give them its reason; the last leaving kills it", async (t) => {
  const d = scratch(t);
  const pidFile = path.join(d.root, 'pid');
  const helper = helperScript(d.root, `echo $$ > '${pidFile}'\nsleep 1\nexit 0`);
  const first = new AbortController();
  const second = new AbortController();
  const a = refreshes.run({ helper, codexHome: d.home, payloadBase64: 'c2hhcmVk', signal: first.signal });
  const b = refreshes.run({ helper, codexHome: d.home, payloadBase64: 'c2hhcmVk', signal: second.signal });
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await new Promise((r) => setTimeout(r, 20));
  first.abort(new Error('first session disposed'));
  await assert.rejects(a, /first session disposed/);
  assert.equal(await b, 'ran', 'the second session still gets its refresh');

  rmSync(pidFile);
  const slow = helperScript(d.root, `echo $$ > '${pidFile}'\nexec sleep 60`);
  const third = new AbortController();
  const fourth = new AbortController();
  const c = refreshes.run({ helper: slow, codexHome: d.home, payloadBase64: 'c2hhcmVkMg==', signal: third.signal });
  const e = refreshes.run({ helper: slow, codexHome: d.home, payloadBase64: 'c2hhcmVkMg==', signal: fourth.signal });
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await new Promise((r) => setTimeout(r, 20));
  third.abort(new Error('third gone'));
  fourth.abort(new Error('fourth gone'));
  await assert.rejects(c, /third gone/);
  await assert.rejects(e, /fourth gone/);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  for (let i = 0; i < 50; i++) {
    try { process.kill(pid, 0); } catch { break; }
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
});
