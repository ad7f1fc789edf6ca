// Reads a small file that someone else controls (codex's setup files, a --permissions profile)
// without trusting its name or its size. The path is opened first, without blocking (a FIFO with
// no writer would otherwise park a threadpool thread for good), and the OPENED descriptor is
// checked, so nothing can be swapped in between a check and the open. The cap is on the bytes
// actually read: st_size is only a hint (/proc/self/pagemap says 0 and holds gigabytes), and a
// read that would block (/proc/kmsg) fails instead of waiting.
import { constants, promises as fs, type Stats } from 'node:fs';

export type BoundedReadProblem = 'missing' | 'not-a-file' | 'too-large' | 'unreadable';

export class BoundedReadError extends Error {
  override readonly name = 'BoundedReadError';
  constructor(
    readonly problem: BoundedReadProblem,
    /** What is wrong, to follow the file's name: "is a FIFO, not a regular file". */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}

// O_NONBLOCK and O_NOCTTY do not exist on Windows, where opening a file never waits on a writer.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK_BYTES = 64 * 1024;

/** The whole of `file` when it is a regular file of at most `maxBytes` bytes; else a BoundedReadError. */
export async function readBoundedFile(file: string, maxBytes: number): Promise<Buffer> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new BoundedReadError('missing', 'does not exist', { cause: err });
    if (code === 'EISDIR') throw new BoundedReadError('not-a-file', 'is a directory, not a regular file', { cause: err });
    throw new BoundedReadError('unreadable', `cannot be read (${(err as Error).message})`, { cause: err });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new BoundedReadError('not-a-file', `is ${kindOf(stats)}, not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // Whole chunks, even near the cap: some files refuse odd reads (pagemap wants multiples of
      // 8). So at most one chunk past the cap is ever held.
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(CHUNK_BYTES), 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw new BoundedReadError('too-large', `holds more than ${maxBytes} bytes`);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof BoundedReadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EAGAIN' || code === 'EWOULDBLOCK' ? 'its read would wait for data that may never come: not a file on disk' : (err as Error).message;
    throw new BoundedReadError('unreadable', `cannot be read (${why})`, { cause: err });
  } finally {
    await handle.close();
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}
