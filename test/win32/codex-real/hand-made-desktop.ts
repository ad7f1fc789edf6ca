// A private desktop made by hand (CreateDesktopW) for the real runners that need one (6-B refuses
// to run without a parent-owned desktop), until the module makes its own.
import { randomBytes } from 'node:crypto';

interface DesktopCalls {
  CreateDesktopW(name: string, device: null, mode: null, flags: number, access: number, sa: null): unknown;
  CloseDesktop(desktop: unknown): number;
}
let calls: DesktopCalls | undefined;

function user32(): DesktopCalls {
  if (calls) return calls;
  const koffi = require('koffi') as typeof import('koffi');
  const lib = koffi.load('user32.dll');
  calls = {
    CreateDesktopW: lib.func('void * __stdcall CreateDesktopW(const char16_t *name, void *device, void *mode, uint32_t flags, uint32_t access, void *sa)'),
    CloseDesktop: lib.func('int __stdcall CloseDesktop(void *desktop)'),
  } as DesktopCalls;
  return calls;
}

const GENERIC_ALL = 0x10000000;

export function makeDesktop(): { name: string; close(): void } {
  const name = `CodexSandboxDesktop-${randomBytes(16).toString('hex')}`;
  const handle = user32().CreateDesktopW(name, null, null, 0, GENERIC_ALL, null);
  if (!handle) throw new Error(`CreateDesktopW(${name}) failed`);
  return { name, close: () => void user32().CloseDesktop(handle) };
}
