// The doctor's Windows steps, for real under Wine (or on Windows): a codex home with runner files
// and real DPAPI-protected sandbox passwords, the desktop check, a session through this package's
// runner, and one through each codex runner file launched as the sandbox user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { doctorChecks } from '../../src/cli/doctor-checks';
import { protectData } from '../../src/platform/win32/dpapi';
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
      // The fixture's users exist only in its files: the pipes cannot be made for an account the
      // machine does not know, and the doctor says so and what to do.
      // The private desktop, made for that account before any pipe, is the first step to say so.
      assert.equal(viaCodex.ok, false);
      assert.match(viaCodex.detail, /^failed during preparing_sandbox: private desktop: LookupAccountNameW\(CodexSandboxOffline\) failed: error 1332/);
      assert.match(viaCodex.fix ?? '', /^private desktop: that account does not exist on this machine: run codex once with the Windows sandbox enabled/);
    }
    // What codex's parent prepares, step by step: the cap_sid file, the setup helper (absent here).
    assert.match(step('capability SIDs').detail, /cap_sid (does not exist yet|: readonly S-1-5-21-)/);
    const helper = step('setup helper for codex-command-runner-0.158.0.exe');
    assert.equal(helper.ok, false);
    assert.match(helper.detail, /^no codex-windows-sandbox-setup\.exe \(looked for .*\); the session below runs without a refresh$/);
    assert.match(helper.fix ?? '', /in its install's codex-resources folder: name the install with codexInstall \(--codex-install PATH\)/);
    // codex's install and the readiness, each with what it looked at.
    const install = step('codex install');
    assert.match(install.detail, /^(not found; looked in: .*codex\.cmd|\w+ )/);
    const readiness = step('sandbox readiness');
    if (runningUnderWine()) {
      // No codex on Wine's PATH, and the fixture's accounts do not exist there.
      assert.equal(install.ok, false);
      assert.equal(readiness.ok, false);
      assert.match(readiness.detail, /^update_required; account_missing: codex's sandbox account CodexSandboxOffline does not exist.*; account_missing: .*CodexSandboxOnline.*; helper_missing: /);
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
    home.writeMarker(marker());
    home.writeUsers(users(await blob('offline-pw'), await blob('online-pw')));
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
