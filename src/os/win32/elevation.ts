// Whether this process is elevated, as upstream's setup.rs `is_elevated` decides before running
// codex's setup helper: CheckTokenMembership(NULL, BUILTIN\Administrators). A deny-only
// Administrators group (a UAC-filtered token) does not count. Under Wine this is true: Wine's
// user is an administrator.
import { accountsApi, win32 } from './win32-api';
import { lastWin32Error } from './win32-error';

/** S-1-5-32-544: SECURITY_BUILTIN_DOMAIN_RID + DOMAIN_ALIAS_RID_ADMINS. */
const BUILTIN_ADMINISTRATORS = 'S-1-5-32-544';

export function isProcessElevated(): boolean {
  const api = accountsApi();
  const sid: [unknown] = [null];
  if (!api.ConvertStringSidToSidW(BUILTIN_ADMINISTRATORS, sid)) throw lastWin32Error(`ConvertStringSidToSidW(${BUILTIN_ADMINISTRATORS})`);
  try {
    const member: [number] = [0];
    // Token 0: the calling thread's effective token, as upstream passes.
    if (!api.CheckTokenMembership(0, sid[0], member)) throw lastWin32Error('CheckTokenMembership(BUILTIN\\Administrators)');
    return member[0] !== 0;
  } finally {
    win32().LocalFree(sid[0]);
  }
}
