// The SID a pipe's DACL admits. The DACL must only ever name one user account, so:
// - the current user's SID comes from this process's token, never from looking up its name (a
//   name can resolve to another account than the one this process runs as);
// - a named sandbox account goes through LookupAccountNameW, and whatever the name resolves to
//   must be a user (SidTypeUser): a group, alias, well-known group or domain would let every
//   member open the pipes. There is deliberately no table of well-known names (Everyone, Users,
//   SYSTEM, ...): every one of them is a group or a service identity, never a sandbox user.
import { ERROR_INSUFFICIENT_BUFFER, lazyApi, win32, type AsyncCapable, type Out, type Ptr } from './win32-api';
import { lastWin32Error, Win32Error } from './win32-error';

/** advapi32's accounts and tokens: names to SIDs and back, the token's user. */
export interface AccountApi {
  GetUserNameW(buffer: Buffer, size: Out<number>): number;
  LookupAccountNameW(system: null, account: string, sid: Buffer | null, sidSize: Out<number>, domain: Buffer | null, domainSize: Out<number>, use: Out<number>): number;
  /** `sid`: a Buffer holding the SID, or a pointer to one (e.g. inside a TOKEN_USER). */
  ConvertSidToStringSidW(sid: Buffer | Ptr, out: Out<Ptr>): number;
  /** May ask a domain controller: call through `.async`, never on the main thread. */
  LookupAccountSidW: AsyncCapable<(system: null, sid: Buffer | Ptr, name: Buffer, nameSize: Out<number>, domain: Buffer, domainSize: Out<number>, use: Out<number>) => number>;
  OpenProcessToken(process: number, access: number, token: Out<number>): number;
  GetTokenInformation(token: number, infoClass: number, info: Buffer | null, size: number, returned: Out<number>): number;
}

export const accountApi = lazyApi<AccountApi>((dll) => {
  const advapi32 = dll('advapi32.dll');
  const a = (proto: string) => advapi32.func(proto);
  return {
    GetUserNameW: a('int __stdcall GetUserNameW(_Out_ uint8_t *buffer, _Inout_ uint32_t *size)'),
    LookupAccountNameW: a(
      'int __stdcall LookupAccountNameW(const char16_t *system, const char16_t *account, _Out_ uint8_t *sid, _Inout_ uint32_t *sidSize, _Out_ uint8_t *domain, _Inout_ uint32_t *domainSize, _Out_ int *use)',
    ),
    ConvertSidToStringSidW: a('int __stdcall ConvertSidToStringSidW(void *sid, _Out_ void **out)'),
    LookupAccountSidW: a(
      'int __stdcall LookupAccountSidW(const char16_t *system, void *sid, _Out_ uint8_t *name, _Inout_ uint32_t *nameSize, _Out_ uint8_t *domain, _Inout_ uint32_t *domainSize, _Out_ int *use)',
    ) as AccountApi['LookupAccountSidW'],
    OpenProcessToken: a('int __stdcall OpenProcessToken(intptr_t process, uint32_t access, _Out_ intptr_t *token)'),
    GetTokenInformation: a('int __stdcall GetTokenInformation(intptr_t token, int infoClass, _Out_ uint8_t *info, uint32_t size, _Out_ uint32_t *returned)'),
  } as AccountApi;
});

const TOKEN_QUERY = 0x0008;
/** TOKEN_INFORMATION_CLASS TokenUser: a TOKEN_USER, whose first field points at the SID. */
const TokenUser = 1;
/** SID_NAME_USE, as LookupAccountNameW reports what a name resolved to. */
export const SidTypeUser = 1;

/** SID_NAME_USE values, as winnt.h names them. */
const SID_NAME_USE: Record<number, string> = {
  1: 'a user',
  2: 'a group',
  3: 'a domain',
  4: 'an alias (local group)',
  5: 'a well-known group',
  6: 'a deleted account',
  7: 'an invalid account',
  8: 'an unknown account type',
  9: 'a computer',
  10: 'a mandatory integrity label',
  11: 'a logon session',
};

/** What SID_NAME_USE `use` stands for, in words. */
export function describeSidNameUse(use: number): string {
  return SID_NAME_USE[use] ?? `SID_NAME_USE ${use}`;
}

