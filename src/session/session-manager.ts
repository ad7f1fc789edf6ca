// Owns the sessions of one app: starts them, lists them, and tells listeners when any changes.
import { EventEmitter } from 'node:events';
import { Session, type SessionResult } from './session';
import type { SessionOptions } from './session-options';
import type { PoolStatus, SessionStatus } from './session-status';

export interface SessionManagerEvents {
  /** A session was added, changed, or ended. Fires often while output streams: coalesce. */
  change: [id: string];
}

export interface SessionManagerOptions {
  /** Defaults applied to every session started through this manager. */
  defaults?: Partial<SessionOptions>;
  /** Ended sessions kept for `list()`; older ones are forgotten. */
  keepEnded?: number;
}

export class SessionManager extends EventEmitter<SessionManagerEvents> {
  private readonly sessions = new Map<string, Session>();
  private disposed = false;

  constructor(private readonly options: SessionManagerOptions = {}) {
    super();
    const sandbox = options.defaults?.sandbox;
    // Defaults live as long as the manager: a password there would outlive every launch.
    if (typeof sandbox === 'object' && sandbox !== null && typeof sandbox.credentials?.password === 'string') {
      throw new TypeError("session manager defaults must not hold a password: give sandbox.credentials.password as a function that fetches it, or use sandbox: 'codex'");
    }
  }

  /** Starts a session and returns it at once; its stages progress in the background. */
  start(options: SessionOptions): Session {
    if (this.disposed) throw new Error('session manager is disposed');
    const session = new Session({ ...this.options.defaults, ...options });
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

  /**
   * The warm-runner pools, one per launch identity: runners connected, verified and waiting, and
   * runners being started to refill. Always empty for now: the warm-runner pool (being built
   * separately) fills it. No pool simply means no warm runners. Views read it on every 'change'.
   */
  poolStatus(): PoolStatus[] {
    return [];
  }

  /** Ends every session and waits until all are released. */
  async dispose(): Promise<SessionResult[]> {
    this.disposed = true;
    return Promise.all([...this.sessions.values()].map((s) => s.dispose()));
  }

  private forgetOldEnded(): void {
    const keep = this.options.keepEnded ?? 50;
    const ended = [...this.sessions.values()].filter((s) => s.state === 'exited' || s.state === 'failed');
    for (const s of ended.slice(0, Math.max(0, ended.length - keep))) this.sessions.delete(s.id);
  }
}
