// Owns the sessions of one app: starts them (through a bounded number of launch slots, and from
// warm runners when asked), lists them, and tells listeners when any changes. Everything its
// sessions share is its own (manager-state.ts): two managers are independent.
import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import { Admission } from './admission';
import { ManagerState } from './manager-state';
import type { RunnerLauncherOptions } from '../launch/launch-runner';
import { Session, type SessionResult } from './session';
import { DEFAULT_CONNECT_TIMEOUT_MS, MAX_TIMER_MS } from './session-options';
import { checkSessionOptions, resolveSessionOptions, type SessionDefaults, type SessionOptions } from './public-options';
import type { PoolStatus, SessionStatus } from './session-status';
import { WarmRunnerPool } from './warm-pool';
import { PrivateDesktops } from '../codex/sandbox-prep/private-desktops';

export interface SessionManagerEvents {
  /** A session was added, changed, or ended. Fires often while output streams: coalesce. */
  change: [id: string];
  /** The warm-runner pools changed (`poolStatus()`). */
  pools: [];
}

export interface SessionManagerOptions {
  /**
   * Defaults applied to every session started through this manager. A session's own options win;
   * `timeouts` and `advanced` merge one level deep; `runner` is replaced as a whole.
   */
  defaults?: SessionDefaults;
  /** Ended sessions kept for `list()`; older ones are forgotten. */
  keepEnded?: number;
  /**
   * Runner launches and connects in flight at once; more sessions wait in `queued`. Default: the
   * number of cores, at least 2. A burst then never fails by a timeout that measures its own queue.
   */
  launchConcurrency?: number;
  /**
   * Runners kept launched, connected and verified per launch identity in use, so a session starts
   * at `spawn_sent`. Default 0 (off); the Electron app uses 1.
   */
  warmRunners?: number;
  /** How long a warm runner may wait unused before it is closed. Default 60 s. */
  warmIdleMs?: number;
  /**
   * Warm runners kept in all, across launch identities (each is a whole process). Past it, the
   * runner idle the longest is closed to make room. Default 8 (at least `warmRunners`).
   */
  maxWarmRunners?: number;
  /**
   * This manager's runner launcher (Linux, macOS): one helper process that starts its runners,
   * started at the first launch and ended by dispose(). A packaged app names its copy of the
   * script here (`configureAppRunner` in `codex-runner-ipc/electron` returns it).
   */
  launcher?: RunnerLauncherOptions;
}

export const DEFAULT_WARM_IDLE_MS = 60_000;
export const DEFAULT_MAX_WARM_RUNNERS = 8;

export class SessionManager extends EventEmitter<SessionManagerEvents> {
  private readonly sessions = new Map<string, Session>();
  private readonly admission: Admission;
  private readonly pool?: WarmRunnerPool;
  /** codex's runner: one private desktop per sandbox account, for the manager's life. */
  private readonly desktops = new PrivateDesktops();
  /** Its launcher, remembered protocol versions, sandbox refreshes and runner copies. */
  private readonly state: ManagerState;
  private disposed = false;

  constructor(private readonly options: SessionManagerOptions = {}) {
    super();
    if (options.defaults !== undefined) checkSessionOptions(options.defaults, { defaults: true });
    const sandbox = options.defaults?.sandbox;
    // Defaults live as long as the manager: a password there would outlive every launch.
    if (typeof sandbox === 'object' && sandbox !== null && typeof sandbox.credentials?.password === 'string') {
      throw new TypeError("session manager defaults must not hold a password: give sandbox.credentials.password as a function that fetches it, or use sandbox: 'codex'");
    }
    const warm = options.warmRunners ?? 0;
    if (!Number.isInteger(warm) || warm < 0 || warm > 16) throw new RangeError(`warmRunners must be an integer 0..16, got ${warm}`);
    const maxWarm = options.maxWarmRunners ?? Math.max(DEFAULT_MAX_WARM_RUNNERS, warm);
    if (!Number.isInteger(maxWarm) || maxWarm < warm || maxWarm > 256) throw new RangeError(`maxWarmRunners must be an integer ${warm}..256 (at least warmRunners), got ${maxWarm}`);
    const idleMs = options.warmIdleMs ?? DEFAULT_WARM_IDLE_MS;
    if (!Number.isInteger(idleMs) || idleMs < 1 || idleMs > MAX_TIMER_MS) throw new RangeError(`warmIdleMs must be an integer 1..${MAX_TIMER_MS}, got ${idleMs}`);
    this.state = new ManagerState(options.launcher);
    this.admission = new Admission(options.launchConcurrency ?? Math.max(2, os.availableParallelism()));
    if (warm > 0) {
      this.pool = new WarmRunnerPool({
        perIdentity: warm,
        maxTotal: maxWarm,
        idleMs,
        connectTimeoutMs: options.defaults?.timeouts?.connectMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        admission: this.admission,
        launcher: this.state.launcher,
        onChange: () => this.emit('pools'),
      });
    }
  }

  /** Starts a session and returns it at once; its stages progress in the background. */
  start(options: SessionOptions): Session {
    if (this.disposed) throw new Error('session manager is disposed');
    const session = new Session(resolveSessionOptions(options, this.options.defaults), { admission: this.admission, pool: this.pool, desktops: this.desktops, state: this.state });
    this.sessions.set(session.id, session);
    session.on('update', () => this.emit('change', session.id));
    session.once('exit', () => this.forgetOldEnded());
    void session.start();
    this.emit('change', session.id);
    return session;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  list(): SessionStatus[] {
    return [...this.sessions.values()].map((s) => s.status());
  }

  /** The warm-runner pools, one per launch identity in use: idle runners and runners starting. */
  poolStatus(): PoolStatus[] {
    return this.pool?.status() ?? [];
  }

  /** The pid of this manager's runner launcher while one is up (Linux, macOS): its one long-lived child. */
  launcherPid(): number | undefined {
    return this.state.launcher.launcherPid();
  }

  /** Ends every session, closes every warm runner, ends the launcher, and waits until all are released. */
  async dispose(): Promise<SessionResult[]> {
    this.disposed = true;
    const [results] = await Promise.all([Promise.all([...this.sessions.values()].map((s) => s.dispose())), this.pool?.dispose()]);
    // After every runner that used them is gone.
    await Promise.all([this.desktops.dispose().catch(() => {}), this.state.dispose().catch(() => {})]);
    return results;
  }

  private forgetOldEnded(): void {
    const keep = this.options.keepEnded ?? 50;
    const ended = [...this.sessions.values()].filter((s) => s.state === 'exited' || s.state === 'failed');
    for (const s of ended.slice(0, Math.max(0, ended.length - keep))) this.sessions.delete(s.id);
  }
}
