// Waits for a named pipe's client without ever blocking the event loop: an overlapped
// ConnectNamedPipe, then its completion polled from an unref'd timer with a non-blocking
// GetOverlappedResult (bWait = FALSE).
//
// Why not koffi's `.async` ConnectNamedPipe (or a blocking wait)? Those park a call on libuv's
// threadpool (4 threads by default) for as long as the runner takes to connect: two pending
// connects would halve the pool that the whole Electron main process uses for fs, dns and zlib,
// and a wait nobody answers keeps the process from exiting. A poll costs one cheap call per tick.
import { lazyApi, win32, type Out } from './win32-api';
import { lastWin32Error } from './win32-error';

interface OverlappedApi {
  ConnectNamedPipe(pipe: number, overlapped: Buffer): number;
  GetOverlappedResult(handle: number, overlapped: Buffer, transferred: Out<number>, wait: number): number;
  CancelIoEx(handle: number, overlapped: Buffer | null): number;
}

// The OVERLAPPED lives in a Node Buffer: its memory never moves, and the caller keeps it alive
// until the operation's completion has been collected.
const overlappedApi = lazyApi<OverlappedApi>((dll) => {
  const kernel32 = dll('kernel32.dll');
  return {
    ConnectNamedPipe: kernel32.func('int __stdcall ConnectNamedPipe(intptr_t pipe, void *overlapped)'),
    GetOverlappedResult: kernel32.func('int __stdcall GetOverlappedResult(intptr_t handle, void *overlapped, _Out_ uint32_t *transferred, int wait)'),
    CancelIoEx: kernel32.func('int __stdcall CancelIoEx(intptr_t handle, void *overlapped)'),
  };
});

/** What the pipe must be created with (CreateNamedPipeW's open mode) for connectOverlapped. */
export const FILE_FLAG_OVERLAPPED = 0x40000000;
const ERROR_PIPE_CONNECTED = 535;
const ERROR_IO_INCOMPLETE = 996;
const ERROR_IO_PENDING = 997;
const ERROR_NOT_FOUND = 1168;

/** sizeof(OVERLAPPED) on x64: Internal, InternalHigh, Offset/OffsetHigh (or Pointer), hEvent. */
const OVERLAPPED_SIZE = 32;
const FIRST_POLL_MS = 1;
const MAX_POLL_MS = 20;
/** OVERLAPPED buffers whose cancellation could not be confirmed (should stay empty). */
const unconfirmed = new Set<Buffer>();

export interface PendingConnect {
  /** Settles when the client connected, the wait failed or it was cancelled. */
  readonly done: Promise<void>;
  /** Cancels a pending wait (CancelIoEx), collects its completion, then rejects `done` with `reason`. */
  cancel(reason: unknown): void;
}

/**
 * Starts waiting for the client of `pipe` (created with FILE_FLAG_OVERLAPPED). `label` names the
 * pipe in errors. The OVERLAPPED buffer stays referenced by this closure until its completion has
 * been collected, so the OS never writes into freed memory.
 */
export function connectOverlapped(pipe: number, label: string): PendingConnect {
  const api = overlappedApi();
  const overlapped = Buffer.alloc(OVERLAPPED_SIZE); // no hEvent: completion is read from the buffer
  const transferred: [number] = [0];
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const finish = (err?: unknown) => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    if (err === undefined) resolve();
    else reject(err);
  };

  if (api.ConnectNamedPipe(pipe, overlapped)) {
    finish(); // completed at once
  } else {
    const err = lastWin32Error(`ConnectNamedPipe(${label})`);
    if (err.code === ERROR_PIPE_CONNECTED) finish(); // the client came first: connected
    else if (err.code !== ERROR_IO_PENDING) finish(err);
    else {
      let delay = FIRST_POLL_MS;
      const poll = () => {
        timer = undefined;
        if (settled) return;
        if (api.GetOverlappedResult(pipe, overlapped, transferred, 0)) return finish();
        const pollErr = lastWin32Error(`ConnectNamedPipe(${label})`);
        if (pollErr.code !== ERROR_IO_INCOMPLETE) return finish(pollErr);
        delay = Math.min(delay * 2, MAX_POLL_MS);
        schedule();
      };
      const schedule = () => {
        timer = setTimeout(poll, delay);
        timer.unref(); // a wait nobody answers must not keep the process alive
      };
      schedule();
    }
  }

  return {
    done,
    cancel(reason: unknown) {
      if (settled) return;
      if (timer) clearTimeout(timer);
      // Cancel, then collect the completion before letting go of the buffer. After CancelIoEx the
      // blocking GetOverlappedResult returns at once (aborted, or connected if the client won).
      if (api.CancelIoEx(pipe, overlapped) || win32().GetLastError() === ERROR_NOT_FOUND) {
        api.GetOverlappedResult(pipe, overlapped, transferred, 1);
      } else {
        unconfirmed.add(overlapped); // completion unknowable: never free what the OS may still write
      }
      finish(reason);
    },
  };
}

