// What the Windows-only tests that set codex's sandbox up for real share: the opt-in check, what
// codex's setup helper adds to the machine (two local accounts, a group, firewall rules), the
// refusal to touch a machine that already has them, and their removal afterwards.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { OFFLINE_USERNAME, ONLINE_USERNAME } from '../../../src/main/codex/sandbox-prep/refresh-payload';
import { sidForUser } from '../../../src/os/win32/sid';
import { deleteLocalUser } from './local-users';
import { windowsWithAccounts } from './windows-only';

export const SANDBOX_GROUP = 'CodexSandboxUsers';
/** The rules codex's helper adds for the offline user (setup_main/firewall.rs): removed afterwards. */
const FIREWALL_RULES = ['codex_sandbox_offline_block_outbound', 'codex_sandbox_offline_block_loopback_tcp', 'codex_sandbox_offline_block_loopback_udp', 'codex_sandbox_offline_allow_loopback_proxy'];
export const system32 = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32');

export function accountExists(name: string): boolean {
  try {
    sidForUser(name);
    return true;
  } catch {
    return false;
  }
}

/** Why a real-setup test cannot run here, or false: not Windows with accounts, or `optIn` not set to 1. */
export function realSetupSkipReason(optIn: string, what: string, wineLacks: string): string | false {
  const off = windowsWithAccounts(what, wineLacks);
  if (off) return off;
  if (process.env[optIn] !== '1') return `opt-in: creates codex's machine-wide sandbox accounts and firewall rules; set ${optIn}=1 (the Windows CI job does)`;
  return false;
}

/** Never replace (and then delete) a real codex installation's accounts. */
export function refuseExistingSandboxAccounts(): void {
  const existing = [OFFLINE_USERNAME, ONLINE_USERNAME, SANDBOX_GROUP].filter(accountExists);
  if (existing.length) throw new Error(`this machine already has codex's sandbox accounts (${existing.join(', ')}); this test would replace and delete them, so it refuses to run here`);
}

/** A program's exit code and output, without blocking the event loop. */
export function run(exe: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { windowsHide: true, ...(env ? { env } : {}) });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Removes what setup added to the machine, and `root`; returns what could not be removed. */
export async function removeCodexSandbox(root: string): Promise<string[]> {
  const problems: string[] = [];
  for (const name of [OFFLINE_USERNAME, ONLINE_USERNAME]) {
    if (accountExists(name)) problems.push(await deleteLocalUser({ name, password: '', sid: sidForUser(name) }));
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
  return problems.filter(Boolean);
}
