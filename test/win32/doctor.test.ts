// The doctor's Windows steps, for real under Wine (or on Windows): a codex home with runner files
// and real DPAPI-protected sandbox passwords, the desktop check, a session through this package's
// runner, and one through each codex runner file launched as the sandbox user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { doctorChecks } from '../../src/cli/doctor-checks';
import { currentTokenUser } from '../../src/os/win32/current-user';
import { protectData } from '../../src/os/win32/dpapi';
import { codexHomeScratch, marker, users } from '../helpers/codex-home-fixture';
import { codexRelease } from '../helpers/codex-releases';
import { runningUnderWine, skipUnlessWindows as skip } from './win32-test-support';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'codex-runner-ipc.js');

function doctorBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'doctor', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const blob = async (text: string) => (await protectData(Buffer.from(text, 'utf8'), 'user')).toString('base64');

test('doctor on Windows: runner files, both sandbox users decrypt, the desktop, and real sessions', { skip, timeout: 120_000 }, async () => {
  const scratch = codexHomeScratch('codex-doctor-win');
  try {
    const home = scratch.make();
    home.writeMarker(marker());
    home.writeUsers(users(await blob('offline-pw'), await blob('online-pw')));
    mkdirSync(path.join(home.home, '.sandbox-bin'), { recursive: true });
    // Stands in for codex's runner: any program at that name is launched the same way.
    copyFileSync(process.execPath, path.join(home.home, '.sandbox-bin', 'codex-command-runner-0.158.0.exe'));
    const report = await doctorChecks({ codexHome: home.home, timeoutMs: 20_000 });
    const step = (name: string) => report.steps.find((s) => s.name === name)!;
    assert.equal(step('codex home').ok, true);
    assert.deepEqual(step('runner files'), { name: 'runner files', ok: true, detail: 'codex-command-runner-0.158.0.exe (0.158.0)' });
    assert.match(step('sandbox user (offline)').detail, /^CodexSandboxOffline: password in .*sandbox_users\.json decrypts \(setup version 5\)$/);
    assert.equal(step('sandbox user (online)').ok, true);
    const desktop = step('interactive desktop');
    assert.match(desktop.detail, /^session \d+, window station \S+/);
    assert.equal(step("session via this package's runner").ok, true, step("session via this package's runner").detail);
    const viaCodex = step('session via codex runner codex-command-runner-0.158.0.exe');
    if (runningUnderWine()) {
      // The fixture's users exist only in its files: the sandbox is not ready (codex would set it up
      // again), so the session fails typed before anything is made, and the doctor says what to do.
      assert.equal(viaCodex.ok, false);
      assert.match(viaCodex.detail, /^failed during preparing: codex's Windows sandbox in .* is update required: account_missing: codex's sandbox account CodexSandboxOffline does not exist on this machine/);
      assert.match(viaCodex.fix ?? '', /sandbox setup/);
    }
    // What codex's parent prepares, step by step: the cap_sid file, the setup helper (absent here).
    assert.match(step('capability SIDs').detail, /cap_sid (does not exist yet|: readonly S-1-5-21-)/);
    const helper = step('setup helper for codex-command-runner-0.158.0.exe');
    assert.equal(helper.ok, false);
    assert.match(helper.detail, /^no codex-windows-sandbox-setup\.exe \(\d+ places? looked, listed below\); the session below runs without a refresh$/);
    assert.ok(helper.looked?.some((p) => /\.sandbox-bin\\codex-windows-sandbox-setup\.exe$/.test(p)), `the refresh's places are the step's data: ${helper.looked}`);
    assert.match(helper.fix ?? '', /in its install's codex-resources folder: name the install with codexInstall \(--codex-install PATH\)/);
    // codex's install and the readiness, each with what it looked at.
    const install = step('codex install');
    assert.match(install.detail, /^(not found \(\d+ places? looked, listed below\)|\w+ )/);
    assert.ok(install.looked?.some((p) => /codex\.cmd$/.test(p)), 'the places looked are data on the step');
    // What sandbox setup would elevate: never PATH or .sandbox-bin.
    const elevated = step('setup helper for sandbox setup (elevated)');
    assert.ok(!(elevated.looked ?? []).some((p) => /\.sandbox-bin/.test(p)), String(elevated.looked));
    const readiness = step('sandbox readiness');
    if (runningUnderWine()) {
      // No codex on Wine's PATH, and the fixture's accounts do not exist there.
      assert.equal(install.ok, false);
      assert.equal(readiness.ok, false);
      assert.match(readiness.detail, /^update_required; account_missing: codex's sandbox account CodexSandboxOffline does not exist.*; account_missing: .*CodexSandboxOnline.*; helper_missing: codex's sandbox setup helper codex-windows-sandbox-setup\.exe was not found in codex's install \(none was found: .*\), \.sandbox-bin or PATH \(\d+ places looked; `codex-runner-ipc doctor` lists them\)/);
      assert.ok((readiness.looked?.length ?? 0) > 0, 'the readiness step lists the places its reasons looked at');
    }
    assert.equal(report.sessionWorked, true);

    // A broken setup is named with its file and the fix.
    const broken = scratch.make();
    broken.writeMarker(marker());
    broken.writeUsers(users('bm90IGEgYmxvYg==', await blob('x')));
    const bad = await doctorChecks({ codexHome: broken.home, timeoutMs: 20_000 });
    const offline = bad.steps.find((s) => s.name === 'sandbox user (offline)')!;
    assert.equal(offline.ok, false);
    assert.match(offline.detail, /cannot decrypt the password of CodexSandboxOffline in .*sandbox_users\.json/);
    assert.match(offline.fix ?? '', /sandbox_users\.json: run codex once with the Windows sandbox enabled/);
  } finally {
    scratch.dispose();
  }
});

test('doctor --setup-helper: that helper is the one found, and the codex runner session runs its refresh', { skip, timeout: 120_000 }, async () => {
  const scratch = codexHomeScratch('codex-doctor-helper');
  try {
    const home = scratch.make();
    // A ready home: its accounts must exist, so it names this process's own (as the oracle's homes do under Wine).
    const me = (await currentTokenUser()).name;
    home.writeMarker(marker(5, { offline_username: me, online_username: me }));
    const pw = await blob('pw');
    home.writeUsers({ version: 5, offline: { username: me, password: pw }, online: { username: me, password: pw } });
    mkdirSync(path.join(home.home, '.sandbox-bin'), { recursive: true });
    copyFileSync(process.execPath, path.join(home.home, '.sandbox-bin', 'codex-command-runner-0.171.0.exe'));
    const helper = codexRelease('0.171.0').setupHelper; // codex's real one, not beside the runner
    const { code, stdout, stderr } = await doctorBin(['--codex-home', home.home, '--setup-helper', helper, '--json']);
    assert.equal(stderr, '');
    assert.equal(code, 0, stdout);
    const report = JSON.parse(stdout) as { steps: { name: string; ok: boolean | null; detail: string; fix?: string }[] };
    const step = (name: string) => report.steps.find((s) => s.name === name)!;
    assert.deepEqual(step('setup helper for codex-command-runner-0.171.0.exe'), {
      name: 'setup helper for codex-command-runner-0.171.0.exe',
      ok: true,
      detail: `${helper}: sessions run its refresh before each new set of roots`,
      looked: [helper],
    });
    if (runningUnderWine()) {
      // Wine has no CodexSandboxUsers group: codex's real helper fails its refresh, and says so.
      const viaCodex = step('session via codex runner codex-command-runner-0.171.0.exe');
      assert.equal(viaCodex.ok, false);
      assert.match(viaCodex.detail, /^failed during preparing_sandbox: sandbox refresh: codex's sandbox setup helper exited with code \d+: helper_sid_resolve_failed: /);
    }
  } finally {
    scratch.dispose();
  }
});
