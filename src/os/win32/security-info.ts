// Who may open a kernel object: security descriptors from SDDL (for the objects we create), and
// an object's DACL read back as SDDL, as the OS records it (advapi32).
import { lazyApi, win32, type Out, type Ptr } from './win32-api';
import { lastWin32Error, Win32Error } from './win32-error';

export interface SecurityApi {
  ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl: string, revision: number, out: Out<Ptr>, size: null): number;
  ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor: Ptr, revision: number, info: number, out: Out<Ptr>, length: null): number;
  /** Returns a Win32 error code itself (0 = success); does not set the last error. */
  GetSecurityInfo(handle: number, objectType: number, info: number, owner: null, group: null, dacl: null, sacl: null, descriptor: Out<Ptr>): number;
}

export const securityApi = lazyApi<SecurityApi>((dll) => {
  const advapi32 = dll('advapi32.dll');
  return {
    ConvertStringSecurityDescriptorToSecurityDescriptorW: advapi32.func(
      'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(const char16_t *sddl, uint32_t revision, _Out_ void **descriptor, _Out_ uint32_t *size)',
    ),
    ConvertSecurityDescriptorToStringSecurityDescriptorW: advapi32.func(
      'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *descriptor, uint32_t revision, uint32_t info, _Out_ void **sddl, _Out_ uint32_t *length)',
    ),
    GetSecurityInfo: advapi32.func(
      'uint32_t __stdcall GetSecurityInfo(intptr_t handle, int objectType, uint32_t info, void *owner, void *group, void *dacl, void *sacl, _Out_ void **descriptor)',
    ),
  };
});

export const SDDL_REVISION_1 = 1;
/** SE_OBJECT_TYPE values. */
export const SE_KERNEL_OBJECT = 6;
export const SE_WINDOW_OBJECT = 7;
const DACL_SECURITY_INFORMATION = 0x4;

/** The DACL of `handle` (a pipe, a process...) as SDDL, e.g. `D:(A;;GA;;;S-1-5-21-...)`. */
export function readDaclSddl(handle: number, what: string, objectType = SE_KERNEL_OBJECT): string {
  const api = securityApi();
  const { LocalFree, wideString } = win32();
  const descriptor: [unknown] = [null];
  const rc = api.GetSecurityInfo(handle, objectType, DACL_SECURITY_INFORMATION, null, null, null, null, descriptor);
  if (rc !== 0) throw new Win32Error(`GetSecurityInfo(${what})`, rc);
  try {
    const sddl: [unknown] = [null];
    if (!api.ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor[0], SDDL_REVISION_1, DACL_SECURITY_INFORMATION, sddl, null)) {
      throw lastWin32Error('ConvertSecurityDescriptorToStringSecurityDescriptorW');
    }
    try {
      return wideString(sddl[0]);
    } finally {
      LocalFree(sddl[0]);
    }
  } finally {
    LocalFree(descriptor[0]);
  }
}
