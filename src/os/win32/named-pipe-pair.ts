// Windows: the two named pipes of upstream's runner IPC, created so that only the sandbox user
// may open them, waited on without blocking the event loop, then handed to Node streams.
import type { Duplex } from 'node:stream';
import { windowsPipeNames } from '../pipe-names';
import type { PipeRole, RunnerPipeOptions, RunnerPipePair } from '../runner-pipes';
import { socketForHandle } from './handle-stream';
import { connectOverlapped, FILE_FLAG_OVERLAPPED, type PendingConnect } from './overlapped-connect';
import { readDaclSddl, SDDL_REVISION_1, securityApi } from './security-info';
import { currentUserSid, sidForUser } from './sid';
import { INVALID_HANDLE_VALUE, lazyApi, win32, type Out, type SecurityAttributes } from './win32-api';
import { lastWin32Error } from './win32-error';

export interface NamedPipeApi {
  CreateNamedPipeW(name: string, openMode: number, pipeMode: number, maxInstances: number, outSize: number, inSize: number, timeout: number, attributes: SecurityAttributes): number;
  GetNamedPipeClientProcessId(pipe: number, pid: Out<number>): number;
}

export const namedPipeApi = lazyApi<NamedPipeApi>((dll) => {
  const kernel32 = dll('kernel32.dll');
  return {
    CreateNamedPipeW: kernel32.func(
      'intptr_t __stdcall CreateNamedPipeW(const char16_t *name, uint32_t openMode, uint32_t pipeMode, uint32_t maxInstances, uint32_t outSize, uint32_t inSize, uint32_t timeout, const SECURITY_ATTRIBUTES *attributes)',
    ),
    GetNamedPipeClientProcessId: kernel32.func('int __stdcall GetNamedPipeClientProcessId(intptr_t pipe, _Out_ uint32_t *pid)'),
  };
});

export const PIPE_ACCESS_INBOUND = 0x1;
export const PIPE_ACCESS_OUTBOUND = 0x2;
export const FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
export const PIPE_TYPE_BYTE = 0x0;
export const PIPE_READMODE_BYTE = 0x0;
export const PIPE_WAIT = 0x0;
const PIPE_REJECT_REMOTE_CLIENTS = 0x8;

const PIPE_BUFFER_BYTES = 65536;

/** The DACL upstream puts on both pipes: GENERIC_ALL for the sandbox user, nobody else. */
export function pipeSddl(sid: string): string {
  return `D:(A;;GA;;;${sid})`;
}

interface Endpoint {
  role: PipeRole;
  name: string;
  /** 0 once closed or owned by a stream. */
  handle: number;
  connected: boolean;
  pending?: PendingConnect;
  streamTaken: boolean;
  access?: string;
}

/**
 * Creates one pipe. `-in` is written by us (outbound), `-out` read by us (inbound); upstream's
 * arguments plus FIRST_PIPE_INSTANCE (fail rather than join a pipe someone else created under our
 * name) and REJECT_REMOTE_CLIENTS, and OVERLAPPED so the connect can be polled and cancelled.
 */
function createPipe(name: string, role: PipeRole, securityDescriptor: unknown): number {
  const access = role === 'in' ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND;
  const handle = namedPipeApi().CreateNamedPipeW(
    name,
    access | FILE_FLAG_FIRST_PIPE_INSTANCE | FILE_FLAG_OVERLAPPED,
    PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
    1,
    PIPE_BUFFER_BYTES,
    PIPE_BUFFER_BYTES,
    0,
    { nLength: win32().koffi.sizeof('SECURITY_ATTRIBUTES'), lpSecurityDescriptor: securityDescriptor, bInheritHandle: 0 },
  );
  if (handle === INVALID_HANDLE_VALUE || handle === 0) throw lastWin32Error(`CreateNamedPipeW(${name})`);
  return handle;
}

/**
 * Both pipes, admitting only the user account `options.sandboxUsername` (default: the user this
 * process runs as, from its token). `nonce` is for
 * tests that need a known name; sessions always get a fresh CSPRNG nonce.
 */
export async function createNamedPipePair(options: RunnerPipeOptions & { nonce?: string } = {}): Promise<RunnerPipePair> {
  const api = win32();
  // No sandbox user: the token's own SID, not a lookup of our name (which could name another account).
  const sid = options.sandboxUsername === undefined ? currentUserSid() : sidForUser(options.sandboxUsername);
  const names = windowsPipeNames(options.nonce);

  const descriptor: [unknown] = [null];
  if (!securityApi().ConvertStringSecurityDescriptorToSecurityDescriptorW(pipeSddl(sid), SDDL_REVISION_1, descriptor, null)) {
    throw lastWin32Error('ConvertStringSecurityDescriptorToSecurityDescriptorW');
  }
  const endpoints = new Map<PipeRole, Endpoint>();
  try {
    for (const role of ['in', 'out'] as const) {
      endpoints.set(role, { role, name: names[role], handle: createPipe(names[role], role, descriptor[0]), connected: false, streamTaken: false });
    }
  } catch (err) {
    for (const ep of endpoints.values()) api.CloseHandle(ep.handle);
    throw err;
  } finally {
    api.LocalFree(descriptor[0]); // the pipes keep their own copy
  }

  let closed = false;
  const endpoint = (role: PipeRole): Endpoint => {
    const ep = endpoints.get(role);
    if (!ep) throw new TypeError(`unknown pipe role ${String(role)}`);
    return ep;
  };
  const label = (ep: Endpoint) => `pipe-${ep.role} ${ep.name}`;

  return {
    names,

    async waitForClient(role: PipeRole, signal: AbortSignal): Promise<void> {
      const ep = endpoint(role);
      if (closed) throw new Error(`${label(ep)} is closed`);
      if (ep.connected) return;
      if (signal.aborted) throw signal.reason;
      if (ep.pending) throw new Error(`${label(ep)} already has a wait in progress`);
      const pending = connectOverlapped(ep.handle, ep.name);
      ep.pending = pending;
      const onAbort = () => pending.cancel(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await pending.done;
        ep.connected = true;
      } finally {
        signal.removeEventListener('abort', onAbort);
        ep.pending = undefined;
      }
    },

    clientProcessId(role: PipeRole): number {
      const ep = endpoint(role);
      if (!ep.connected || ep.handle === 0) throw new Error(`${label(ep)} has no connected client`);
      const pid: [number] = [0];
      if (!namedPipeApi().GetNamedPipeClientProcessId(ep.handle, pid)) throw lastWin32Error(`GetNamedPipeClientProcessId(${ep.name})`);
      return pid[0];
    },

    openStream(role: PipeRole): Duplex {
      const ep = endpoint(role);
      if (closed) throw new Error(`${label(ep)} is closed`);
      if (ep.streamTaken) throw new Error(`${label(ep)} stream already opened`);
      if (!ep.connected) throw new Error(`${label(ep)} has no client`);
      const socket = socketForHandle(ep.handle, role === 'in' ? 'writable' : 'readable');
      ep.streamTaken = true;
      ep.handle = 0; // the socket closes it
      return socket;
    },

    describeAccess(role: PipeRole): string | undefined {
      const ep = endpoint(role);
      if (ep.access === undefined && ep.handle !== 0) ep.access = readDaclSddl(ep.handle, ep.name);
      return ep.access;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const ep of endpoints.values()) {
        ep.pending?.cancel(new Error(`${label(ep)} closed while waiting for the runner`));
        if (ep.handle !== 0) api.CloseHandle(ep.handle);
        ep.handle = 0;
      }
    },
  };
}
