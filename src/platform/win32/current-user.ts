// The account this process runs as, from its token, as upstream's `current_setup_user` names it for the
// setup helper's `real_user`: OpenProcessToken + GetTokenInformation(TokenUser), then LookupAccountSidW,
// giving `DOMAIN\user` (the machine name as the domain for a local account). Never %USERNAME%: an
// unqualified name breaks on domain and Entra accounts (1332) and where a user is named like the machine.
// LookupAccountSidW may ask a domain controller, so it runs through koffi's `.async`, off the main thread.
import { ERROR_INSUFFICIENT_BUFFER, SidTypeUser, TOKEN_QUERY, TokenUser, win32 } from './win32-api';
import { describeSidNameUse, sidToString } from './sid';
import { lastWin32Error, Win32Error } from './win32-error';

export interface TokenUserAccount {
  /** S-1-5-... */
  sid: string;
  /** The account's domain: the machine name for a local account. */
  domain: string;
  name: string;
  /** `DOMAIN\name`, what upstream passes as the setup helper's `real_user`. */
  qualified: string;
}

/**
 * This process's token user as a TOKEN_USER copy, and the pointer to its SID (inside `info`: keep
 * `info` referenced while the pointer is used). The token handle is closed before returning.
 */
export function readTokenUser(): { info: Buffer; sid: unknown } {
  const api = win32();
  const token: [number] = [0];
  // GetCurrentProcess() is a pseudo-handle: nothing to close.
  if (!api.OpenProcessToken(api.GetCurrentProcess(), TOKEN_QUERY, token)) throw lastWin32Error('OpenProcessToken');
  try {
    const size: [number] = [0];
    // Sizing call: fails with 122 and reports the size of the TOKEN_USER with its SID.
    if (api.GetTokenInformation(token[0], TokenUser, null, 0, size) || size[0] === 0) {
      throw new Win32Error('GetTokenInformation(TokenUser) size query', ERROR_INSUFFICIENT_BUFFER);
    }
    const info = Buffer.alloc(size[0]);
    if (!api.GetTokenInformation(token[0], TokenUser, info, info.length, size)) throw lastWin32Error('GetTokenInformation(TokenUser)');
    // TOKEN_USER { SID_AND_ATTRIBUTES User { PSID Sid; DWORD Attributes; } }: the SID lives inside `info`.
    return { info, sid: api.koffi.decode(info, 'void *') };
  } finally {
    api.CloseHandle(token[0]);
  }
}

/** The token's user with its account name and domain, as LookupAccountSidW resolves the SID. */
export async function currentTokenUser(): Promise<TokenUserAccount> {
  const api = win32();
  const { info, sid } = readTokenUser();
  const sidText = sidToString(sid);
  // 256 UTF-16 units each, as upstream (UNLEN and DNLEN are below that); one retry with the sizes asked for.
  let nameChars = 256;
  let domainChars = 256;
  for (let attempt = 0; attempt < 2; attempt++) {
    const name = Buffer.alloc(nameChars * 2);
    const domain = Buffer.alloc(domainChars * 2);
    const nameSize: [number] = [nameChars];
    const domainSize: [number] = [domainChars];
    const use: [number] = [0];
    const { ok, error } = await new Promise<{ ok: boolean; error: number }>((resolve, reject) => {
      api.LookupAccountSidW.async(null, sid, name, nameSize, domain, domainSize, use, (err: unknown, result: number) => {
        // koffi (3.2+) hands the worker thread's last error to the callback's thread.
        if (err) reject(err as Error);
        else resolve({ ok: result !== 0, error: result !== 0 ? 0 : api.GetLastError() });
      });
    });
    keepAlive(info); // `sid` points into `info`: it must outlive the call
    if (ok) {
      const account = { sid: sidText, name: name.toString('utf16le', 0, nameSize[0] * 2), domain: domain.toString('utf16le', 0, domainSize[0] * 2) };
      // As upstream's account_name_from_sid: only a named user with a domain is a setup user.
      if (use[0] !== SidTypeUser || account.domain === '' || account.name === '') {
        throw new Error(`this process's token user ${sidText} resolved to ${describeSidNameUse(use[0])} "${account.domain}\\${account.name}", not a named user account`);
      }
      return { ...account, qualified: `${account.domain}\\${account.name}` };
    }
    if (error !== ERROR_INSUFFICIENT_BUFFER) throw new Win32Error(`LookupAccountSidW(${sidText})`, error);
    nameChars = Math.max(nameSize[0], nameChars * 2);
    domainChars = Math.max(domainSize[0], domainChars * 2);
  }
  throw new Win32Error(`LookupAccountSidW(${sidText})`, ERROR_INSUFFICIENT_BUFFER);
}

/** upstream's `current_setup_user()`: `DOMAIN\user` of this process's token. */
export async function currentSetupUser(): Promise<string> {
  return (await currentTokenUser()).qualified;
}

/** A use of `value` after an await, so that it stays referenced (and uncollected) until then. */
function keepAlive(value: Buffer): void {
  if (value.length === 0) throw new Error('empty TOKEN_USER');
}
