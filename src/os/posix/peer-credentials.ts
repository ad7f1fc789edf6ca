// Which process is on the other end of a connected Unix socket, as the kernel recorded it at
// connect time (SO_PEERCRED on Linux, LOCAL_PEERPID on macOS). Thin FFI glue, loaded lazily.
import type koffiModule from 'koffi';

type GetSockOpt = (fd: number, level: number, name: number, value: Buffer, length: number[]) => number;
let getsockopt: GetSockOpt | undefined;
let koffi: typeof koffiModule | undefined;

function bind(): GetSockOpt {
  if (!getsockopt) {
    koffi = require('koffi') as typeof koffiModule;
    const libc = koffi.load(process.platform === 'darwin' ? 'libSystem.B.dylib' : 'libc.so.6');
    getsockopt = libc.func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *value, _Inout_ uint32_t *length)') as GetSockOpt;
  }
  return getsockopt;
}

export interface PeerCredentials {
  pid: number;
  uid?: number;
}

export function peerCredentials(fd: number): PeerCredentials {
  const call = bind();
  const linux = process.platform === 'linux';
  const value = Buffer.alloc(12);
  const length = [linux ? 12 : 4];
  // Linux: SOL_SOCKET=1, SO_PEERCRED=17 -> struct ucred { pid, uid, gid }. macOS: SOL_LOCAL=0, LOCAL_PEERPID=2.
  const rc = linux ? call(fd, 1, 17, value, length) : call(fd, 0, 2, value, length);
  if (rc !== 0) throw new Error(`getsockopt(${linux ? 'SO_PEERCRED' : 'LOCAL_PEERPID'}) failed: errno ${koffi!.errno()}`);
  return linux ? { pid: value.readInt32LE(0), uid: value.readUInt32LE(4) } : { pid: value.readInt32LE(0) };
}
