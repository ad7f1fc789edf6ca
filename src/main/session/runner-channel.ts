// The running channel: the command's three streams on one side, the runner's frames on the other.
// Output is pushed as it arrives and the reader pauses while a consumer is behind (backpressure
// reaches the runner through the OS pipe); stdin is cut into data frames once the command runs.
import { Readable, type Writable } from 'node:stream';
import { FrameReader, type FrameReaderEvents } from '../../protocol/frame-reader';
import { encodeDataFrame, encodeFrame, splitForFrames } from '../../protocol/framing';
import { toRunnerMessage, type ParentMessage, type RunnerMessage, type Versioned } from '../../protocol/messages';
import { NEWEST_PROTOCOL_VERSION, type ProtocolVersion } from '../../protocol/versions';
import type { RunnerConnection } from './runner-connection';
import type { PhaseMachine } from './session-phase';
import type { StatusRecorder } from './status-recorder';
import { StdinWritable } from './stdin-writable';

/** Bytes of output held per stream for a consumer that is behind, before the runner is paused. */
const OUTPUT_HIGH_WATER = 1024 * 1024;

export interface ChannelHost {
  readonly id: string;
  readonly recorder: StatusRecorder;
  readonly phase: PhaseMachine;
  /** The session's 'update' event: stdin written early waits on it for the command to run. */
  on(event: 'update', listener: () => void): unknown;
  off(event: 'update', listener: () => void): unknown;
}

export class RunnerChannel {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;
  conn?: RunnerConnection;
  reader?: FrameReader<Versioned<RunnerMessage>>;
  /** The version frames are written and read in: the one the current try sends its request in. */
  version: ProtocolVersion = NEWEST_PROTOCOL_VERSION;
  /** The first close_stdin/resize sent to a version-1 runner: one built before them stops reading there. */
  v1LateMessageSent?: 'close_stdin' | 'resize';
  /** Called when a consumer lets a paused reader go on (see runner-death.ts). */
  readerResumed?: () => void;

  constructor(private readonly host: ChannelHost) {
    const resumeReader = () => {
      this.reader?.resume();
      this.readerResumed?.();
    };
    this.stdout = new Readable({ highWaterMark: OUTPUT_HIGH_WATER, read: resumeReader });
    this.stderr = new Readable({ highWaterMark: OUTPUT_HIGH_WATER, read: resumeReader });
    // A consumer that destroys a stream (as stream.pipeline does when its destination fails) wants
    // no more of it: what follows is dropped, and a reader paused for it must go on.
    this.stdout.once('close', resumeReader);
    this.stderr.once('close', resumeReader);
    this.stdin = new StdinWritable({
      highWaterMark: 256 * 1024,
      // A write after end() is an error to its caller, but must not destroy the stream: what was
      // written before it, and the close_stdin, still go.
      autoDestroy: false,
      write: (chunk: Buffer, _enc, done) => this.writeStdin(chunk, done),
      final: (done) => this.sendStdinEnd(done),
    });
    this.stdin.on('error', () => {}); // surfaced to callers of write() through its callback
  }

  /** Reads `conn`'s frames from now on, in the current version. */
  attach(conn: RunnerConnection, events: FrameReaderEvents<Versioned<RunnerMessage>>): void {
    this.conn = conn;
    this.reader = new FrameReader(conn.fromRunner, (value) => toRunnerMessage(value, this.version), events);
  }

  /** A refused try's runner and pipes go before the next try starts. */
  async drop(): Promise<void> {
    this.reader?.detach();
    this.reader = undefined;
    const conn = this.conn;
    this.conn = undefined;
    await conn?.close(0);
  }

  send(message: ParentMessage, written?: (err?: Error | null) => void): void {
    const socket = this.conn?.toRunner;
    if (!socket || socket.destroyed) return written?.(new Error('the pipe to the runner is closed'));
    const frame = encodeFrame(message, this.version);
    if (this.version === 1 && (message.type === 'close_stdin' || message.type === 'resize')) this.v1LateMessageSent ??= message.type;
    this.host.recorder.countToRunner(frame.length);
    socket.write(frame, written);
  }

  /** The reader's counters, as status shows them. */
  countFromRunner(): void {
    this.host.recorder.fromRunner(this.reader!.frames, this.reader!.bytes);
  }

  /** One output frame: counted, and pushed unless terminate() dropped output; a full stream pauses the reader. */
  output(stream: 'stdout' | 'stderr', data: Buffer): void {
    this.host.recorder.output(stream, data.length);
    const target = stream === 'stdout' ? this.stdout : this.stderr;
    if (!this.host.phase.is('terminating') && !target.destroyed && !pushOutput(target, data)) this.reader!.pause(); // resumed by the stream's read()
    this.host.recorder.changed();
  }

  /** The end: no more output comes, and input still queued never goes (a writer waiting for 'drain' gets an 'error'). */
  close(): void {
    this.stdout.push(null);
    this.stderr.push(null);
    this.stdin.destroy(this.stdin.writableLength > 0 || this.stdin.writableNeedDrain ? this.stdinCutOff() : undefined);
  }

  /** Stdin written before the command starts waits for it; after the end, it fails. */
  whenRunning(): Promise<void> {
    const { phase, id } = this.host;
    if (phase.commandStarted) return Promise.resolve();
    if (phase.ending) return Promise.reject(new Error(`session ${id} has ended`));
    return new Promise((resolve, reject) => {
      const check = () => {
        if (phase.commandStarted) {
          this.host.off('update', check);
          resolve();
        } else if (phase.ending) {
          this.host.off('update', check);
          reject(new Error(`session ${id} ended before the command started`));
        }
      };
      this.host.on('update', check);
    });
  }

  private writeStdin(chunk: Buffer, done: (err?: Error | null) => void): void {
    this.whenRunning().then(
      () => {
        // After terminate, input has nowhere to go; it must not queue ahead of the terminate frame.
        if (this.host.phase.reached('terminating')) return done();
        const socket = this.conn!.toRunner;
        let last: Buffer | undefined;
        for (const piece of splitForFrames(chunk)) {
          last = encodeDataFrame('stdin', piece, this.version);
          this.host.recorder.stdinFrame(last.length);
          // A write cut off by the end (the pipe closed under it) says so, not "write after destroyed".
          socket.write(last, piece.byteOffset + piece.byteLength === chunk.byteOffset + chunk.byteLength ? (err) => done(err && this.host.phase.ending ? this.stdinCutOff() : err) : undefined);
        }
        this.host.recorder.stdinWritten(chunk.length);
        if (!last) done();
      },
      (err: Error) => done(err),
    );
  }

  private sendStdinEnd(done: (err?: Error | null) => void): void {
    this.whenRunning().then(
      () => {
        this.send({ type: 'close_stdin', payload: {} });
        done();
      },
      (err: Error) => done(err),
    );
  }

  private stdinCutOff(): Error {
    return new Error(`session ${this.host.id} ended before its stdin took everything written`);
  }
}

/**
 * push() runs the consumer's 'data' listeners synchronously. One that throws is the consumer's
 * bug, not bad data from the runner: it is rethrown as any EventEmitter listener's throw would
 * surface (an uncaught exception), and the session goes on.
 */
function pushOutput(target: Readable, data: Buffer): boolean {
  try {
    return target.push(data);
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
    return true;
  }
}
