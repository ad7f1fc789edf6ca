// On real Windows, with codex's real setup: the fetched release's own setup helper provisions
// codex's sandbox users (CodexSandboxOffline/Online, group CodexSandboxUsers, DPAPI credentials,
// setup marker, firewall rules) on a throwaway codex home, then sessions run through codex's own
// runner as codex's sandbox user, with every step of the module's preparation (cap_sid SIDs, the
// setup helper's refresh, the private desktop, the logon). A write inside the workspace succeeds;
// one outside it, and any under read-only, is denied. Accounts, firewall rules and the home are
// removed afterwards, whatever happened.
//
// It creates machine-wide accounts, so it runs only when CODEX_REAL_SETUP_TESTS=1 (the Windows CI
// job sets it), elevated, and on a machine that has no codex sandbox accounts of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OFFLINE_USERNAME, refreshPayload } from '../../../src/main/codex/sandbox-prep/refresh-payload';
import { SessionManager } from '../../../src/main/session/session-manager';
import type { Session, SessionResult } from '../../../src/main/session/session';
import { codexReleaseOfShape } from '../../helpers/codex-releases';
import { requireAccounts } from './windows-only';
import { realSetupSkipReason, refuseExistingSandboxAccounts, removeCodexSandbox, run } from './codex-machine';

/** The workflow's Windows job sets it (test/ci/workflow.test.ts checks that). */
const OPT_IN = 'CODEX_REAL_SETUP_TESTS';
const skip = realSetupSkipReason(OPT_IN, "codex's real setup helper and sandbox users", 'has no CodexSandboxUsers group for the helper, a stub CreateProcessWithLogonW, and enforces no ACL');

let root = '';
let home = '';
let work = '';
let outside = '';
let manager: SessionManager | undefined;
let provisioned = false;

before(async () => {
  if (skip) return;
  requireAccounts();
  refuseExistingSandboxAccounts();
  const release = codexReleaseOfShape('v6-B');
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'codex-real-setup-')));
  home = path.join(root, 'home');
  work = path.join(root, 'work');
  outside = path.join(root, 'outside');
  for (const dir of [path.join(home, '.sandbox-bin'), work, outside]) mkdirSync(dir, { recursive: true });
  copyFileSync(release.runner, path.join(home, '.sandbox-bin', `codex-command-runner-${release.release}.exe`));
  const helper = path.join(home, '.sandbox-bin', 'codex-windows-sandbox-setup.exe');
  copyFileSync(release.setupHelper, helper);

  // Provisioning is upstream's refresh payload with refresh_only false (setup.rs/setup_main): the
  // helper runs elevated, creates the users, their DPAPI credentials and the marker.
  provisioned = true; // from here on, clean-up has machine-wide state to look for
  const payload = {
    ...(await refreshPayload({ codexHome: home, cwd: work, writeRoots: [work], workspaceRoots: [work], readsRoot: true, realUser: os.userInfo().username, userProfile: os.homedir() })),
    refresh_only: false,
  };
  // The helper's one argument: standard base64 of the JSON, as for a refresh (encodePayload).
  const argument = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
  const { code, output } = await run(helper, [argument], { ...process.env, CODEX_HOME: home });
  const report = path.join(home, '.sandbox', 'setup_error.json');
  assert.equal(code, 0, `codex's setup helper failed (${code}): ${existsSync(report) ? readFileSync(report, 'utf8') : output}`);
  for (const file of [path.join(home, '.sandbox', 'setup_marker.json'), path.join(home, '.sandbox-secrets', 'sandbox_users.json')]) {
    assert.ok(existsSync(file), `the helper wrote ${file}`);
  }
  manager = new SessionManager({ defaults: { timeouts: { connectMs: 60_000, spawnReadyMs: 60_000 }, runner: { kind: 'codex', codexHome: home }, cwd: work } });
});

after(async () => {
  await manager?.dispose();
  if (!provisioned) return;
  const left = await removeCodexSandbox(root);
  assert.deepEqual(left, [], `clean-up left something behind: ${left.join('; ')}`);
});

async function finish(session: Session): Promise<{ result: SessionResult; output: string }> {
  let output = '';
  session.stdout.on('data', (d: Buffer) => (output += d));
  session.stderr.on('data', (d: Buffer) => (output += d));
  return { result: await session.exited, output };
}

test("workspace-write as codex's sandbox user: a write inside the workspace succeeds, on codex's private desktop", { skip, timeout: 300_000 }, async () => {
  const session = manager!.start({ command: ['cmd.exe', '/d', '/c', 'whoami&& echo inside> inside.txt'], permissions: 'workspace-write' });
  const { result, output } = await finish(session);
  assert.deepEqual([result.state, result.exitCode], ['exited', 0], `${result.error?.message ?? ''} ${output}`);
  // workspace-write restricts the network: upstream picks the offline user.
  assert.match(output.toLowerCase(), new RegExp(`\\\\${OFFLINE_USERNAME.toLowerCase()}\\b`));
  assert.equal(readFileSync(path.join(work, 'inside.txt'), 'utf8').trim(), 'inside');
  const status = session.status();
  assert.match(status.sandboxPrep?.desktop ?? '', /^CodexSandboxDesktop-[0-9a-f]{32}$/, 'a private desktop was made and sent (6-B refuses to run without one)');
  assert.notEqual(status.sandboxPrep?.refresh, 'off', "codex's helper refreshed the ACLs");
  assert.equal(status.policy.enforced, true);
});

test("workspace-write: a write outside the workspace is denied", { skip, timeout: 300_000 }, async () => {
  const target = path.join(outside, 'escaped.txt');
  const { result, output } = await finish(manager!.start({ command: ['cmd.exe', '/d', '/c', `echo out> "${target}"`], permissions: 'workspace-write' }));
  assert.equal(result.state, 'exited', result.error?.message);
  assert.notEqual(result.exitCode, 0);
  assert.match(output, /Access is denied/i);
  assert.equal(existsSync(target), false);
});

test('read-only: a write even inside the workspace is denied', { skip, timeout: 300_000 }, async () => {
  const target = path.join(work, 'read-only.txt');
  const { result, output } = await finish(manager!.start({ command: ['cmd.exe', '/d', '/c', `echo no> "${target}"`], permissions: 'read-only' }));
  assert.equal(result.state, 'exited', result.error?.message);
  assert.notEqual(result.exitCode, 0);
  assert.match(output, /Access is denied/i);
  assert.equal(existsSync(target), false);
});
