/* bcryptprimitives.dll for Wine 8, which lacks it. Rust's std (1.78+) loads it for ProcessPrng, so
 * every codex-command-runner.exe dies at start under Wine with STATUS_DLL_NOT_FOUND without it. It is a
 * stand-in for a system DLL Wine does not have, not for anything under test: ProcessPrng fills the
 * buffer from RtlGenRandom (advapi32!SystemFunction036), which takes at most a ULONG per call. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
