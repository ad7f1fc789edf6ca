// Reads validated messages off a byte stream; used by the parent and by the runner.
import type { Readable } from 'node:stream';
import { FrameDecoder } from './framing';

export interface FrameReaderEvents<M> {
  message(message: M): void;
  /** A protocol error (malformed frame) or the stream's own error; no further calls follow. */
  error(error: Error): void;
  /** Clean end of stream, between frames; no further calls follow. */
  end(): void;
}

/** Bytes decoded per event-loop turn before the reader lets the loop run (see yieldAfterBudget). */
const READ_BUDGET_PER_TURN = 256 * 1024;

/**
 * Attaches to `stream` and delivers each frame, validated by `validate`, in order. `pause()`
 * stops reading from the stream (backpressure reaches the writer through the OS pipe).
 */
export class FrameReader<M> {
  private readonly decoder: FrameDecoder;
  private done = false;
  private ownerPaused = false;
  private yielding = false;
  private bytesSinceYield = 0;
  /** Frames and body bytes seen, for status. */
  frames = 0;
  bytes = 0;

  constructor(
    private readonly stream: Readable,
    private readonly validate: (value: unknown) => M,
    private readonly events: FrameReaderEvents<M>,
    maxFrameLen?: number,
  ) {
    this.decoder = new FrameDecoder(maxFrameLen);
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
    stream.resume(); // a stream paused on accept stays paused even with a 'data' listener
  }

  pause(): void {
    this.ownerPaused = true;
    this.stream.pause();
  }

  /** Paused by its owner (backpressure): frames may be waiting, unread, in the stream. */
  get paused(): boolean {
    return this.ownerPaused;
  }

  resume(): void {
    this.ownerPaused = false;
    if (!this.done && !this.yielding) this.stream.resume();
  }

  /** Stops delivering anything; the stream is left to its owner. */
  detach(): void {
    this.done = true;
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onClose);
    // keep a no-op error listener so a late socket error cannot become an uncaught exception
    this.stream.off('error', this.onError);
    this.stream.on('error', () => {});
  }

  private readonly onData = (chunk: Buffer) => {
    if (this.done) return;
    this.bytes += chunk.length;
    this.yieldAfterBudget(chunk.length);
    let values: unknown[];
    try {
      values = this.decoder.push(chunk);
    } catch (err) {
      return this.fail(err as Error);
    }
    for (const value of values) {
      if (this.done) return;
      let message: M;
      try {
        message = this.validate(value);
      } catch (err) {
        return this.fail(err as Error);
      }
      this.frames++;
      try {
        this.events.message(message);
      } catch (err) {
        // A throwing consumer must not escape into the stream's 'data' event (an uncaught
        // exception in Electron's main process); the owner hears of it as this reader's failure.
        return this.fail(new Error(`the message handler threw: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
      }
    }
  };

  /**
   * libuv reads a busy socket up to 32 times per loop turn; decoding all of that at once held
   * Electron's main thread for 50+ ms with 8 busy sessions. Past a budget, pause until the loop
   * has turned (timers, input, other sessions run in between).
   */
  private yieldAfterBudget(length: number): void {
    this.bytesSinceYield += length;
    if (this.bytesSinceYield < READ_BUDGET_PER_TURN || this.yielding) return;
    this.yielding = true;
    this.stream.pause();
    setImmediate(() => {
      this.yielding = false;
      this.bytesSinceYield = 0;
      if (!this.done && !this.ownerPaused) this.stream.resume();
    });
  }

  private readonly onEnd = () => {
    if (this.done) return;
    try {
      this.decoder.end();
    } catch (err) {
      return this.fail(err as Error);
    }
    this.done = true;
    this.detach();
    this.events.end();
  };

  private readonly onClose = () => {
    // 'close' without 'end' means the pipe broke (peer died) rather than ended cleanly.
    if (this.done) return;
    this.fail(new Error('pipe closed before the end of stream'));
  };

  private readonly onError = (err: Error) => this.fail(err);

  private fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.detach();
    this.events.error(err);
  }
}
