// The one declaration of the IPC between the main process and the panel: RUNNER_PIPES_IPC names
// every channel once, with what it carries. Main's handler table and argument checks, the preload's
// calls and the page's API are all typed from it, so the two sides cannot drift.
// Plain data and types: safe to import from any process (no Node, no Electron).
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

/** Session ids are minted by the manager; anything longer or odder is refused before lookup. */
export const MAX_SESSION_ID_LENGTH = 128;

/** The kinds of argument a request can carry, each with the type it has once main has checked it (electron/main/ipc-args.ts). */
export interface ArgKinds {
  /** A non-empty string of at most MAX_SESSION_ID_LENGTH characters. */
  sessionId: string;
}
export type ArgKind = keyof ArgKinds;

/** A type written into the declaration for the compiler; nothing reads it at run time. */
interface Typed<T> {
  readonly type?: T;
}
const typed = <T>(): Typed<T> => ({});

/**
 * Every channel, declared once. `requests` go renderer -> main (`ipcRenderer.invoke` /
 * `ipcMain.handle`): the kinds of their arguments, which main checks before any handler runs, and
 * their result. `pushes` go main -> renderer (`webContents.send` / `ipcRenderer.on`). No other
 * channel is handled or listened to on either side.
 */
export const RUNNER_PIPES_IPC = {
  requests: {
    /** The sessions now. */
    'runner-pipes:list': { args: [], result: typed<SessionStatus[]>() },
    /** Ends the session; a no-op for one that has ended (the click may race the exit). */
    'runner-pipes:terminate': { args: ['sessionId'], result: typed<void>() },
    /** Start pushing `runner-pipes:sessions` to the calling window (the current state comes first). */
    'runner-pipes:watch': { args: [], result: typed<void>() },
    'runner-pipes:unwatch': { args: [], result: typed<void>() },
  },
  pushes: {
    'runner-pipes:sessions': { payload: typed<RunnerPipesUpdate>() },
  },
} as const satisfies {
  requests: Record<string, { args: readonly ArgKind[]; result: Typed<unknown> }>;
  pushes: Record<string, { payload: Typed<unknown> }>;
};

type Requests = (typeof RUNNER_PIPES_IPC)['requests'];
type Pushes = (typeof RUNNER_PIPES_IPC)['pushes'];
export type RequestChannel = keyof Requests;
export type PushChannel = keyof Pushes;

/** The arguments' types for a list of kinds: `['sessionId']` is `[string]`. */
export type ArgTypes<K extends readonly ArgKind[]> = { -readonly [I in keyof K]: K[I] extends ArgKind ? ArgKinds[K[I]] : never };
export type RequestArgs<C extends RequestChannel> = ArgTypes<Requests[C]['args']>;
export type RequestResult<C extends RequestChannel> = Requests[C]['result'] extends Typed<infer R> ? R : never;
export type PushPayload<C extends PushChannel> = Pushes[C]['payload'] extends Typed<infer P> ? P : never;

/** The request channels, for registering one handler each. */
export const REQUEST_CHANNELS = Object.keys(RUNNER_PIPES_IPC.requests) as readonly RequestChannel[];

/** A request as the page makes it: the arguments in, main's result (or its refusal) out. */
export type Invoke<C extends RequestChannel> = (...args: RequestArgs<C>) => Promise<RequestResult<C>>;

/** Exactly what the preload exposes as `window.runnerPipes`; nothing else crosses the bridge. */
export interface RunnerPipesApi {
  /** The sessions now (the pools come only with `subscribe`). */
  list: Invoke<'runner-pipes:list'>;
  /**
   * Calls `listener` with every session and every warm-runner pool, at once with the current
   * state and then on every (coalesced) change; returns the unsubscribe. Made of
   * `runner-pipes:watch`, the `runner-pipes:sessions` pushes and `runner-pipes:unwatch`.
   */
  subscribe(listener: (sessions: SessionStatus[], pools: PoolStatus[], readiness: CodexHomeReadiness[]) => void): () => void;
  /** Ends a session; rejects with main's reason for a bad or unknown id. */
  terminate: Invoke<'runner-pipes:terminate'>;
}
export const RUNNER_PIPES_GLOBAL = 'runnerPipes';
