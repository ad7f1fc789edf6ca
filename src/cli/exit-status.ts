// The CLI's exit status for the command's exit code. A POSIX status holds 0..255 only, and
// Windows codes are 32-bit (NTSTATUS 0xC0000100...): keeping the low byte would turn 256 or
// 0xC0000100 into 0, a failure into success. So 0 stays 0, 1..255 stay themselves, and every
// other code, which no status can hold, is 1 (plain failure), with a note naming the real code.

export function cliExitStatus(exitCode: number): { status: number; note?: string } {
  if (Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255) return { status: exitCode };
  const hex = (exitCode >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return { status: 1, note: `the command exited with code ${exitCode} (0x${hex}), which an exit status cannot hold: exiting 1` };
}
