// A session streaming at full speed changes hundreds of times a second; the panel needs a few
// frames a second. Pushes go out at most once per interval, the first at once, and a trailing
// push always follows the last change, so the window always ends on the final state.
export interface CoalescedPushOptions<T> {
  intervalMs: number;
  /** Reads the state to push at the moment of sending (never a stale copy). */
  read(): T;
  send(state: T): void;
}

export class CoalescedPush<T> {
  private lastSentAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: CoalescedPushOptions<T>) {}

  /** Something changed: push now if the interval has passed, else once when it has. */
  poke(): void {
    if (this.disposed || this.timer) return;
    const wait = this.lastSentAt + this.options.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    if (this.disposed) return;
    this.lastSentAt = Date.now();
    this.options.send(this.options.read());
  }
}
