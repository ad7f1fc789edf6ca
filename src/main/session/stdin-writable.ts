// The session's stdin stream. Node 20's Writable marks itself errored on a write after end(), and
// an errored Writable never runs its final(): the close_stdin that end() promised was never sent,
// and a command reading stdin (cat) waited forever. Here a write after end fails that write alone.
import { Writable } from 'node:stream';

export class StdinWritable extends Writable {
  override write(chunk: unknown, encoding?: BufferEncoding | ((error: Error | null | undefined) => void), callback?: (error: Error | null | undefined) => void): boolean {
    if (!this.writableEnded || this.destroyed) return super.write(chunk, encoding as BufferEncoding, callback);
    const done = typeof encoding === 'function' ? encoding : callback;
    const err = Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
    if (done) process.nextTick(done, err);
    return false;
  }
}
