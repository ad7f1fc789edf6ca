// The account this process runs as, from its token, as upstream's `current_setup_user` names it for the
// setup helper's `real_user`: OpenProcessToken + GetTokenInformation(TokenUser), then LookupAccountSidW,
// giving `DOMAIN\user` (the machine name as the domain for a local account). Never %USERNAME%: an
// unqualified name breaks on domain and Entra accounts (1332) and where a user is named like the machine.
// LookupAccountSidW may ask a domain controller, so it runs through koffi's `.async`, off the main thread.
import { ERROR_INSUFFICIENT_BUFFER, win32 } from './win32-api';
import { accountApi, describeSidNameUse, readTokenUser, SidTypeUser, sidToString } from './sid';
import { Win32Error } from './win32-error';

export interface TokenUserAccount {
  /** S-1-5-... */
  sid: string;
  /** The account's domain: the machine name for a local account. */
  domain: string;
  name: string;
  /** `DOMAIN\name`, what upstream passes as the setup helper's `real_user`. */
  qualified: string;
}

/** The token's user with its account name and domain, as LookupAccountSidW resolves the SID. */
export async function currentTokenUser(): Promise<TokenUserAccount> {
  const api = accountApi();
  const { GetLastError } = win32();
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
        else resolve({ ok: result !== 0, error: result !== 0 ? 0 : GetLastError() });
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
