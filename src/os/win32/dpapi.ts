// DPAPI as codex uses it for its sandbox users' passwords (openai/codex
// codex-rs/windows-sandbox-rs/src/dpapi.rs): no description, no entropy, no prompt,
// CRYPTPROTECT_UI_FORBIDDEN. Calls go through koffi's `.async`: CryptUnprotectData may ask a
// domain controller for a roaming master key, and Electron's main thread must not wait on that.
import { lazyApi, win32, type AsyncCapable, type Ptr } from './win32-api';
import { lastWin32Error } from './win32-error';

/** DATA_BLOB (CRYPT_INTEGER_BLOB): `pbData` is a Buffer going in, an OS pointer (LocalFree it) coming out. */
interface DataBlob {
  cbData: number;
  pbData: Buffer | Ptr | null;
}

type DpapiCall = (dataIn: DataBlob, description: null, entropy: null, reserved: null, prompt: null, flags: number, dataOut: DataBlob) => number;

// Upstream's declarations: openai/codex codex-rs/windows-sandbox-rs/src/dpapi.rs.
interface DpapiApi {
  CryptProtectData: AsyncCapable<DpapiCall>;
  CryptUnprotectData: AsyncCapable<DpapiCall>;
  /** Copies OS memory into a Buffer of ours, without a JS array or string in between. */
  RtlMoveMemory(destination: Buffer, source: Ptr, length: number): void;
  /** Overwrites OS memory (the plaintext DPAPI handed us) before it goes back to the heap. */
  RtlZeroMemory(destination: Ptr, length: number): void;
  LocalFree(memory: Ptr): Ptr;
}

const dpapiApi = lazyApi<DpapiApi>((dll, koffi) => {
  const crypt32 = dll('crypt32.dll');
  const kernel32 = dll('kernel32.dll');
  koffi.struct('DATA_BLOB', { cbData: 'uint32_t', pbData: 'void *' });
  return {
    CryptProtectData: crypt32.func(
      'int __stdcall CryptProtectData(const DATA_BLOB *dataIn, const char16_t *description, const DATA_BLOB *entropy, void *reserved, void *prompt, uint32_t flags, _Out_ DATA_BLOB *dataOut)',
    ) as DpapiApi['CryptProtectData'],
    CryptUnprotectData: crypt32.func(
      'int __stdcall CryptUnprotectData(const DATA_BLOB *dataIn, void *description, const DATA_BLOB *entropy, void *reserved, void *prompt, uint32_t flags, _Out_ DATA_BLOB *dataOut)',
    ) as DpapiApi['CryptUnprotectData'],
    // kernel32 exports both, forwarded to ntdll (Wine's kernel32.spec, which follows Windows' exports, lists them).
    RtlMoveMemory: kernel32.func('void __stdcall RtlMoveMemory(_Out_ uint8_t *destination, const void *source, size_t length)'),
    RtlZeroMemory: kernel32.func('void __stdcall RtlZeroMemory(void *destination, size_t length)'),
    LocalFree: win32().LocalFree,
  };
});

const CRYPTPROTECT_UI_FORBIDDEN = 0x1;
const CRYPTPROTECT_LOCAL_MACHINE = 0x4;

/** `user`: only this Windows user can decrypt; `machine`: any process on this machine can. */
export type DpapiScope = 'user' | 'machine';

export class DpapiUnavailableError extends Error {
  override readonly name = 'DpapiUnavailableError';
  constructor() {
    super('DPAPI is only available on Windows');
  }
}

/**
 * Decrypts a DPAPI blob of either scope: the blob records its own scope, so no
 * CRYPTPROTECT_LOCAL_MACHINE is needed here. openai/codex dpapi.rs @ 71163530a46dc568775f9ee95a9b57de3385cd9a
 * protects in user scope; later copies (e.g. fork zijian2/codex @ ceee8037a7b2fb5a1fc2c7ee04a6a3b84c86f353,
 * "so elevated and non-elevated processes can decrypt") protect in machine scope and pass the flag
 * to CryptUnprotectData too, which documents no such flag for decryption.
 * The OS's copy of the plaintext is overwritten before it is freed; the returned Buffer is the
 * only copy left, and the caller should `fill(0)` it when done.
 */
export function unprotectData(blob: Buffer): Promise<Buffer> {
  return callDpapi('CryptUnprotectData', blob, CRYPTPROTECT_UI_FORBIDDEN);
}

/** Encrypts `plain` as codex's setup does (tests make real blobs with it; a doctor command can check DPAPI works). */
export function protectData(plain: Buffer, scope: DpapiScope): Promise<Buffer> {
  if (scope !== 'user' && scope !== 'machine') return Promise.reject(new TypeError(`DPAPI scope must be 'user' or 'machine', not ${String(scope)}`));
  return callDpapi('CryptProtectData', plain, CRYPTPROTECT_UI_FORBIDDEN | (scope === 'machine' ? CRYPTPROTECT_LOCAL_MACHINE : 0));
}

type DpapiCallName = 'CryptProtectData' | 'CryptUnprotectData';

function callDpapi(call: DpapiCallName, input: Buffer, flags: number): Promise<Buffer> {
  if (!Buffer.isBuffer(input)) return Promise.reject(new TypeError(`${call} takes a Buffer`));
  if (process.platform !== 'win32') return Promise.reject(new DpapiUnavailableError());
  return new Promise<Buffer>((resolve, reject) => {
    const api = dpapiApi();
    const output: DataBlob = { cbData: 0, pbData: null };
    // `input` stays referenced by this closure until the worker thread is done with it.
    const done = (err: unknown, ok: number) => {
      if (err) return reject(err);
      // Only inside this callback is GetLastError the worker thread's (koffi >= 3.2 hands it over).
      if (!ok) return reject(lastWin32Error(call));
      try {
        resolve(takeOutput(api, output));
      } catch (e) {
        reject(e);
      }
    };
    try {
      api[call].async({ cbData: input.length, pbData: input }, null, null, null, null, flags, output, done);
    } catch (e) {
      reject(e); // arguments koffi could not marshal: nothing was allocated
    }
  });
}

/** Copies the LocalAlloc'd output into a Buffer of ours, overwrites the original, frees it. */
function takeOutput(api: DpapiApi, output: DataBlob): Buffer {
  const pointer = output.pbData;
  const length = output.cbData;
  if (pointer === null || pointer === undefined) return Buffer.alloc(0);
  try {
    const copy = Buffer.alloc(length); // never from Node's shared pool: the caller may wipe it
    if (length > 0) api.RtlMoveMemory(copy, pointer, length);
    return copy;
  } finally {
    if (length > 0) api.RtlZeroMemory(pointer, length);
    api.LocalFree(pointer);
  }
}
