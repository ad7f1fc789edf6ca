// A local account's flags, as upstream's winutil.rs local_user_flags reads them: NetUserGetInfo at
// level 1 (USER_INFO_1.usri1_flags), NERR_UserNotFound as "no such account". Through koffi's
// `.async`: NetUserGetInfo may ask a domain controller, and Electron's main thread must not wait.
import { lazyApi } from './win32-api';

export const UF_ACCOUNTDISABLE = 0x0002;
export const UF_PASSWORD_EXPIRED = 0x800000;
const NERR_SUCCESS = 0;
const NERR_USER_NOT_FOUND = 2221;
/** USER_INFO_1: name, password (pointers), password_age, priv (DWORDs), home_dir, comment (pointers), flags. */
const USRI1_FLAGS_OFFSET = 40;

export class NetUserError extends Error {
  override readonly name = 'NetUserError';
  constructor(
    readonly username: string,
    readonly status: number,
  ) {
    super(`NetUserGetInfo(${JSON.stringify(username)}, level 1) failed with status ${status}`);
  }
}

interface NetUserApi {
  NetUserGetInfo: { async(server: null, username: string, level: number, out: [unknown], done: (err: unknown, status: number) => void): void };
  NetApiBufferFree(buffer: unknown): number;
  decodeFlags(buffer: unknown): number;
}

const netUserApi = lazyApi<NetUserApi>((dll, koffi) => {
  const netapi32 = dll('netapi32.dll');
  return {
    NetUserGetInfo: netapi32.func('uint32_t __stdcall NetUserGetInfo(const char16_t *server, const char16_t *username, uint32_t level, _Out_ void **buffer)'),
    NetApiBufferFree: netapi32.func('uint32_t __stdcall NetApiBufferFree(void *buffer)'),
    decodeFlags: (buffer) => koffi.decode(buffer, USRI1_FLAGS_OFFSET, 'uint32_t') as number,
  };
});

/** The account's USER_INFO_1 flags, or null when there is no such local account. */
export function localUserFlags(username: string): Promise<number | null> {
  if (typeof username !== 'string' || username === '' || username.includes('\0')) return Promise.reject(new TypeError('username must be a non-empty string without NUL'));
  if (process.platform !== 'win32') return Promise.reject(new Error('local accounts can be read only on Windows'));
  return new Promise((resolve, reject) => {
    const net = netUserApi();
    const out: [unknown] = [null];
    try {
      net.NetUserGetInfo.async(null, username, 1, out, (err, status) => {
        if (err) return reject(err);
        const buffer = out[0];
        try {
          if (status === NERR_USER_NOT_FOUND) return resolve(null);
          if (status !== NERR_SUCCESS) return reject(new NetUserError(username, status));
          if (buffer === null || buffer === undefined) return reject(new NetUserError(username, status));
          resolve(net.decodeFlags(buffer));
        } finally {
          if (buffer !== null && buffer !== undefined) net.NetApiBufferFree(buffer);
        }
      });
    } catch (e) {
      reject(e);
    }
  });
}
