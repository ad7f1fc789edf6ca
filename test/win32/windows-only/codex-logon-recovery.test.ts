// §4 on real Windows: a logon codex's setup would answer with a new setup. The home is set up with
// setupSandbox (codex's helper from the install, run directly: the job is elevated); then the offline
// user's stored password is replaced by a wrong one (a DPAPI blob this user can decrypt), so
// CreateProcessWithLogonW fails with 1326. Without opting in, the session fails with
// SandboxNotReadyError (logonError 1326), the users file is deleted as upstream does and readiness
// says update_required; the command never ran. Opted in (autoSetupSandbox), setup runs again, the
// launch is tried once more and the command runs exactly once. Clean-up as codex-first-run.
//
// It creates machine-wide accounts, so it runs only when CODEX_REAL_SETUP_TESTS=1 (the Windows CI
// job sets it), elevated, and on a machine that has no codex sandbox accounts of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxUsersPath } from '../../../src/main/codex/home/codex-home-paths';
import { sandboxReadiness } from '../../../src/main/codex/home/readiness';
import { protectData } from '../../../src/os/win32/dpapi';
import { SandboxNotReadyError } from '../../../src/main/codex/sandbox-setup/sandbox-not-ready-error';
import { setupSandbox } from '../../../src/main/codex/sandbox-setup/setup-sandbox';
import { SessionManager } from '../../../src/main/session/session-manager';
import type { SessionResult } from '../../../src/main/session/session';
import { putCodexOnPath } from '../codex-oracle/codex-exe';
import { requireAccounts } from './windows-only';
import { realSetupSkipReason, refuseExistingSandboxAccounts, removeCodexSandbox } from './codex-machine';

const OPT_IN = 'CODEX_REAL_SETUP_TESTS';
const skip = realSetupSkipReason(OPT_IN, "a refused logon as codex's sandbox user, and setup run again", 'has a stub CreateProcessWithLogonW (no 1326) and no local groups for the helper');

let root = '';
let home = '';
let work = '';
let manager: SessionManager | undefined;
let touchedMachine = false;

before(async () => {
  if (skip) return;
  requireAccounts();
  refuseExistingSandboxAccounts();
  putCodexOnPath();
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'codex-logon-recovery-')));
  home = path.join(root, 'home');
  work = path.join(root, 'work');
  for (const dir of [home, work]) mkdirSync(dir, { recursive: true });
  manager = new SessionManager({ defaults: { timeouts: { connectMs: 60_000, spawnReadyMs: 60_000 } } });
  touchedMachine = true;
  const setup = await setupSandbox({ codexHome: home });
  assert.equal(setup.outcome, 'succeeded', `${setup.code}: ${setup.message}`);
});

after(async () => {
  await manager?.dispose();
  if (!touchedMachine) {
    if (root) rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
    return;
  }
  const left = await removeCodexSandbox(root);
  assert.deepEqual(left, [], `clean-up left something behind: ${left.join('; ')}`);
});

/** The offline user's stored password replaced by a wrong one: the next logon gets 1326. */
async function storeWrongPassword(): Promise<void> {
  const file = sandboxUsersPath(home);
  const users = JSON.parse(readFileSync(file, 'utf8')) as { offline: { password: string } };
  users.offline.password = (await protectData(Buffer.from('Not-The-Password-1!', 'utf8'), 'user')).toString('base64');
  writeFileSync(file, JSON.stringify(users));
}

async function appendOnce(autoSetupSandbox: boolean): Promise<{ result: SessionResult; stages: string[] }> {
  const session = manager!.start({ command: ['cmd.exe', '/d', '/c', 'echo ran>> ran.txt'], cwd: work, runner: { kind: 'codex', codexHome: home, autoSetupSandbox }, permissions: 'workspace-write' });
  const result = await session.exited;
  return { result, stages: session.status().stages.map((s) => s.stage) };
}

test('a refused logon (1326): the users file is deleted as codex does, readiness is update_required, the session fails typed, and nothing ran', { skip, timeout: 300_000 }, async () => {
  await storeWrongPassword();
  const { result } = await appendOnce(false);
  assert.ok(result.error instanceof SandboxNotReadyError, String(result.error));
  assert.equal(result.error.logonError, 1326);
  assert.equal(result.error.stage, 'launching_runner');
  assert.equal(existsSync(sandboxUsersPath(home)), false);
  const readiness = await sandboxReadiness({ codexHome: home });
  assert.equal(readiness.state, 'update_required');
  assert.ok(readiness.reasons.some((r) => r.code === 'users_missing'), JSON.stringify(readiness));
  assert.equal(existsSync(path.join(work, 'ran.txt')), false);
});

test('opted in: after the refused logon setup runs again (directly: elevated), the launch is retried once and the command runs exactly once', { skip, timeout: 600_000 }, async () => {
  const again = await setupSandbox({ codexHome: home });
  assert.equal(again.outcome, 'succeeded', `${again.code}: ${again.message}`);
  await storeWrongPassword();
  const { result, stages } = await appendOnce(true);
  assert.deepEqual([result.state, result.exitCode], ['exited', 0], result.error?.message);
  assert.ok(stages.indexOf('setting_up_sandbox') > stages.indexOf('launching_runner'), stages.join(' > '));
  assert.equal(readFileSync(path.join(work, 'ran.txt'), 'utf8').trim(), 'ran');
  assert.equal((await sandboxReadiness({ codexHome: home })).state, 'ready');
});
