// Hands a connected pipe HANDLE to Node's own I/O, so data moves through libuv and not one FFI
// call per chunk. node.exe links its C runtime statically and exports libuv's uv_open_osfhandle:
// the fd it returns lives in the same CRT table that Node reads. (ucrtbase's _open_osfhandle gives
// an fd from another table, which Node rejects as "Unsupported fd type: UNKNOWN".)
import * as net from 'node:net';
import type koffiModule from 'koffi';
import { win32 } from './win32-api';

type OpenOsfHandle = (handle: number) => number;
let openOsfHandle: OpenOsfHandle | undefined;

function bind(): OpenOsfHandle {
  if (!openOsfHandle) {
    const koffi: typeof koffiModule = win32().koffi;
    // Electron's binary exports the same symbol (it embeds Node's libuv).
    openOsfHandle = koffi.load(process.execPath).func('int uv_open_osfhandle(intptr_t handle)') as OpenOsfHandle;
  }
  return openOsfHandle;
}

/**
 * A socket over `handle`, readable or writable (our pipes are one-way). The socket owns the handle
 * from then on: destroying it closes the handle. `allowHalfOpen` keeps Node from ending a one-way
 * pipe early (without it only the first 64 KiB arrived under Wine).
 */
export function socketForHandle(handle: number, direction: 'readable' | 'writable'): net.Socket {
  const fd = bind()(handle);
  if (fd < 0) throw new Error(`uv_open_osfhandle failed for pipe handle ${handle}: ${fd}`);
  return new net.Socket({ fd, readable: direction === 'readable', writable: direction === 'writable', allowHalfOpen: true });
}
