// Length-prefixed JSON frames: a 4-byte little-endian length, then that many bytes of UTF-8 JSON.
import { ProtocolError, type AnyMessage, type OutputStream } from './messages';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from './versions';

/** Upstream `MAX_FRAME_LEN`: checked on write and on read. */
export const MAX_FRAME_LEN = 8 * 1024 * 1024;
const HEADER_LEN = 4;

/**
 * The most raw bytes one `output`/`stdin` frame carries. Upstream's runner sends 8 KiB; we allow
 * larger frames (fewer per-frame costs) while staying far below MAX_FRAME_LEN after base64.
 */
export const MAX_DATA_PER_FRAME = 256 * 1024;

function frameFromJson(json: string): Buffer {
  const bodyLen = Buffer.byteLength(json, 'utf8');
  if (bodyLen > MAX_FRAME_LEN) throw new ProtocolError(`frame too large: ${bodyLen} bytes (limit ${MAX_FRAME_LEN})`);
  const frame = Buffer.allocUnsafe(HEADER_LEN + bodyLen);
  frame.writeUInt32LE(bodyLen, 0);
  frame.write(json, HEADER_LEN, 'utf8');
  return frame;
}

/** Encodes one message as a frame stamped with `version` (serde's order: version, type, payload). */
export function encodeFrame(message: AnyMessage, version: ProtocolVersion): Buffer {
  return frameFromJson(JSON.stringify({ version, type: message.type, payload: message.payload }));
}

/**
 * Fast path for the hot frame: base64 never needs JSON escaping, so no stringify of the payload.
 * The pieces are written into the frame one by one: joining them into one string first would copy
 * the ~350 KB base64 once more (a rope flattened on write).
 */
export function encodeDataFrame(type: 'output' | 'stdin', data: Uint8Array, version: ProtocolVersion, stream?: OutputStream): Buffer {
  const b64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  const head = `{"version":${version},"type":"${type}","payload":{"data_b64":"`;
  const tail = type === 'output' ? `","stream":"${stream ?? 'stdout'}"}}` : '"}}';
  // All ASCII (stream is one of two names), so latin1 writes the same bytes as UTF-8 without
  // the UTF-8 length scan and transcode (15% of the runner's CPU in `npm run bench`).
  const bodyLen = head.length + b64.length + tail.length;
  if (bodyLen > MAX_FRAME_LEN) throw new ProtocolError(`frame too large: ${bodyLen} bytes (limit ${MAX_FRAME_LEN})`);
  const frame = Buffer.allocUnsafe(HEADER_LEN + bodyLen);
  frame.writeUInt32LE(bodyLen, 0);
  let at = HEADER_LEN + frame.write(head, HEADER_LEN, 'latin1');
  at += frame.write(b64, at, 'latin1');
  frame.write(tail, at, 'latin1');
  return frame;
}

/** The bytes encodeDataFrame writes around the base64, and the value JSON.parse would give. */
function dataFrameShape(version: ProtocolVersion, type: 'output' | 'stdin', stream?: OutputStream) {
  return {
    prefix: Buffer.from(`{"version":${version},"type":"${type}","payload":{"data_b64":"`),
    suffix: Buffer.from(stream ? `","stream":"${stream}"}}` : '"}}'),
    value: (b64: string) => ({ version, type, payload: stream ? { data_b64: b64, stream } : { data_b64: b64 } }),
  };
}
/** Every version's data-frame shapes, found by the version digit (one byte at a fixed offset). */
const VERSION_DIGIT_AT = '{"version":'.length;
const DATA_FRAME_SHAPES = new Map(
  PROTOCOL_VERSIONS.map((v) => [0x30 + v, [dataFrameShape(v, 'output', 'stdout'), dataFrameShape(v, 'output', 'stderr'), dataFrameShape(v, 'stdin')]]),
);