/** The account this process runs as (GetUserNameW): for display and logs; the DACL uses currentUserSid(). */
export function currentUserName(): string {
  const api = accountApi();
  const size = [257]; // UNLEN + 1
  let buffer = Buffer.alloc(size[0]! * 2);
  if (!api.GetUserNameW(buffer, size as [number])) {
    const err = lastWin32Error('GetUserNameW');
    if (err.code !== ERROR_INSUFFICIENT_BUFFER) throw err;
    buffer = Buffer.alloc(size[0]! * 2);
    if (!api.GetUserNameW(buffer, size as [number])) throw lastWin32Error('GetUserNameW');
  }
  return buffer.toString('utf16le', 0, Math.max(0, size[0]! - 1) * 2); // size counts the NUL
}

/**
 * This process's token user as a TOKEN_USER copy, and the pointer to its SID (inside `info`: keep
 * `info` referenced while the pointer is used). The token handle is closed before returning. The
 * one reader of the token's user: currentUserSid() here, currentTokenUser() (current-user.ts).
 */
export function readTokenUser(): { info: Buffer; sid: unknown } {
  const api = accountApi();
  const { koffi, GetCurrentProcess, CloseHandle } = win32();
  const token: [number] = [0];
  // GetCurrentProcess() is a pseudo-handle: nothing to close.
  if (!api.OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, token)) throw lastWin32Error('OpenProcessToken');
  try {
    const size: [number] = [0];
    // Sizing call: fails with 122 and reports the size of the TOKEN_USER with its SID.
    if (api.GetTokenInformation(token[0], TokenUser, null, 0, size) || size[0] === 0) {
      throw new Win32Error('GetTokenInformation(TokenUser) size query', ERROR_INSUFFICIENT_BUFFER);
    }
    const info = Buffer.alloc(size[0]);
    if (!api.GetTokenInformation(token[0], TokenUser, info, info.length, size)) throw lastWin32Error('GetTokenInformation(TokenUser)');
    // TOKEN_USER { SID_AND_ATTRIBUTES User { PSID Sid; DWORD Attributes; } }: the SID lives inside `info`.
    return { info, sid: koffi.decode(info, 'void *') };
  } finally {
    CloseHandle(token[0]);
  }
}

/** The SID string of the user this process runs as, read from its token (TokenUser). */
export function currentUserSid(): string {
  const { info, sid } = readTokenUser();
  const text = sidToString(sid);
  // `sid` points into `info`: it stayed referenced (and unmoved) through the conversion above.
  if (info.length === 0) throw new Error('empty TOKEN_USER');
  return text;
}

/**
 * The SID string (S-1-5-...) of the user account `username`, through LookupAccountNameW. Anything
 * that is not a user account (group, alias, well-known group, domain, ...) is refused, naming what
 * the name resolved to.
 */
export function sidForUser(username: string): string {
  if (typeof username !== 'string' || username.trim() === '') throw new TypeError('sandbox username must be a non-empty string');
  const api = accountApi();
  const call = `LookupAccountNameW(${username})`;
  const sidSize = [0];
  const domainSize = [0];
  const use = [0];
  // Sizing call: fails with 122 and reports both sizes, as on Windows.
  let sid: Buffer | null = null;
  let domain: Buffer | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (api.LookupAccountNameW(null, username, sid, sidSize as [number], domain, domainSize as [number], use as [number])) {
      if (!sid || !domain) throw new Win32Error(call, ERROR_INSUFFICIENT_BUFFER); // cannot succeed without a buffer
      const resolved = sidToString(sid);
      if (use[0] !== SidTypeUser) {
        const where = domain.toString('utf16le', 0, domainSize[0]! * 2);
        throw new Error(
          `account ${JSON.stringify(username)} resolved to ${describeSidNameUse(use[0]!)} (${where ? `${where}, ` : ''}${resolved}), not a user account; a pipe DACL may only admit a user`,
        );
      }
      return resolved;
    }
    const err = lastWin32Error(call);
    if (err.code !== ERROR_INSUFFICIENT_BUFFER) throw err;
    sid = Buffer.alloc(Math.max(sidSize[0]!, 68)); // SECURITY_MAX_SID_SIZE
    domain = Buffer.alloc(Math.max(domainSize[0]!, 1) * 2);
    domainSize[0] = domain.length / 2;
  }
  throw new Win32Error(call, ERROR_INSUFFICIENT_BUFFER);
}

/** S-1-5-... of a SID (a Buffer holding one, or a pointer to one). */
export function sidToString(sid: unknown): string {
  const { LocalFree, wideString } = win32();
  const out: [unknown] = [null];
  if (!accountApi().ConvertSidToStringSidW(sid, out)) throw lastWin32Error('ConvertSidToStringSidW');
  try {
    return wideString(out[0]);
  } finally {
    LocalFree(out[0]);
  }
}
