// What every Win32 declaration shares: koffi, loaded on first use (so this package imports on
// Linux/macOS, where no DLL exists), the few kernel32 calls every caller needs, and the common types
// and error codes. Each DLL's other functions are declared next to the code that calls them, with
// the C prototype (`__stdcall`, which x64 ignores and x86 needs), through `lazyApi`.
//
// HANDLE is declared `intptr_t`: handles come back as plain numbers (INVALID_HANDLE_VALUE is -1),
// easy to compare, store and pass to uv_open_osfhandle. Memory the OS allocates for us
// (LocalAlloc'd SIDs, descriptors, strings) is `void *` and must go back through LocalFree.
// BOOL is `int` (4 bytes), never koffi's 1-byte `bool`.
import type koffiModule from 'koffi';

export type Koffi = typeof koffiModule;
export type Dll = ReturnType<Koffi['load']>;
/** An opaque pointer from koffi. */
export type Ptr = unknown;
/** An `_Out_` (or `_Inout_`) scalar: koffi writes the value into the array's one slot. */
export type Out<T> = [T];

export interface Win32Api {
  koffi: Koffi;
  GetLastError(): number;
  FormatMessageW(flags: number, source: null, messageId: number, languageId: number, buffer: Buffer, size: number, args: null): number;
  LocalFree(memory: Ptr): Ptr;
  CloseHandle(handle: number): number;
  GetCurrentProcess(): number;
  GetCurrentProcessId(): number;
  /** Decodes a NUL-terminated UTF-16 string the OS allocated. */
  wideString(pointer: Ptr): string;
}

/** A koffi function with its `.async` form: same arguments plus a Node-style callback. */
export type AsyncCapable<F extends (...args: never[]) => unknown> = F & {
  async(...args: [...Parameters<F>, (err: unknown, result: ReturnType<F>) => void]): void;
};

/** SECURITY_ATTRIBUTES, declared to koffi under that name (named pipes, desktops). */
export interface SecurityAttributes {
  nLength: number;
  lpSecurityDescriptor: Ptr;
  bInheritHandle: number;
}

let api: Win32Api | undefined;
const dlls = new Map<string, Dll>();

export function win32(): Win32Api {
  if (api) return api;
  if (process.platform !== 'win32') throw new Error('the Win32 API is only available on Windows');
  const koffi = require('koffi') as Koffi;
  const kernel32 = koffi.load('kernel32.dll');
  // koffi's type names are global: shared types are declared here, once.
  koffi.struct('SECURITY_ATTRIBUTES', { nLength: 'uint32_t', lpSecurityDescriptor: 'void *', bInheritHandle: 'int' });
  const k = (proto: string) => kernel32.func(proto);
  api = {
    koffi,
    GetLastError: k('uint32_t __stdcall GetLastError(void)'),
    FormatMessageW: k('uint32_t __stdcall FormatMessageW(uint32_t flags, void *source, uint32_t id, uint32_t lang, _Out_ uint8_t *buffer, uint32_t size, void *args)'),
    LocalFree: k('void * __stdcall LocalFree(void *mem)'),
    CloseHandle: k('int __stdcall CloseHandle(intptr_t h)'),
    GetCurrentProcess: k('intptr_t __stdcall GetCurrentProcess(void)'),
    GetCurrentProcessId: k('uint32_t __stdcall GetCurrentProcessId(void)'),
    wideString: (pointer) => koffi.decode(pointer, 'char16_t', -1) as string,
  } as Win32Api;
  dlls.set('kernel32.dll', kernel32);
  return api;
}

/**
 * Declarations bound on first use: `bind` runs once, with koffi and a loader that opens each DLL
 * once. Off Windows the first use throws win32()'s error.
 */
export function lazyApi<T>(bind: (dll: (name: string) => Dll, koffi: Koffi) => T): () => T {
  let bound: T | undefined;
  return () => {
    if (bound) return bound;
    const { koffi } = win32();
    const dll = (name: string): Dll => {
      let lib = dlls.get(name);
      if (!lib) dlls.set(name, (lib = koffi.load(name)));
      return lib;
    };
    return (bound = bind(dll, koffi));
  };
}

// Error codes more than one module checks, named as in the Windows headers.
export const INVALID_HANDLE_VALUE = -1;
export const ERROR_INSUFFICIENT_BUFFER = 122;
