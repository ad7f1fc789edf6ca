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
  type SessionStatus,
} from '../common/ipc-contract';

function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeChannels[C]['args']): Promise<InvokeChannels[C]['result']> {
  return ipcRenderer.invoke(channel, ...args);
}

type Listener = (sessions: SessionStatus[]) => void;
const listeners = new Set<Listener>();

function onSessions(_event: IpcRendererEvent, sessions: SessionStatus[]): void {
  for (const listener of [...listeners]) listener(sessions);
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
    const entry: Listener = (sessions) => listener(sessions);
    listeners.add(entry);
    if (listeners.size === 1) {
      ipcRenderer.on(SESSIONS_PUSH, onSessions);
      invoke('runner-pipes:watch').catch(reportWatchFailure);
    } else {
      // Main pushes only on change; a later subscriber gets the current list now.
      invoke('runner-pipes:list').then((sessions) => listeners.has(entry) && entry(sessions), reportWatchFailure);
    }
    return () => {
      if (!listeners.delete(entry) || listeners.size > 0) return;
      ipcRenderer.removeListener(SESSIONS_PUSH, onSessions);
      invoke('runner-pipes:unwatch').catch(reportWatchFailure);
    };
  },
};

contextBridge.exposeInMainWorld(RUNNER_PIPES_GLOBAL, runnerPipes);
