// A process we hold a handle to, as a RunnerProcess: its exit polled from an unref'd timer
// (WaitForSingleObject with a zero timeout, never a blocking wait on the main thread nor a call
// parked on libuv's threadpool), TerminateProcess for kill(), the handle closed once it exited.
import type { RunnerExit, RunnerProcess } from '../launch-runner';
import { closeHandle, processExitCode, processHasExited, terminateProcess } from '../../../os/win32/process-api';

const EXIT_POLL_MS = 25;

/** Takes ownership of `handle` (needs SYNCHRONIZE, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_TERMINATE). */
export function watchProcessHandle(handle: number, pid: number): RunnerProcess {
  let exitInfo: RunnerExit | undefined;
  let timer: NodeJS.Timeout | undefined;
  let killed = false;
  let settle!: (exit: RunnerExit) => void;
  const exited = new Promise<RunnerExit>((resolve) => (settle = resolve));

  const poll = () => {
    timer = undefined;
    if (exitInfo) return;
    if (processHasExited(handle)) {
      const code = processExitCode(handle);
      exitInfo = { code: code === null ? null : code | 0, signal: null };
      closeHandle(handle);
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
      terminateProcess(handle, 1);
      if (timer) clearTimeout(timer);
      poll();
    },
  };
}
