// A desktop of codex's kind for the runner's command (upstream desktop.rs
// `shared_private_desktop_for_user`): `CodexSandboxDesktop-<32 hex>` from the CSPRNG, a protected
// DACL granting the owner (this process's user) everything and the sandbox user what a
// participant needs (no DELETE, WRITE_DAC, WRITE_OWNER). The handle keeps it alive: a desktop
// lives while a handle to it is open, so closing the last one ends it.
import { randomBytes } from 'node:crypto';
import { readDaclSddl, SDDL_REVISION_1, SE_WINDOW_OBJECT, securityApi } from './security-info';
import { lazyApi, win32, type SecurityAttributes } from './win32-api';
import { lastWin32Error } from './win32-error';

interface DesktopApi {
  /** Returns an HDESK, 0 on failure. */
  CreateDesktopW(name: string, device: null, mode: null, flags: number, access: number, attributes: SecurityAttributes): number;
  CloseDesktop(desktop: number): number;
  /** Returns an HDESK, 0 when no desktop of that name exists (or access is denied). */
  OpenDesktopW(name: string, flags: number, inherit: number, access: number): number;
}

const desktopApi = lazyApi<DesktopApi>((dll) => {
  const user32 = dll('user32.dll');
  return {
    CreateDesktopW: user32.func('intptr_t __stdcall CreateDesktopW(const char16_t *name, const char16_t *device, void *mode, uint32_t flags, uint32_t access, const SECURITY_ATTRIBUTES *attributes)'),
    CloseDesktop: user32.func('int __stdcall CloseDesktop(intptr_t desktop)'),
    OpenDesktopW: user32.func('intptr_t __stdcall OpenDesktopW(const char16_t *name, uint32_t flags, int inherit, uint32_t access)'),
  };
});

// Desktop access rights (winuser.h); upstream's DESKTOP_ALL_ACCESS is their union.
const DESKTOP_READOBJECTS = 0x0001;
const DESKTOP_CREATEWINDOW = 0x0002;
const DESKTOP_CREATEMENU = 0x0004;
const DESKTOP_HOOKCONTROL = 0x0008;
const DESKTOP_JOURNALRECORD = 0x0010;
const DESKTOP_JOURNALPLAYBACK = 0x0020;
const DESKTOP_ENUMERATE = 0x0040;
const DESKTOP_WRITEOBJECTS = 0x0080;
const DESKTOP_SWITCHDESKTOP = 0x0100;
const DESKTOP_DELETE = 0x00010000;
const DESKTOP_READ_CONTROL = 0x00020000;
const DESKTOP_WRITE_DAC = 0x00040000;
const DESKTOP_WRITE_OWNER = 0x00080000;

export const PRIVATE_DESKTOP_PREFIX = 'CodexSandboxDesktop-';

export const DESKTOP_ALL_ACCESS =
  DESKTOP_READOBJECTS |
  DESKTOP_CREATEWINDOW |
  DESKTOP_CREATEMENU |
  DESKTOP_HOOKCONTROL |
  DESKTOP_JOURNALRECORD |
  DESKTOP_JOURNALPLAYBACK |
  DESKTOP_ENUMERATE |
  DESKTOP_WRITEOBJECTS |
  DESKTOP_SWITCHDESKTOP |
  DESKTOP_DELETE |
  DESKTOP_READ_CONTROL |
  DESKTOP_WRITE_DAC |
  DESKTOP_WRITE_OWNER;
export const DESKTOP_PARTICIPANT_ACCESS = DESKTOP_ALL_ACCESS & ~(DESKTOP_WRITE_DAC | DESKTOP_WRITE_OWNER | DESKTOP_DELETE);

/** Upstream's SDDL, hex masks and all: `D:P(A;;0x<all>;;;<owner>)(A;;0x<participant>;;;<sandbox>)`. */
export function privateDesktopSddl(ownerSid: string, sandboxSid: string): string {
  return `D:P(A;;0x${DESKTOP_ALL_ACCESS.toString(16)};;;${ownerSid})(A;;0x${DESKTOP_PARTICIPANT_ACCESS.toString(16)};;;${sandboxSid})`;
}

/** A fresh name of upstream's form: the prefix and 128 random bits as 32 hex digits. */
export function privateDesktopName(): string {
  return `${PRIVATE_DESKTOP_PREFIX}${randomBytes(16).toString('hex')}`;
}

/** The names the runner accepts (desktop.rs `open_private`): the prefix, then 1 to 32 hex digits. */
export function isPrivateDesktopName(name: string): boolean {
  return new RegExp(`^${PRIVATE_DESKTOP_PREFIX}[0-9a-fA-F]{1,32}$`).test(name);
}

export interface CreatedDesktop {
  name: string;
  handle: number;
}

/** Creates the desktop in this process's window station; fails with the Win32 error, leaving nothing behind. */
export function createPrivateDesktop(ownerSid: string, sandboxSid: string, name = privateDesktopName()): CreatedDesktop {
  const api = win32();
  const descriptor: [unknown] = [null];
  if (!securityApi().ConvertStringSecurityDescriptorToSecurityDescriptorW(privateDesktopSddl(ownerSid, sandboxSid), SDDL_REVISION_1, descriptor, null)) {
    throw lastWin32Error('ConvertStringSecurityDescriptorToSecurityDescriptorW(private desktop)');
  }
  try {
    const handle = desktopApi().CreateDesktopW(name, null, null, 0, DESKTOP_ALL_ACCESS, {
      nLength: api.koffi.sizeof('SECURITY_ATTRIBUTES'),
      lpSecurityDescriptor: descriptor[0],
      bInheritHandle: 0,
    });
    if (handle === 0) throw lastWin32Error(`CreateDesktopW(${name})`);
    return { name, handle };
  } finally {
    api.LocalFree(descriptor[0]);
  }
}

export function closePrivateDesktop(desktop: CreatedDesktop): void {
  if (!desktopApi().CloseDesktop(desktop.handle)) throw lastWin32Error(`CloseDesktop(${desktop.name})`);
}

/** Whether a desktop of this name exists in this window station now (opened and closed again at once). */
export function desktopExists(name: string): boolean {
  const handle = desktopApi().OpenDesktopW(name, 0, 0, DESKTOP_READOBJECTS);
  if (handle === 0) return false;
  desktopApi().CloseDesktop(handle);
  return true;
}

/** The desktop's DACL as the OS records it (tests, status). */
export function privateDesktopDacl(desktop: CreatedDesktop): string {
  return readDaclSddl(desktop.handle, `desktop ${desktop.name}`, SE_WINDOW_OBJECT);
}

