// Runners launched, connected and verified ahead of time, waiting for their spawn request. A
// session whose launch identity matches takes one and goes straight to spawn_sent; a replacement
// is launched in the background. Everything is bounded: idle runners per identity and in all, how
// long one may idle, and how fast a runner that keeps failing is retried (exponential backoff).
// An idle runner never keeps this process alive (its pipes and timers are unref'd).
import type { Admission } from './admission';
import type { RunnerStarter } from '../launch/launch-runner';
import { openRunnerConnection, type ConnectionHooks, type LaunchPlan, type RunnerConnection } from './runner-connection';
import { runnerState } from '../../os/posix/process-state';
import { boundedWait } from '../../util/bounded-wait';
import type { PoolStatus } from './session-status';

export interface WarmPoolOptions {
  /** Idle runners kept per launch identity. */
  perIdentity: number;
  /** Idle and starting runners kept in all: past it, the runner idle the longest is closed. */
  maxTotal: number;
  /** An idle runner unused this long is closed (and not replaced until the identity is used again). */
  idleMs: number;
  connectTimeoutMs: number;
  /** The manager's launcher, which starts the warm runners as it does its sessions' runners. */
  launcher: RunnerStarter;
  /** Warm launches count against the same launch slots as sessions. */
  admission?: Admission;
  onChange(): void;
}

interface IdleRunner {
  conn: RunnerConnection;
  /** When it became idle: the oldest goes first when the pool is full. */
  since: number;
  release(): void;
}

interface Identity {
  label: string;
  plan: LaunchPlan;
  idle: IdleRunner[];
  starting: number;
  /** Launches past their launch slot, connecting now: a session finding no idle runner waits for one. */
  connecting: Set<Promise<unknown>>;
  /** Launches that failed in a row: the backoff grows with them. */
  failures: number;
  retry?: NodeJS.Timeout;
}

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
const NO_HOOKS: ConnectionHooks = { stage() {}, pipesCreated() {}, runnerLaunched() {}, pipeConnected() {}, clientVerified() {} };

export class WarmRunnerPool {
  private readonly identities = new Map<string, Identity>();
  private readonly abort = new AbortController();
  /** Launches in flight: dispose waits for them, so nothing they open outlives it. */
  private readonly launching = new Set<Promise<void>>();

  constructor(private readonly options: WarmPoolOptions) {}

  /**
   * A live, verified runner for `key`, or undefined. Never one known dead, being killed or
   * stopped (the kernel is asked, not only the pipes): a request written to it could be lost
   * after the runner started the command, and then it must not be retried.
   */
  async take(key: string, signal?: AbortSignal): Promise<RunnerConnection | undefined> {
    const id = this.identities.get(key);
    if (!id) return undefined;
    // A runner launched before this session asked is further along than any it could launch now
    // (e.g. the replacement of the one the previous terminal took): wait for it. Only launches that
    // hold their launch slot already: one still queued for a slot could wait behind this very session.
    // The taker's end stops the wait (rejects with its reason); the launch goes on for the pool.
    if (id.idle.length === 0 && id.connecting.size > 0) await boundedWait(Promise.race(id.connecting), { signal });
    for (let entry = id.idle.shift(); entry; entry = id.idle.shift()) {
      entry.release();
      if (isAlive(entry.conn)) {
        const state = await runnerState(entry.conn.runner.pid);
        if ((state.kind === 'alive' || state.kind === 'unknown') && isAlive(entry.conn)) {
          this.options.onChange();
          this.ensure(key, id.label, id.plan); // its replacement starts now
          return entry.conn;
        }
      }
      void entry.conn.close(0); // the launcher kills a stopped runner's tree too
    }
    this.options.onChange();
    return undefined;
  }

  /** Keeps `perIdentity` runners of this identity idle or starting. */
  ensure(key: string, label: string, plan: LaunchPlan): void {
    if (this.abort.signal.aborted || this.options.perIdentity < 1) return;
    let id = this.identities.get(key);
    if (!id) {
      id = { label, plan, idle: [], starting: 0, connecting: new Set(), failures: 0 };
      this.identities.set(key, id);
    }
    if (id.retry) return; // backing off after failures: the timer calls back
    while (id.idle.length + id.starting < this.options.perIdentity) {
      if (this.total() >= this.options.maxTotal && !this.evictOldestIdle(id)) return;
      const launch = this.launch(key, id);
      this.launching.add(launch);
      void launch.finally(() => this.launching.delete(launch));
    }
  }

  /** Idle and starting runners in all identities. */
  private total(): number {
    let n = 0;
    for (const id of this.identities.values()) n += id.idle.length + id.starting;
    return n;
  }

