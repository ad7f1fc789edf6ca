// When a Windows-only test can mean something: on real Windows (not Linux, not Wine), and for the
// tests that add local users, in an elevated (administrator) process. Each skip says why.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { isProcessElevated } from '../../../src/os/win32/elevation';
import { runningUnderWine } from '../win32-test-support';

/** A skip reason off real Windows: `what` the test proves, `underWine` why Wine cannot show it. */
export function windowsOnly(what: string, underWine: string): string | false {
  if (process.platform !== 'win32') return `Windows only (${what}): this is ${process.platform}; run it on Windows (docs/testing.md: the Windows-only tests)`;
  if (runningUnderWine()) return `Windows only (${what}): meaningless under Wine, which ${underWine}`;
  return false;
}

/** BUILTIN\Administrators, enabled in this process's token (UAC-elevated, or UAC off). */
export function isElevated(): boolean {
  return isProcessElevated();
}

/** Secondary Logon's start type is 4 (disabled): CreateProcessWithLogonW then fails with 1058. */
function secondaryLogonDisabled(): boolean {
  const query = spawnSync(path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'sc.exe'), ['qc', 'seclogon'], { encoding: 'utf8', windowsHide: true });
  return /START_TYPE\s*:\s*4\b/.test(query.stdout ?? '');
}

/** What the tests that log on as throwaway users need of this machine, or '' when it has it. */
export function accountsPrecondition(): string {
  if (!isElevated()) return 'needs an elevated (administrator) process to create and delete local users; run it from an elevated PowerShell';
  if (secondaryLogonDisabled()) return 'needs the Secondary Logon service (seclogon), which CreateProcessWithLogonW uses and which is disabled here: sc.exe config seclogon start= demand';
  return '';
}

/**
 * For the tests that create local users and log on as them: windowsOnly's reason, else the unmet
 * precondition. In CI (CI=true) an unmet precondition is not a skip: the test's `before` fails with
 * it (requireAccounts), so the Windows job cannot pass without having run these.
 */
export function windowsWithAccounts(what: string, underWine: string): string | false {
  const off = windowsOnly(what, underWine);
  if (off) return off;
  const unmet = accountsPrecondition();
  if (!unmet || process.env.CI === 'true') return false;
  return `Windows only (${what}): ${unmet}`;
}

/** Throws the unmet precondition (CI), so the test fails saying what the machine lacks. */
export function requireAccounts(): void {
  const unmet = accountsPrecondition();
  if (unmet) throw new Error(`this machine cannot run the account tests: ${unmet}`);
}
