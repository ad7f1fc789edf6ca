// Counts a stream's bytes and when the first and last arrived: throughput excludes process start-up.
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';

export class ByteCounter {
  bytes = 0;
  private firstAt = 0;
  private lastAt = 0;

  add(length: number): void {
    const now = performance.now();
    if (this.bytes === 0) this.firstAt = now;
    this.bytes += length;
    this.lastAt = now;
  }

  attach(stream: Readable): this {
    stream.on('data', (chunk: Buffer) => this.add(chunk.length));
    return this;
  }

  /** Bytes per second between the first and the last chunk. */
  bytesPerSecond(): number {
    const seconds = (this.lastAt - this.firstAt) / 1000;
    if (this.bytes === 0 || seconds <= 0) throw new Error(`no measurable transfer (${this.bytes} bytes in ${seconds} s)`);
    return this.bytes / seconds;
  }
}
