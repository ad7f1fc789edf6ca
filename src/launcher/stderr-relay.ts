// A runner's stderr on its way to the main process, bounded: the main side keeps only the last
// few KiB (why a runner failed), so the launcher holds at most that much per runner and sends it
// at most once per interval. A runner printing a flood costs one small message per interval,
// and when the channel to main is backed up the bytes wait here (still bounded), not in Node's
// IPC queue.
export class StderrRelay {
  private chunks: Buffer[] = [];
  private size = 0;
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private closed = false;

  constructor(
    /** Sends the bytes; calls `sent` once they have left (Node's IPC send callback). */
    private readonly send: (data: Buffer, sent: () => void) => void,
    private readonly limit: number,
    private readonly intervalMs = 100,
    /** Messages allowed on their way to main before the relay waits for them to leave. */
    private readonly maxInFlight = 4,
  ) {}

  push(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Only the newest `limit` bytes can matter to the main side's tail.
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Sends what is held now (a runner's exit waits for this, so its last words arrive first). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.size === 0) return;
    if (this.inFlight >= this.maxInFlight && !this.closed) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      return;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    this.inFlight++;
    this.send(all.subarray(Math.max(0, all.length - this.limit)), () => this.inFlight--);
  }

  /** Last flush; nothing is taken afterwards. */
  close(): void {
    this.closed = true;
    this.flush();
  }
}
