// Win32 declarations only the tests use (the library never calls these): the process's handle
// count for the leak checks, and local accounts for the Windows-only tests (test/win32/windows-only/),
// which make throwaway users and remove them and their profiles after. Bound on first use, as the
// library's own (src/os/win32/win32-api.ts).
import { lazyApi, type Koffi, type Out } from '../../src/os/win32/win32-api';

/** USER_INFO_1 (lmaccess.h), level 1 of NetUserAdd. */
export interface UserInfo1 {
  usri1_name: string;
  usri1_password: string;
  usri1_password_age: number;
  usri1_priv: number;
  usri1_home_dir: string | null;
  usri1_comment: string | null;
  usri1_flags: number;
  usri1_script_path: string | null;
}

export interface TestApi {
  GetProcessHandleCount(process: number, count: Out<number>): number;
  /** Returns a NET_API_STATUS (0 = NERR_Success), not the last error. */
  NetUserAdd(server: null, level: 1, info: UserInfo1, parmErr: Out<number>): number;
  /** Returns a NET_API_STATUS (0 = NERR_Success). */
  NetUserDel(server: null, username: string): number;
  /** Deletes a user's profile folder and registry hive by SID string (admin only). Bound on first call. */
  DeleteProfileW(sid: string, profilePath: null, computer: null): number;
}

let userInfoDeclared = false;

export const testApi = lazyApi<TestApi>((dll, koffi) => {
  // koffi's type names are global: declared once even if a later step of this binding throws.
  if (!userInfoDeclared) declareUserInfo1(koffi);
  userInfoDeclared = true;
  const netapi32 = dll('netapi32.dll');
  let deleteProfile: TestApi['DeleteProfileW'] | undefined;
  return {
    GetProcessHandleCount: dll('kernel32.dll').func('int __stdcall GetProcessHandleCount(intptr_t process, _Out_ uint32_t *count)'),
    NetUserAdd: netapi32.func('uint32_t __stdcall NetUserAdd(const char16_t *server, uint32_t level, const USER_INFO_1 *info, _Out_ uint32_t *parmErr)'),
    NetUserDel: netapi32.func('uint32_t __stdcall NetUserDel(const char16_t *server, const char16_t *username)'),
    // Wine's userenv lacks it: bound when first called, so the rest works there.
    DeleteProfileW: (sid, profilePath, computer) => {
      deleteProfile ??= dll('userenv.dll').func('int __stdcall DeleteProfileW(const char16_t *sid, const char16_t *profilePath, const char16_t *computer)');
      return deleteProfile(sid, profilePath, computer);
    },
  };
});

function declareUserInfo1(koffi: Koffi): void {
  koffi.struct('USER_INFO_1', {
    usri1_name: 'const char16_t *',
    usri1_password: 'const char16_t *',
    usri1_password_age: 'uint32_t',
    usri1_priv: 'uint32_t',
    usri1_home_dir: 'const char16_t *',
    usri1_comment: 'const char16_t *',
    usri1_flags: 'uint32_t',
    usri1_script_path: 'const char16_t *',
  });
}

export const ERROR_ACCESS_DENIED = 5;
export const USER_PRIV_USER = 1;
export const UF_SCRIPT = 0x0001;
export const UF_NORMAL_ACCOUNT = 0x0200;
export const UF_DONT_EXPIRE_PASSWD = 0x10000;
export const NERR_USER_NOT_FOUND = 2221;
