// A session's gate on codex's sandbox users (session/sandbox-gate.ts), with real codex-home files:
// readiness before anything launches, the typed error, setup only when opted in, and what follows
// a logon error upstream answers with a new setup (the users file deleted first). The setup itself
// runs for real through runSandboxSetup with a shell script at the helper's name; only the
// Windows-only platform (token user, elevation) is stood in for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SETUP_HELPER_FILE } from '../../src/main/codex/sandbox-prep/sandbox-refresh';
import { SandboxNotReadyError } from '../../src/main/codex/sandbox-setup/sandbox-not-ready-error';
import { runSandboxSetup, type SandboxSetupOptions, type SetupPlatform } from '../../src/main/codex/sandbox-setup/setup-sandbox';
import { sandboxGate, type GateOptions } from '../../src/main/session/sandbox-gate';
import type { SetupStage } from '../../src/main/session/session-status';
import { codexHomeScratch, marker, users } from '../helpers/codex-home-fixture';

const elevated: SetupPlatform = { realUser: async () => 'HOST\\alice', isElevated: () => true, startElevated: () => Promise.reject(new Error('unused')) };
const blob = (s: string) => Buffer.from(s).toString('base64');

function fixture(t: { after(fn: () => void): void }) {
  const scratch = codexHomeScratch('sandbox-gate');
  t.after(() => scratch.dispose());
  const home = scratch.make();
  const bin = path.join(home.home, '..', `bin-${path.basename(home.home)}`);
  mkdirSync(bin, { recursive: true });
  const helper = (body: string) => {
    const file = path.join(bin, SETUP_HELPER_FILE);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const ready = () => {
    home.writeMarker(marker());
    home.writeUsers(users(blob('a'), blob('b')));
  };
  const writesReady = `mkdir -p "${home.home}/.sandbox" "${home.home}/.sandbox-secrets"
printf '%s' '${JSON.stringify(marker())}' > "${home.markerFile}"
printf '%s' '${JSON.stringify(users(blob('c'), blob('d')))}' > "${home.usersFile}"
echo ran >> "${bin}/runs.txt"`;
  const stages: SetupStage[] = [];
  const gate = (extra: Partial<GateOptions> = {}) =>
    sandboxGate({
      codexHome: home.home,
      networkRestricted: true,
      stage: (s) => stages.push(s),
      signal: new AbortController().signal,
      runSetup: (o: SandboxSetupOptions) => runSandboxSetup(o, elevated),
      ...extra,
    });
  return { home, bin, helper, ready, writesReady, stages, gate };
}

test('a ready home passes; a fresh one fails with SandboxNotReadyError naming setup, and nothing runs', async (t) => {
  const f = fixture(t);
  const helper = f.helper(f.writesReady);
  await assert.rejects(f.gate({ setupHelper: helper }).requireReady(), (err: unknown) => {
    assert.ok(err instanceof SandboxNotReadyError);
    assert.equal(err.code, 'sandbox_not_ready');
    assert.equal(err.stage, 'preparing');
    assert.equal(err.readiness.state, 'not_configured');
    assert.match(err.message, /is not configured: marker_missing: .*setupSandbox\(\{ codexHome \}\).*sandbox setup.*autoSetupSandbox/);
    return true;
  });
  assert.equal(existsSync(path.join(f.bin, 'runs.txt')), false, 'no setup without opting in');
  assert.deepEqual(f.stages, []);
  f.ready();
  await f.gate({ setupHelper: helper }).requireReady();
  await f.gate().requireReady(); // the helper alone missing is the refresh's to report, not a setup to run
});

test('opted in: setup runs first (stage setting_up_sandbox), then the session goes on; a failed setup is the typed error carrying it', async (t) => {
  const f = fixture(t);
  await f.gate({ autoSetupSandbox: true, setupHelper: f.helper(f.writesReady) }).requireReady();
  assert.deepEqual(f.stages, ['setting_up_sandbox', 'preparing']);
  assert.ok(existsSync(f.home.usersFile));

  const g = fixture(t);
  const failing = g.helper(`printf '%s' '{"code":"helper_users_group_create_failed","message":"no group: 1332"}' > "${g.home.home}/.sandbox/setup_error.json"; exit 1`);
  await assert.rejects(g.gate({ autoSetupSandbox: true, setupHelper: failing }).requireReady(), (err: unknown) => {
    assert.ok(err instanceof SandboxNotReadyError);
    assert.equal(err.stage, 'setting_up_sandbox');
    assert.deepEqual([err.setup?.outcome, err.setup?.code], ['failed', 'helper_users_group_create_failed']);
    assert.match(err.message, /setup failed \(helper_users_group_create_failed: no group: 1332\)/);
    return true;
  });
});

test('after a logon error (1326): the users file is deleted as upstream does, readiness says update_required, and the session fails typed', async (t) => {
  const f = fixture(t);
  f.ready();
  await assert.rejects(f.gate({ setupHelper: f.helper(f.writesReady) }).afterLogonFailure(1326, 'spawn_sent'), (err: unknown) => {
    assert.ok(err instanceof SandboxNotReadyError);
    assert.equal(err.stage, 'spawn_sent');
    assert.equal(err.logonError, 1326);
    assert.equal(err.readiness.state, 'update_required');
    assert.deepEqual(err.readiness.reasons.map((r) => r.code), ['users_missing', 'logon_failed']);
    return true;
  });
  assert.equal(existsSync(f.home.usersFile), false);
  assert.equal(existsSync(path.join(f.bin, 'runs.txt')), false);
  await assert.rejects(f.gate().requireReady(), (err: unknown) => err instanceof SandboxNotReadyError && err.readiness.state === 'update_required', 'later sessions see it too');
});

test('after a logon error, opted in: setup runs (new users file) and the caller may launch once more', async (t) => {
  const f = fixture(t);
  f.ready();
  await f.gate({ autoSetupSandbox: true, setupHelper: f.helper(f.writesReady) }).afterLogonFailure(1331, 'launching_runner');
  assert.deepEqual(f.stages, ['setting_up_sandbox']);
  assert.match((await import('node:fs')).readFileSync(f.home.usersFile, 'utf8'), new RegExp(blob('c')));
});

test('through a Session: runner codex on a fresh home fails with SandboxNotReadyError at preparing, nothing launched; opted in off Windows, it says setup is Windows-only', async (t) => {
  const { Session } = await import('../../src/main/session/session');
  const f = fixture(t);
  const session = new Session({ command: ['cmd.exe', '/d', '/c', 'echo hi'], runner: 'codex', codexHome: f.home.home, cwd: f.bin, setupHelper: f.helper(f.writesReady) });
  await session.start();
  const result = await session.exited;
  assert.ok(result.error instanceof SandboxNotReadyError, `${result.error?.name}: ${result.error?.message}`);
  assert.equal(result.error.stage, 'preparing');
  assert.equal(result.error.readiness.state, 'not_configured');
  assert.deepEqual(session.status().stages.map((s) => s.stage), ['preparing', 'failed']);
  assert.deepEqual(session.status().failure, { stage: 'preparing', message: result.error.message });
  assert.equal(existsSync(path.join(f.bin, 'runs.txt')), false);

  if (process.platform !== 'win32') {
    const opted = new Session({ command: ['cmd.exe'], runner: 'codex', codexHome: f.home.home, cwd: f.bin, autoSetupSandbox: true, setupHelper: f.helper(f.writesReady) });
    await opted.start();
    const after = await opted.exited;
    assert.equal(after.state, 'failed');
    assert.match(after.error!.message, /codex's sandbox setup exists only on Windows/);
    assert.deepEqual(opted.status().stages.map((s) => s.stage), ['preparing', 'setting_up_sandbox', 'failed']);
  }
});

test('sandbox: current needs no sandbox users: no readiness gate', async (t) => {
  const { Session } = await import('../../src/main/session/session');
  const f = fixture(t);
  const session = new Session({ command: ['x'], runner: 'codex', codexHome: f.home.home, cwd: f.bin, sandbox: 'current' });
  await session.start();
  const result = await session.exited;
  assert.ok(!(result.error instanceof SandboxNotReadyError), result.error?.message);
});

test('autoSetupSandbox must be a boolean', async () => {
  const { Session } = await import('../../src/main/session/session');
  assert.throws(() => new Session({ command: ['x'], autoSetupSandbox: 'yes' as never }), /session option "autoSetupSandbox" must be a boolean/);
});

test("a fresh home with no install and many PATH folders: the error counts the places once, lists none, and keeps them on the reason; opted in, the setup's own failure does not repeat them", async (t) => {
  const f = fixture(t);
  const dirs = Array.from({ length: 20 }, (_, i) => path.join(f.bin, `path-${i}`));
  const saved = process.env.PATH;
  process.env.PATH = dirs.join(path.delimiter);
  t.after(() => (process.env.PATH = saved));
  const check = (err: unknown, setUp: boolean): true => {
    assert.ok(err instanceof SandboxNotReadyError);
    for (const d of dirs) assert.equal(err.message.includes(d), false, `no PATH folder in the message: ${err.message}`);
    assert.equal(err.message.match(/places? looked/g)?.length, 1, err.message);
    if (setUp) assert.match(err.message, /setup failed \(orchestrator_helper_launch_failed: failed to launch setup helper: no codex install was found to take codex-windows-sandbox-setup\.exe from \(a helper on PATH or in \.sandbox-bin is not run elevated\)\)/);
    const reason = err.readiness.reasons.find((r) => r.code === 'helper_missing');
    assert.ok(dirs.every((d) => reason?.looked?.includes(path.join(d, SETUP_HELPER_FILE))), 'every PATH folder is on the reason as data');
    return true;
  };
  await assert.rejects(f.gate().requireReady(), (err) => check(err, false));
  await assert.rejects(f.gate({ autoSetupSandbox: true }).requireReady(), (err) => {
    check(err, true);
    assert.equal((err as SandboxNotReadyError).setup?.code, 'orchestrator_helper_launch_failed');
    assert.deepEqual((err as SandboxNotReadyError).setup?.looked, [], 'setup looked nowhere but the install, and there is none');
    return true;
  });
});
