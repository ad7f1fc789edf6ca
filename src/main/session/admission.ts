// At most N runner launches and connects in flight; the rest wait their turn, first come first
// served. A burst of sessions then queues in front of the launch instead of inside it: the connect
// timeout measures one runner's start, never the queue ahead of it.

interface Waiter {
  signal: AbortSignal;
  grant: () => void;
  reject: (reason: unknown) => void;
}

export class Admission {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  /**
   * One abort listener per signal, however many waiters share it: a warm pool's launches all wait
   * on the pool's one signal, and a listener each would pile up past Node's warning limit.
   */
  private readonly bySignal = new Map<AbortSignal, { waiters: Set<Waiter>; onAbort: () => void }>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the launch concurrency must be an integer >= 1, got ${limit}`);
  }

  /** A slot now, or undefined when all are taken. */
  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.limit) return undefined;
    this.active++;
    return this.releaser();
  }

  /** Waits for a slot; rejects with the signal's reason when it aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        signal,
        reject,
        grant: () => {
          this.forget(waiter);
          this.active++;
          resolve(this.releaser());
        },
      };
      this.waiting.push(waiter);
      this.watch(waiter);
    });
  }

  /** Sessions waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  get inFlight(): number {
    return this.active;
  }

  private watch(waiter: Waiter): void {
    let entry = this.bySignal.get(waiter.signal);
    if (!entry) {
      const waiters = new Set<Waiter>();
      const onAbort = () => {
        this.bySignal.delete(waiter.signal);
        for (const w of waiters) {
          this.waiting.splice(this.waiting.indexOf(w), 1);
          w.reject(w.signal.reason);
        }
      };
      entry = { waiters, onAbort };
      this.bySignal.set(waiter.signal, entry);
      waiter.signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.waiters.add(waiter);
  }

  /** The waiter was granted: its signal's listener goes with the last waiter on it. */
  private forget(waiter: Waiter): void {
    const entry = this.bySignal.get(waiter.signal);
    if (!entry) return;
    entry.waiters.delete(waiter);
    if (entry.waiters.size > 0) return;
    this.bySignal.delete(waiter.signal);
    waiter.signal.removeEventListener('abort', entry.onAbort);
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.grant();
    };
  }
}
