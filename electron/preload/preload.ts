// The preload: bundled into one file (a sandboxed preload cannot require project files) and the
// only code that touches ipcRenderer. It exposes exactly `window.runnerPipes` with three functions;
// channel names, the IpcRendererEvent and ipcRenderer itself never reach the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  RUNNER_PIPES_GLOBAL,
  SESSIONS_PUSH,
  type InvokeChannel,
  type InvokeChannels,
  type RunnerPipesApi,
  type RunnerPipesUpdate,
} from '../common/ipc-contract';

function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeChannels[C]['args']): Promise<InvokeChannels[C]['result']> {
  return ipcRenderer.invoke(channel, ...args);
}

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
  list: () => invoke('runner-pipes:list'),
  // The id goes to main as given: main validates it and rejects with the reason.
  terminate: (id) => invoke('runner-pipes:terminate', id),
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('runnerPipes.subscribe(listener): listener must be a function');
    // A wrapper per call, so subscribing one function twice yields two independent subscriptions.
    const entry: Listener = (update) => listener(update.sessions, update.pools, update.readiness ?? []);
    listeners.add(entry);
    if (listeners.size === 1) {
      ipcRenderer.on(SESSIONS_PUSH, onUpdate);
      invoke('runner-pipes:watch').catch(reportWatchFailure);
    } else if (latest) {
      // A later subscriber gets the current state now; never from inside subscribe() itself.
      const current = latest;
      queueMicrotask(() => listeners.has(entry) && entry(current));
    } // else: the first push is on its way and reaches every listener
    return () => {
      if (!listeners.delete(entry) || listeners.size > 0) return;
      latest = null;
      ipcRenderer.removeListener(SESSIONS_PUSH, onUpdate);
      invoke('runner-pipes:unwatch').catch(reportWatchFailure);
    };
  },
};

contextBridge.exposeInMainWorld(RUNNER_PIPES_GLOBAL, runnerPipes);
