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
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OFFLINE_USERNAME, ONLINE_USERNAME, refreshPayload } from '../../../src/main/codex/sandbox-prep/refresh-payload';
import { sidForUser } from '../../../src/os/win32/sid';
import { SessionManager } from '../../../src/main/session/session-manager';
import type { Session, SessionResult } from '../../../src/main/session/session';
import { codexReleaseOfShape } from '../../helpers/codex-releases';
import { deleteLocalUser } from './local-users';
import { requireAccounts, windowsWithAccounts } from './windows-only';

/** The workflow's Windows job sets it (test/ci/workflow.test.ts checks that). */
const OPT_IN = 'CODEX_REAL_SETUP_TESTS';
const SANDBOX_GROUP = 'CodexSandboxUsers';
/** The rules codex's helper adds for the offline user (setup_main/firewall.rs): removed afterwards. */
const FIREWALL_RULES = ['codex_sandbox_offline_block_outbound', 'codex_sandbox_offline_block_loopback_tcp', 'codex_sandbox_offline_block_loopback_udp', 'codex_sandbox_offline_allow_loopback_proxy'];

const system32 = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32');

function accountExists(name: string): boolean {
  try {
    sidForUser(name);
    return true;
  } catch {
    return false;
  }
}

/** Why this cannot run here, or false. */
function skipReason(): string | false {
  const off = windowsWithAccounts("codex's real setup helper and sandbox users", 'has no CodexSandboxUsers group for the helper, a stub CreateProcessWithLogonW, and enforces no ACL');
  if (off) return off;
  if (process.env[OPT_IN] !== '1') return `opt-in: creates codex's machine-wide sandbox accounts and firewall rules; set ${OPT_IN}=1 (the Windows CI job does)`;
  return false;
}
const skip = skipReason();

/** A program's exit code and output, without blocking the event loop. */
function run(exe: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { windowsHide: true, env: env ?? process.env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

let root = '';
let home = '';
let work = '';
let outside = '';
let manager: SessionManager | undefined;
let provisioned = false;

before(async () => {
  if (skip) return;
  requireAccounts();
  const existing = [OFFLINE_USERNAME, ONLINE_USERNAME, SANDBOX_GROUP].filter(accountExists);
  // Never replace (and then delete) a real codex installation's accounts.
  if (existing.length) throw new Error(`this machine already has codex's sandbox accounts (${existing.join(', ')}); this test would replace and delete them, so it refuses to run here`);
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
  const problems: string[] = [];
  for (const name of [OFFLINE_USERNAME, ONLINE_USERNAME]) {
    if (!accountExists(name)) continue;
    problems.push(await deleteLocalUser({ name, password: '', sid: sidForUser(name) }));
  }
  if (accountExists(SANDBOX_GROUP)) {
    const group = await run(path.join(system32, 'net.exe'), ['localgroup', SANDBOX_GROUP, '/delete']);
    if (group.code !== 0) problems.push(`net localgroup ${SANDBOX_GROUP} /delete: ${group.output.trim()}`);
  }
  for (const rule of FIREWALL_RULES) {
    // "No rules match" is fine: not every release adds every rule.
    const removed = await run(path.join(system32, 'netsh.exe'), ['advfirewall', 'firewall', 'delete', 'rule', `name=${rule}`]);
    if (removed.code !== 0 && !/No rules match/i.test(removed.output)) problems.push(`netsh delete rule ${rule}: ${removed.output.trim()}`);
  }
  try {
    rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  } catch (err) {
    problems.push(`home ${root}: ${(err as Error).message}`);
  }
  const left = problems.filter(Boolean);
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
