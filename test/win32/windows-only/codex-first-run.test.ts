// §6 on real Windows, with the module's own calls and DEFAULT options only: codex installed as npm lays
// it out (scripts/wine/codex-install.sh) with its prefix on PATH, a fresh codex home; readiness says
// not_configured; setupSandbox runs codex's own helper from the install (the job runs as an
// administrator, so directly, with no UAC); readiness then says ready; a session with nothing but
// `runner: 'codex'`, `codexHome` and a profile writes inside its workspace, is denied outside it and
// under read-only; a disabled sandbox account makes readiness update_required and the session fail with
// the typed error. Accounts, group, firewall rules and the home are removed however it ends.
//
// It creates machine-wide accounts, so it runs only when CODEX_REAL_SETUP_TESTS=1 (the Windows CI
// job sets it), elevated, and on a machine that has no codex sandbox accounts of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxReadiness } from '../../../src/main/codex/home/readiness';
import { OFFLINE_USERNAME } from '../../../src/main/codex/sandbox-prep/refresh-payload';
import { SandboxNotReadyError } from '../../../src/main/codex/sandbox-setup/sandbox-not-ready-error';
import { setupSandbox } from '../../../src/main/codex/sandbox-setup/setup-sandbox';
import { SessionManager } from '../../../src/main/session/session-manager';
import type { Session, SessionResult } from '../../../src/main/session/session';
import { putCodexOnPath } from '../codex-oracle/codex-exe';
import { requireAccounts } from './windows-only';
import { realSetupSkipReason, refuseExistingSandboxAccounts, removeCodexSandbox, run, system32 } from './codex-machine';

const OPT_IN = 'CODEX_REAL_SETUP_TESTS';
const skip = realSetupSkipReason(OPT_IN, "codex's real install, setup and sandbox users with default options", 'has no local groups for the helper, a stub CreateProcessWithLogonW, and enforces no ACL (test/win32/codex-oracle/ shows what Wine can)');

let root = '';
let home = '';
let work = '';
let outside = '';
let manager: SessionManager | undefined;
let touchedMachine = false;

before(() => {
  if (skip) return;
  requireAccounts();
  refuseExistingSandboxAccounts();
  putCodexOnPath();
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'codex-first-run-')));
  home = path.join(root, 'home');
  work = path.join(root, 'work');
  outside = path.join(root, 'outside');
  for (const dir of [home, work, outside]) mkdirSync(dir, { recursive: true });
  manager = new SessionManager({ defaults: { timeouts: { connectMs: 60_000, spawnReadyMs: 60_000 } } });
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

/** The README's Windows example: the defaults, the codex home, a profile. */
async function defaultSession(command: string, permissions: 'workspace-write' | 'read-only'): Promise<{ result: SessionResult; output: string; session: Session }> {
  const session = manager!.start({ command: ['cmd.exe', '/d', '/c', command], cwd: work, runner: { kind: 'codex', codexHome: home }, permissions });
  let output = '';
  session.stdout.on('data', (d: Buffer) => (output += d));
  session.stderr.on('data', (d: Buffer) => (output += d));
  return { result: await session.exited, output, session };
}

test('a fresh home is not_configured; setupSandbox runs codex\'s helper from the install and the home is then ready', { skip, timeout: 600_000 }, async () => {
  const fresh = await sandboxReadiness({ codexHome: home });
  assert.equal(fresh.state, 'not_configured');
  assert.ok(fresh.reasons.some((r) => r.code === 'marker_missing'), JSON.stringify(fresh));
  touchedMachine = true; // from here on, clean-up has machine-wide state to look for
  const setup = await setupSandbox({ codexHome: home });
  assert.equal(setup.outcome, 'succeeded', `${setup.code}: ${setup.message}`);
  assert.deepEqual([setup.readiness.state, setup.readiness.reasons], ['ready', []]);
  const after = await sandboxReadiness({ codexHome: home });
  assert.deepEqual([after.state, after.reasons], ['ready', []]);
});

test('default options, workspace-write: a write inside the workspace succeeds as codex\'s sandbox user', { skip, timeout: 300_000 }, async () => {
  const { result, output, session } = await defaultSession('whoami&& echo inside> inside.txt', 'workspace-write');
  assert.deepEqual([result.state, result.exitCode], ['exited', 0], `${result.error?.message ?? ''} ${output}`);
  assert.match(output.toLowerCase(), new RegExp(`\\\\${OFFLINE_USERNAME.toLowerCase()}\\b`));
  assert.equal(readFileSync(path.join(work, 'inside.txt'), 'utf8').trim(), 'inside');
  assert.equal(session.status().sandboxPrep?.refresh, 'ran', "codex's helper refreshed the ACLs");
});

test('default options, workspace-write: a write outside the workspace is denied', { skip, timeout: 300_000 }, async () => {
  const target = path.join(outside, 'escaped.txt');
  const { result, output } = await defaultSession(`echo out> "${target}"`, 'workspace-write');
  assert.equal(result.state, 'exited', result.error?.message);
  assert.notEqual(result.exitCode, 0);
  assert.match(output, /Access is denied/i);
  assert.equal(existsSync(target), false);
});

test('default options, read-only: a write even inside the workspace is denied', { skip, timeout: 300_000 }, async () => {
  const target = path.join(work, 'read-only.txt');
  const { result, output } = await defaultSession(`echo no> "${target}"`, 'read-only');
  assert.equal(result.state, 'exited', result.error?.message);
  assert.notEqual(result.exitCode, 0);
  assert.match(output, /Access is denied/i);
  assert.equal(existsSync(target), false);
});

test('a disabled sandbox account: readiness is update_required, and the session fails with the typed error before launching', { skip, timeout: 300_000 }, async () => {
  const disabled = await run(path.join(system32, 'net.exe'), ['user', OFFLINE_USERNAME, '/active:no']);
  assert.equal(disabled.code, 0, disabled.output);
  const readiness = await sandboxReadiness({ codexHome: home });
  assert.equal(readiness.state, 'update_required');
  assert.ok(readiness.reasons.some((r) => r.code === 'account_disabled'), JSON.stringify(readiness));
  const { result } = await defaultSession('echo never', 'workspace-write');
  assert.equal(result.state, 'failed');
  assert.ok(result.error instanceof SandboxNotReadyError, String(result.error));
  assert.equal(result.error.code, 'sandbox_not_ready');
  assert.equal(result.error.readiness.state, 'update_required');
});
