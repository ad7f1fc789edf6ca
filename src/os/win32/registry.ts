// Whether a registry key exists under HKEY_LOCAL_MACHINE (64-bit view), for recognising installs
// codex records there. RegOpenKeyExW runs through koffi's `.async`: a registry read can wait on a
// hive being loaded, and Electron's main thread must not.
import { lazyApi } from './win32-api';

const HKEY_LOCAL_MACHINE = 0x80000002;
const KEY_READ = 0x20019;
const KEY_WOW64_64KEY = 0x0100;
const ERROR_SUCCESS = 0;
const ERROR_FILE_NOT_FOUND = 2;

interface RegistryApi {
  RegOpenKeyExW: { async(hkey: number, subKey: string, options: number, sam: number, out: [number], done: (err: unknown, status: number) => void): void };
  RegCloseKey(hkey: number): number;
}

const registryApi = lazyApi<RegistryApi>((dll) => {
  const advapi32 = dll('advapi32.dll');
  return {
    RegOpenKeyExW: advapi32.func('int32_t __stdcall RegOpenKeyExW(uintptr_t hkey, const char16_t *subKey, uint32_t options, uint32_t sam, _Out_ uintptr_t *result)'),
    RegCloseKey: advapi32.func('int32_t __stdcall RegCloseKey(uintptr_t hkey)'),
  };
});

/** True when `HKLM\<subKey>` exists; false when it does not; rejects on any other status (with it). */
export function hklmKeyExists(subKey: string): Promise<boolean> {
  if (process.platform !== 'win32') return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const reg = registryApi();
    const out: [number] = [0];
    reg.RegOpenKeyExW.async(HKEY_LOCAL_MACHINE, subKey, 0, KEY_READ | KEY_WOW64_64KEY, out, (err, status) => {
      if (err) return reject(err);
      if (status === ERROR_SUCCESS) {
        reg.RegCloseKey(out[0]);
        return resolve(true);
      }
      if (status === ERROR_FILE_NOT_FOUND) return resolve(false);
      reject(new Error(`RegOpenKeyExW(HKLM\\${subKey}) failed with ${status}`));
    });
  });
}
