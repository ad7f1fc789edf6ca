// The preload: bundled into one file (a sandboxed preload cannot require project files) and the
// only code that touches ipcRenderer. It exposes exactly `window.runnerPipes` with three functions;
// channel names, the IpcRendererEvent and ipcRenderer itself never reach the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  RUNNER_PIPES_GLOBAL,
  RUNNER_PIPES_IPC,
  type Invoke,
  type PushChannel,
  type RequestChannel,
  type RunnerPipesApi,
  type RunnerPipesUpdate,
} from '../common/ipc-contract';

/**
 * The page's call of a request. It sends exactly as many arguments as the channel declares
 * (a missing one as undefined, extras dropped), as given: main checks each and rejects with the reason.
 */
function invoker<C extends RequestChannel>(channel: C): Invoke<C> {
  const count = RUNNER_PIPES_IPC.requests[channel].args.length;
  return (...args) => ipcRenderer.invoke(channel, ...Array.from({ length: count }, (_, i) => (args as readonly unknown[])[i]));
}

const SESSIONS_PUSH = 'runner-pipes:sessions' satisfies PushChannel;
const watch = invoker('runner-pipes:watch');
const unwatch = invoker('runner-pipes:unwatch');

type Listener = (update: RunnerPipesUpdate) => void;
const listeners = new Set<Listener>();
/** The last push while anyone listens: main pushes only on change, so a later subscriber starts from it. */
let latest: RunnerPipesUpdate | null = null;

function onUpdate(_event: IpcRendererEvent, update: RunnerPipesUpdate): void {
  latest = update;
  for (const listener of [...listeners]) listener(update);
}

function reportWatchFailure(err: unknown): void {
  console.error('runnerPipes: status updates unavailable:', err);
}

const runnerPipes: RunnerPipesApi = {
  list: invoker('runner-pipes:list'),
  terminate: invoker('runner-pipes:terminate'),
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('runnerPipes.subscribe(listener): listener must be a function');
    // A wrapper per call, so subscribing one function twice yields two independent subscriptions.
    const entry: Listener = (update) => listener(update.sessions, update.pools, update.readiness ?? []);
    listeners.add(entry);
    if (listeners.size === 1) {
      ipcRenderer.on(SESSIONS_PUSH, onUpdate);
      watch().catch(reportWatchFailure);
    } else if (latest) {
      // A later subscriber gets the current state now; never from inside subscribe() itself.
      const current = latest;
      queueMicrotask(() => listeners.has(entry) && entry(current));
    } // else: the first push is on its way and reaches every listener
    return () => {
      if (!listeners.delete(entry) || listeners.size > 0) return;
      latest = null;
      ipcRenderer.removeListener(SESSIONS_PUSH, onUpdate);
      unwatch().catch(reportWatchFailure);
    };
  },
};

contextBridge.exposeInMainWorld(RUNNER_PIPES_GLOBAL, runnerPipes);
