// Who may open a kernel object, as the OS records it: its DACL read back as SDDL.
import { DACL_SECURITY_INFORMATION, SDDL_REVISION_1, SE_KERNEL_OBJECT, win32 } from './win32-api';
import { lastWin32Error, Win32Error } from './win32-error';

/** The DACL of `handle` (a pipe, a process...) as SDDL, e.g. `D:(A;;GA;;;S-1-5-21-...)`. */
export function readDaclSddl(handle: number, what: string, objectType = SE_KERNEL_OBJECT): string {
  const api = win32();
  const descriptor: [unknown] = [null];
  const rc = api.GetSecurityInfo(handle, objectType, DACL_SECURITY_INFORMATION, null, null, null, null, descriptor);
  if (rc !== 0) throw new Win32Error(`GetSecurityInfo(${what})`, rc);
  try {
    const sddl: [unknown] = [null];
    if (!api.ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor[0], SDDL_REVISION_1, DACL_SECURITY_INFORMATION, sddl, null)) {
      throw lastWin32Error('ConvertSecurityDescriptorToStringSecurityDescriptorW');
    }
    try {
      return api.wideString(sddl[0]);
    } finally {
      api.LocalFree(sddl[0]);
    }
  } finally {
    api.LocalFree(descriptor[0]);
  }
}
