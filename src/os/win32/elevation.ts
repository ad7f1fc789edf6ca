// Whether this process is elevated, as upstream's setup.rs `is_elevated` decides before running
// codex's setup helper: CheckTokenMembership(NULL, BUILTIN\Administrators). A deny-only
// Administrators group (a UAC-filtered token) does not count. Under Wine this is true: Wine's
// user is an administrator.
import { lazyApi, win32, type Out, type Ptr } from './win32-api';
import { lastWin32Error } from './win32-error';

interface ElevationApi {
  ConvertStringSidToSidW(sid: string, out: Out<Ptr>): number;
  /** `token` 0: the calling thread's effective token (deny-only groups count as absent). */
  CheckTokenMembership(token: number, sid: Ptr, isMember: Out<number>): number;
}

const elevationApi = lazyApi<ElevationApi>((dll) => {
  const advapi32 = dll('advapi32.dll');
  return {
    ConvertStringSidToSidW: advapi32.func('int __stdcall ConvertStringSidToSidW(const char16_t *sid, _Out_ void **out)'),
    CheckTokenMembership: advapi32.func('int __stdcall CheckTokenMembership(intptr_t token, void *sid, _Out_ int *isMember)'),
  };
});

/** S-1-5-32-544: SECURITY_BUILTIN_DOMAIN_RID + DOMAIN_ALIAS_RID_ADMINS. */
const BUILTIN_ADMINISTRATORS = 'S-1-5-32-544';

export function isProcessElevated(): boolean {
  const api = elevationApi();
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