/**
 * Decode fast path, the mirror of encodeDataFrame: a data frame in exactly that shape skips the
 * UTF-8 decode and JSON.parse of its ~350 KB body (the parent's largest cost in `npm run bench`).
 * With no quote or backslash inside, JSON.parse would return the same string; any other byte
 * outside the base64 alphabet is refused by message validation. Anything else: undefined.
 */
function parseDataFrame(body: Buffer): unknown {
  const shapes = body.length > VERSION_DIGIT_AT ? DATA_FRAME_SHAPES.get(body[VERSION_DIGIT_AT]!) : undefined;
  if (!shapes) return undefined;
  for (const shape of shapes) {
    const start = shape.prefix.length;
    const end = body.length - shape.suffix.length;
    if (end < start || body.compare(shape.prefix, 0, start, 0, start) !== 0 || body.compare(shape.suffix, 0, shape.suffix.length, end) !== 0) continue;
    if (body.indexOf(0x22, start) !== end || body.indexOf(0x5c, start) !== -1) return undefined; // '"' only where the suffix starts; no '\\'
    return shape.value(body.toString('latin1', start, end));
  }
  return undefined;
}

/** Splits data into pieces that each fit one data frame. */
export function* splitForFrames(data: Uint8Array, max = MAX_DATA_PER_FRAME): Generator<Uint8Array> {
  for (let at = 0; at < data.byteLength; at += max) yield data.subarray(at, Math.min(at + max, data.byteLength));
}

/**
 * Turns any split of a byte stream back into JSON values, one per frame. Holds at most one
 * frame's bytes (bounded by MAX_FRAME_LEN); a bad frame throws ProtocolError and the decoder
 * must then be discarded, as the stream position is lost.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1; // body length of the frame being read, -1 while reading a header
  private framesRead = 0;
  private failed = false;

  constructor(private readonly maxFrameLen = MAX_FRAME_LEN) {}

  /** Feeds bytes; returns the complete frames' JSON values in order. */
  push(chunk: Buffer): unknown[] {
    if (this.failed) throw new ProtocolError('decoder already failed; the stream cannot be resynchronised');
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: unknown[] = [];
    try {
      for (;;) {
        if (this.expected < 0) {
          if (this.buffered < HEADER_LEN) break;
          const len = this.take(HEADER_LEN).readUInt32LE(0);
          if (len > this.maxFrameLen) {
            throw new ProtocolError(`frame too large: ${len} bytes announced by frame ${this.framesRead + 1} (limit ${this.maxFrameLen})`);
          }
          this.expected = len;
        }
        if (this.buffered < this.expected) break;
        const body = this.take(this.expected);
        this.expected = -1;
        this.framesRead++;
        out.push(this.parse(body));
      }
    } catch (err) {
      this.failed = true;
      this.chunks = [];
      this.buffered = 0;
      throw err;
    }
    return out;
  }

  /** Call at end of stream: EOF between frames is a clean end, inside one is an error. */
  end(): void {
    if (this.failed) return;
    if (this.expected >= 0) {
      throw new ProtocolError(`stream ended inside frame ${this.framesRead + 1}: got ${this.buffered} of ${this.expected} bytes`);
    }
    if (this.buffered > 0) {
      throw new ProtocolError(`stream ended inside a length prefix: got ${this.buffered} of ${HEADER_LEN} bytes`);
    }
  }

  /** Bytes held waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private parse(body: Buffer): unknown {
    if (body.length === 0) throw new ProtocolError(`frame ${this.framesRead} is empty (expected a JSON object)`);
    try {
      return parseDataFrame(body) ?? JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new ProtocolError(`frame ${this.framesRead} is not valid JSON: ${(err as Error).message}`);
    }
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0); // an empty frame may arrive with nothing buffered after it
    const first = this.chunks[0]!;
    let result: Buffer;
    if (first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      result = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const head = this.chunks[0]!;
        const want = Math.min(head.length, n - filled);
        head.copy(result, filled, 0, want);
        filled += want;
        if (want === head.length) this.chunks.shift();
        else this.chunks[0] = head.subarray(want);
      }
    }
    this.buffered -= n;
    return result;
  }
}
