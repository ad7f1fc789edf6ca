// The one declaration of the IPC between the main process and the panel: channel names and what
// each carries. Main, preload and renderer all import from here, so the two sides cannot drift.
// Types only plus one constant list: safe to import from any process (no Node, no Electron).
import type { CodexSandboxUse, PoolStatus, SessionStatus } from '../../src/main/session/session-status';

export type {
  CodexSandboxUse,
  EndReason,
  PipeStatus,
  PolicyStatus,
  PoolStatus,
  ProtocolStatus,
  RunnerStatus,
  SessionStage,
  SessionStatus,
  TrafficCounter,
} from '../../src/main/session/session-status';

/**
 * codex's sandbox readiness in one codex home in use (src/main/codex/home/readiness.ts), for reading only,
 * read with the options of the sessions that use it (one line per distinct set of options).
 */
export interface CodexHomeReadiness extends CodexSandboxUse {
  state: 'ready' | 'not_configured' | 'update_required';
  reasons: { code: string; message: string }[];
}

/**
 * What every push carries: all sessions, the manager's warm-runner pools (empty when none), and the
 * sandbox readiness of each codex home the sessions use (filled in as it is read; empty when none).
 */
export interface RunnerPipesUpdate {
  sessions: SessionStatus[];
  pools: PoolStatus[];
  readiness: CodexHomeReadiness[];
}

/** Every channel the module uses; anything else is refused on both sides. */
export const RUNNER_PIPES_CHANNELS = [
  'runner-pipes:list',
  'runner-pipes:terminate',
  'runner-pipes:watch',
  'runner-pipes:unwatch',
  'runner-pipes:sessions',
] as const;
export type RunnerPipesChannel = (typeof RUNNER_PIPES_CHANNELS)[number];

/** Renderer -> main request/response channels (`ipcRenderer.invoke` / `ipcMain.handle`). */
export interface InvokeChannels {
  'runner-pipes:list': { args: []; result: SessionStatus[] };
  'runner-pipes:terminate': { args: [id: string]; result: void };
  /** Start pushing `runner-pipes:sessions` to the calling window (the current state comes first). */
  'runner-pipes:watch': { args: []; result: void };
  'runner-pipes:unwatch': { args: []; result: void };
}
export type InvokeChannel = keyof InvokeChannels;

/** Main -> renderer pushes (`webContents.send` / `ipcRenderer.on`). */
export interface PushChannels {
  'runner-pipes:sessions': RunnerPipesUpdate;
}
export type PushChannel = keyof PushChannels;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = ['runner-pipes:list', 'runner-pipes:terminate', 'runner-pipes:watch', 'runner-pipes:unwatch'];
export const SESSIONS_PUSH: PushChannel = 'runner-pipes:sessions';

/** Exactly what the preload exposes as `window.runnerPipes`; nothing else crosses the bridge. */
export interface RunnerPipesApi {
  /** The sessions now (the pools come only with `subscribe`). */
  list(): Promise<SessionStatus[]>;
  /**
   * Calls `listener` with every session and every warm-runner pool, at once with the current
   * state and then on every (coalesced) change; returns the unsubscribe.
   */
  subscribe(listener: (sessions: SessionStatus[], pools: PoolStatus[], readiness: CodexHomeReadiness[]) => void): () => void;
  terminate(id: string): Promise<void>;
}
export const RUNNER_PIPES_API_KEYS = ['list', 'subscribe', 'terminate'] as const satisfies readonly (keyof RunnerPipesApi)[];
export const RUNNER_PIPES_GLOBAL = 'runnerPipes';

/** Session ids are minted by the manager; anything longer or odder is refused before lookup. */
export const MAX_SESSION_ID_LENGTH = 128;
