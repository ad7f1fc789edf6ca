// The few libc calls a pseudo terminal needs that Node does not offer, through koffi (already a
// dependency, prebuilt for every platform, N-API so Electron needs no rebuild). Loaded on first use.
// ioctl is variadic: declared so, because Apple arm64 passes variadic arguments on the stack.
import type koffiModule from 'koffi';

export interface LibcPty {
  grantpt(fd: number): number;
  unlockpt(fd: number): number;
  ptsname(fd: number): string | null;
  /** ioctl(fd, request, struct winsize *) */
  setWindowSize(fd: number, winsize: Buffer): number;
  errno(): number;
}

// <sys/ttycom.h> on macOS, <asm-generic/ioctls.h> on Linux.
const TIOCSWINSZ = process.platform === 'darwin' ? 0x80087467 : 0x5414;

let api: LibcPty | undefined;

export function libcPty(): LibcPty {
  if (api) return api;
  const koffi = require('koffi') as typeof koffiModule;
  const libc = koffi.load(process.platform === 'darwin' ? 'libSystem.B.dylib' : 'libc.so.6');
  const ioctl = libc.func('int ioctl(int fd, unsigned long request, ...)');
  api = {
    grantpt: libc.func('int grantpt(int fd)'),
    unlockpt: libc.func('int unlockpt(int fd)'),
    // Not reentrant, but the runner calls it from its one JS thread only.
    ptsname: libc.func('const char *ptsname(int fd)'),
    setWindowSize: (fd, winsize) => ioctl(fd, TIOCSWINSZ, 'uint8_t *', winsize),
    errno: () => koffi.errno(),
  };
  return api;
}

/** struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; } (every target is little-endian) */
export function winsize(cols: number, rows: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeUInt16LE(rows, 0);
  buf.writeUInt16LE(cols, 2);
  return buf;
}
