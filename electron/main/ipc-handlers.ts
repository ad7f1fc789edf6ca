// The main-side handlers of the contract, as plain functions of (caller, args). Electron's glue
// (register-ipc.ts) routes ipcMain to them; the e2e harness routes Playwright bindings to the same
// functions. Each goes through guardHandlers (the sender, then the arguments), so the handlers
// here see only trusted callers and checked arguments.
import type { SessionManager } from '../../src/main/session/session-manager';
import type { RunnerPipesUpdate } from '../common/ipc-contract';
import { CoalescedPush } from './coalesced-push';
import { guardHandlers, type GuardedHandlers, type RequestHandlers } from './guarded-handlers';
import { ReadinessWatch, type ReadinessReader } from './readiness-watch';
import type { SenderPolicy } from './sender-check';

export interface RunnerPipesHandlerOptions {
  manager: SessionManager;
  policy: SenderPolicy;
  /** Minimum time between two pushes to one window. Default 200 ms (5 per second). */
  pushIntervalMs?: number;
  /** How a codex home's readiness is read (default: sandboxReadiness). */
  readReadiness?: ReadinessReader;
}

export interface RunnerPipesIpc {
  handlers: GuardedHandlers;
  /** Windows currently receiving pushes. */
  watcherCount(): number;
  /** Stops every push, drops every window-gone listener and detaches from the manager. */
  dispose(): void;
}

/** One window that has watched: its pushes (null after unwatch) and its one window-gone listener. */
interface WatchedWindow {
  push: CoalescedPush<RunnerPipesUpdate> | null;
  stopListening: () => void;
}

export function createRunnerPipesHandlers(options: RunnerPipesHandlerOptions): RunnerPipesIpc {
  const { manager } = options;
  const intervalMs = options.pushIntervalMs ?? 200;
  // Keyed by contents id. The window-gone listener is added at a window's first watch and kept
  // across unwatch/watch (a page reload does both): one per window, never one per watch.
  const windows = new Map<number, WatchedWindow>();
  const pokeAll = () => {
    for (const w of windows.values()) w.push?.poke();
  };
  const readiness = new ReadinessWatch(pokeAll, options.readReadiness);
  const onChange = () => {
    readiness.sessionsChanged(manager.list());
    pokeAll();
  };
  manager.on('change', onChange);
  manager.on('pools', onChange);
  readiness.sessionsChanged(manager.list());
  const readUpdate = (): RunnerPipesUpdate => ({ sessions: manager.list(), pools: manager.poolStatus(), readiness: readiness.list() });

  function windowGone(contentsId: number): void {
    windows.get(contentsId)?.push?.dispose();
    windows.delete(contentsId); // its 'destroyed' listener fired once and is gone with it
  }

  const handlers: RequestHandlers = {
    'runner-pipes:list': () => manager.list(),
    'runner-pipes:terminate': (_caller, id) => {
      const session = manager.get(id);
      if (!session) throw new Error(`runner-pipes:terminate: no session with id ${JSON.stringify(id)}`);
      // Ending an ended session is a no-op: the click may race the exit.
      session.terminate();
    },
    'runner-pipes:watch': (caller) => {
      const id = caller.contentsId;
      let watched = windows.get(id);
      if (!watched) {
        watched = { push: null, stopListening: () => {} };
        windows.set(id, watched);
        watched.stopListening = caller.onGone(() => windowGone(id));
      }
      if (watched.push) return watched.push.poke(); // a reloaded page watches again: send it the state
      watched.push = new CoalescedPush({ intervalMs, read: readUpdate, send: (update) => caller.push(update) });
      watched.push.poke(); // the current state first, so a new subscriber is never blank
    },
    'runner-pipes:unwatch': (caller) => {
      const watched = windows.get(caller.contentsId);
      watched?.push?.dispose();
      if (watched) watched.push = null;
    },
  };

  return {
    handlers: guardHandlers(handlers, options.policy),
    watcherCount: () => [...windows.values()].filter((w) => w.push).length,
    dispose() {
      manager.off('change', onChange);
      manager.off('pools', onChange);
      readiness.dispose();
      for (const w of windows.values()) {
        w.push?.dispose();
        w.stopListening();
      }
      windows.clear();
    },
  };
}
