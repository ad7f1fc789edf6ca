// A process we hold a handle to, as a RunnerProcess: its exit polled from an unref'd timer
// (WaitForSingleObject with a zero timeout, never a blocking wait on the main thread nor a call
// parked on libuv's threadpool), TerminateProcess for kill(), the handle closed once it exited.
import type { RunnerExit, RunnerProcess } from '../launch-runner';
import { WAIT_OBJECT_0, win32 } from '../../../os/win32/win32-api';

const EXIT_POLL_MS = 25;

/** Takes ownership of `handle` (needs SYNCHRONIZE, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_TERMINATE). */
export function watchProcessHandle(handle: number, pid: number): RunnerProcess {
  const api = win32();
  let exitInfo: RunnerExit | undefined;
  let timer: NodeJS.Timeout | undefined;
  let killed = false;
  let settle!: (exit: RunnerExit) => void;
  const exited = new Promise<RunnerExit>((resolve) => (settle = resolve));

  const poll = () => {
    timer = undefined;
    if (exitInfo) return;
    if (api.WaitForSingleObject(handle, 0) === WAIT_OBJECT_0) {
      const code: [number] = [0];
      exitInfo = { code: api.GetExitCodeProcess(handle, code) ? code[0] | 0 : null, signal: null };
      api.CloseHandle(handle);
      settle(exitInfo);
      return;
    }
    timer = setTimeout(poll, EXIT_POLL_MS);
    // Watching a live runner must not keep the app alive by itself; once killed, its exit is
    // imminent and whoever ends the session waits for it.
    if (!killed) timer.unref();
  };
  poll();

  return {
    pid,
    exited,
    exit: () => exitInfo,
    // No stderr pipe: see the launcher for why.
    stderrTail: () => '',
    kill: () => {
      if (exitInfo || killed) return;
      killed = true;
      // A failure here means the process is already exiting; the poll collects it either way.
      api.TerminateProcess(handle, 1);
      if (timer) clearTimeout(timer);
      poll();
    },
  };
}
