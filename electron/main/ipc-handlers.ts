// The main-side handlers of the contract, as plain functions of (caller, args). Electron's glue
// (register-ipc.ts) routes ipcMain to them; the e2e harness routes Playwright bindings to the same
// functions. Every handler first checks the sender, then the arguments, and answers bad input
// with a rejected promise carrying a specific message.
import type { SessionManager } from '../../src/session/session-manager';
import type { InvokeChannel, InvokeChannels, SessionStatus } from '../common/ipc-contract';
import { CoalescedPush } from './coalesced-push';
import type { IpcCaller } from './ipc-caller';
import { expectNoArgs, expectSessionId } from './ipc-args';
import { senderRefusal, type SenderPolicy } from './sender-check';

export type RunnerPipesHandler<C extends InvokeChannel> = (caller: IpcCaller, args: readonly unknown[]) => Promise<InvokeChannels[C]['result']>;
export type RunnerPipesHandlers = { [C in InvokeChannel]: RunnerPipesHandler<C> };

export interface RunnerPipesHandlerOptions {
  manager: SessionManager;
  policy: SenderPolicy;
  /** Minimum time between two pushes to one window. Default 200 ms (5 per second). */
  pushIntervalMs?: number;
}

export class SenderRefusedError extends Error {
  override name = 'SenderRefusedError';
}

export interface RunnerPipesIpc {
  handlers: RunnerPipesHandlers;
  /** Windows currently receiving pushes. */
  watcherCount(): number;
  /** Stops every push and detaches from the manager. */
  dispose(): void;
}

export function createRunnerPipesHandlers(options: RunnerPipesHandlerOptions): RunnerPipesIpc {
  const { manager, policy } = options;
  const intervalMs = options.pushIntervalMs ?? 200;
  const watchers = new Map<number, CoalescedPush<SessionStatus[]>>();
  const onChange = () => {
    for (const w of watchers.values()) w.poke();
  };
  manager.on('change', onChange);

  function trusted(caller: IpcCaller, channel: InvokeChannel): void {
    const refusal = senderRefusal(caller, policy);
    if (refusal) throw new SenderRefusedError(`${channel} refused: ${refusal}`);
  }

  function unwatch(contentsId: number): void {
    watchers.get(contentsId)?.dispose();
    watchers.delete(contentsId);
  }

  const handlers: RunnerPipesHandlers = {
    'runner-pipes:list': async (caller, args) => {
      trusted(caller, 'runner-pipes:list');
      expectNoArgs('runner-pipes:list', args);
      return manager.list();
    },
    'runner-pipes:terminate': async (caller, args) => {
      trusted(caller, 'runner-pipes:terminate');
      const [id] = expectSessionId('runner-pipes:terminate', args);
      const session = manager.get(id);
      if (!session) throw new Error(`runner-pipes:terminate: no session with id ${JSON.stringify(id)}`);
      // Ending an ended session is a no-op: the click may race the exit.
      session.terminate();
    },
    'runner-pipes:watch': async (caller, args) => {
      trusted(caller, 'runner-pipes:watch');
      expectNoArgs('runner-pipes:watch', args);
      const existing = watchers.get(caller.contentsId);
      if (existing) return existing.poke(); // a reloaded page watches again: send it the list
      const push = new CoalescedPush({ intervalMs, read: () => manager.list(), send: (s) => caller.push(s) });
      watchers.set(caller.contentsId, push);
      caller.onGone(() => unwatch(caller.contentsId));
      push.poke(); // the current list first, so a new subscriber is never blank
    },
    'runner-pipes:unwatch': async (caller, args) => {
      trusted(caller, 'runner-pipes:unwatch');
      expectNoArgs('runner-pipes:unwatch', args);
      unwatch(caller.contentsId);
    },
  };

  return {
    handlers,
    watcherCount: () => watchers.size,
    dispose() {
      manager.off('change', onChange);
      for (const id of [...watchers.keys()]) unwatch(id);
    },
  };
}