  /** Closes the runner idle the longest in another identity; false when there is none. */
  private evictOldestIdle(except: Identity): boolean {
    let oldest: { id: Identity; entry: IdleRunner } | undefined;
    for (const id of this.identities.values()) {
      if (id === except) continue;
      for (const entry of id.idle) if (!oldest || entry.since < oldest.entry.since) oldest = { id, entry };
    }
    if (!oldest) return false;
    oldest.id.idle.splice(oldest.id.idle.indexOf(oldest.entry), 1);
    oldest.entry.release();
    void oldest.entry.conn.close(0);
    this.options.onChange();
    return true;
  }

  status(): PoolStatus[] {
    return [...this.identities.values()].filter((id) => id.idle.length + id.starting > 0).map((id) => ({ identity: id.label, idle: id.idle.length, starting: id.starting }));
  }

  /** Closes every idle runner and stops all refills; launches in flight close what they open. */
  async dispose(): Promise<void> {
    this.abort.abort(new Error('the warm-runner pool is closed'));
    const closing: Promise<unknown>[] = [];
    for (const id of this.identities.values()) {
      clearTimeout(id.retry);
      for (const entry of id.idle.splice(0)) {
        entry.release();
        closing.push(entry.conn.close(0));
      }
    }
    await Promise.all([...closing, ...this.launching]);
    this.options.onChange();
  }

  private async launch(key: string, id: Identity): Promise<void> {
    let done!: () => void;
    const settled = new Promise<void>((resolve) => (done = resolve));
    try {
      await this.launchOne(key, id, settled);
    } finally {
      id.connecting.delete(settled);
      done();
    }
  }

  private async launchOne(key: string, id: Identity, settled: Promise<void>): Promise<void> {
    id.starting++;
    this.options.onChange();
    let release: (() => void) | undefined;
    let conn: RunnerConnection | undefined;
    try {
      release = this.options.admission ? await this.options.admission.acquire(this.abort.signal) : undefined;
      id.connecting.add(settled); // settled once this launch's runner is idle, or the launch failed
      conn = await openRunnerConnection(id.plan, { connectTimeoutMs: this.options.connectTimeoutMs, signal: this.abort.signal, launcher: this.options.launcher, hooks: NO_HOOKS });
    } catch {
      conn = undefined;
    } finally {
      release?.();
      id.starting--;
    }
    if (this.abort.signal.aborted) {
      await conn?.close(0);
      return this.options.onChange();
    }
    if (!conn) return this.failed(key, id);
    id.failures = 0;
    id.idle.push(this.watch(key, id, conn));
    this.options.onChange();
  }

  /** Drops an idle runner that dies, talks before it was asked, or idles too long. */
  private watch(key: string, id: Identity, conn: RunnerConnection): IdleRunner {
    const drop = (replace: boolean) => {
      const at = id.idle.indexOf(entry);
      if (at < 0) return;
      id.idle.splice(at, 1);
      entry.release();
      void conn.close(0);
      if (replace) this.failed(key, id);
      else this.options.onChange();
    };
    const onDeath = () => drop(true);
    const onTalk = () => drop(true); // a runner says nothing before its spawn request
    const idleTimer = setTimeout(() => drop(false), this.options.idleMs);
    idleTimer.unref();
    conn.fromRunner.on('data', onTalk);
    conn.fromRunner.on('end', onDeath);
    conn.fromRunner.on('close', onDeath);
    let live = true;
    void conn.runner.exited.then(() => live && onDeath());
    // A process whose code forgets dispose() must still exit once its sessions end.
    setRef(conn, false);
    const entry: IdleRunner = {
      conn,
      since: Date.now(),
      release: () => {
        live = false;
        setRef(conn, true);
        clearTimeout(idleTimer);
        conn.fromRunner.off('data', onTalk);
        conn.fromRunner.off('end', onDeath);
        conn.fromRunner.off('close', onDeath);
        conn.fromRunner.pause(); // 'data' listeners set it flowing; the session's reader resumes it
      },
    };
    return entry;
  }

  /** A launch failed or a warm runner died: refill later, later each time it keeps happening. */
  private failed(key: string, id: Identity): void {
    id.failures++;
    this.options.onChange();
    if (this.abort.signal.aborted || id.retry) return;
    const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (id.failures - 1));
    id.retry = setTimeout(() => {
      id.retry = undefined;
      this.ensure(key, id.label, id.plan);
    }, wait);
    id.retry.unref();
  }
}

/** The runner's and its pipes' hold on the event loop: off while idle, back on for the session that takes it. */
function setRef(conn: RunnerConnection, ref: boolean): void {
  conn.runner.holdProcess?.(ref);
  for (const stream of [conn.toRunner, conn.fromRunner] as { ref?(): void; unref?(): void }[]) {
    if (ref) stream.ref?.();
    else stream.unref?.();
  }
}

function isAlive(conn: RunnerConnection): boolean {
  const { fromRunner, toRunner, runner } = conn;
  return runner.exit() === undefined && !fromRunner.destroyed && !fromRunner.readableEnded && !toRunner.destroyed && !toRunner.writableEnded;
}
