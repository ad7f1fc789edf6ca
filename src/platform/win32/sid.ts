// Account name -> SID string, for the pipes' DACL. Well-known names map directly (as upstream);
// other accounts go through LookupAccountNameW.
import { ERROR_INSUFFICIENT_BUFFER, win32 } from './win32-api';
import { lastWin32Error, Win32Error } from './win32-error';

const WELL_KNOWN_SIDS: Record<string, string> = {
  administrators: 'S-1-5-32-544',
  users: 'S-1-5-32-545',
  'authenticated users': 'S-1-5-11',
  everyone: 'S-1-1-0',
  system: 'S-1-5-18',
};

/** The well-known SID for `name` (case-insensitive), if it is one. */
export function wellKnownSid(name: string): string | undefined {
  return WELL_KNOWN_SIDS[name.trim().toLowerCase()];
}

/** The account this process runs as (GetUserNameW). */
export function currentUserName(): string {
  const api = win32();
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

/** The SID string (S-1-5-...) of `username`: well-known names first, then LookupAccountNameW. */
export function sidForUser(username: string): string {
  if (typeof username !== 'string' || username.trim() === '') throw new TypeError('sandbox username must be a non-empty string');
  const known = wellKnownSid(username);
  if (known) return known;
  const api = win32();
  const call = `LookupAccountNameW(${username})`;
  const sidSize = [0];
  const domainSize = [0];
  const use = [0];
  // Sizing call: fails with 122 and reports both sizes, as on Windows.
  let sid: Buffer | null = null;
  let domain: Buffer | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (api.LookupAccountNameW(null, username, sid, sidSize as [number], domain, domainSize as [number], use as [number])) {
      if (!sid) throw new Win32Error(call, ERROR_INSUFFICIENT_BUFFER); // cannot succeed without a buffer
      return sidToString(sid);
    }
    const err = lastWin32Error(call);
    if (err.code !== ERROR_INSUFFICIENT_BUFFER) throw err;
    sid = Buffer.alloc(Math.max(sidSize[0]!, 68)); // SECURITY_MAX_SID_SIZE
    domain = Buffer.alloc(Math.max(domainSize[0]!, 1) * 2);
    domainSize[0] = domain.length / 2;
  }
  throw new Win32Error(call, ERROR_INSUFFICIENT_BUFFER);
}

function sidToString(sid: Buffer): string {
  const api = win32();
  const out: [unknown] = [null];
  if (!api.ConvertSidToStringSidW(sid, out)) throw lastWin32Error('ConvertSidToStringSidW');
  try {
    return api.wideString(out[0]);
  } finally {
    api.LocalFree(out[0]);
  }
}
