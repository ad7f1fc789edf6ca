import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDataFrame, encodeFrame, FrameDecoder, MAX_DATA_PER_FRAME, MAX_FRAME_LEN, splitForFrames } from '../../src/protocol/framing';
import { ProtocolError, toRunnerMessage, type RunnerMessage } from '../../src/protocol/messages';

const messages: RunnerMessage[] = [
  { type: 'spawn_ready', payload: { process_id: 77 } },
  { type: 'output', payload: { data_b64: Buffer.from('héllo\n').toString('base64'), stream: 'stdout' } },
  { type: 'output', payload: { data_b64: Buffer.from([0, 255, 10]).toString('base64'), stream: 'stderr' } },
  { type: 'error', payload: { message: 'unicode ✓ and "quotes"', code: 'spawn_failed' } },
  { type: 'exit', payload: { exit_code: 3, timed_out: false } },
];
const stream = Buffer.concat(messages.map((m) => encodeFrame(m, 1)));

function unversioned<M extends { version: number }>({ version: _version, ...rest }: M): Omit<M, 'version'> {
  return rest;
}

function decodeInPieces(bytes: Buffer, sizes: (i: number) => number): RunnerMessage[] {
  const decoder = new FrameDecoder();
  const out: RunnerMessage[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes(i));
    for (const v of decoder.push(bytes.subarray(at, at + n))) {
      const { version: _version, ...message } = toRunnerMessage(v, 1);
      out.push(message as RunnerMessage);
    }
    at += n;
  }
  decoder.end();
  return out;
}

function rejects(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.message === message);
}

test('any split of a stream decodes: one byte at a time, every split point, all at once', () => {
  assert.deepEqual(decodeInPieces(stream, () => 1), messages);
  assert.deepEqual(decodeInPieces(stream, () => stream.length), messages);
  for (let cut = 1; cut < stream.length; cut++) assert.deepEqual(decodeInPieces(stream, (i) => (i === 0 ? cut : stream.length)), messages);
  // many frames per chunk, with chunks ending mid-header and mid-body
  assert.deepEqual(decodeInPieces(stream, (i) => [3, 17, 2, 64][i % 4]!), messages);
});

test('an empty chunk and EOF between frames are no-ops', () => {
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.push(Buffer.alloc(0)), []);
  decoder.end();
  assert.equal(decoder.pendingBytes, 0);
});

test('oversized frames are refused on write and on read', () => {
  const huge = 'A'.repeat(MAX_FRAME_LEN); // base64 alphabet, but the envelope pushes it over the limit
  assert.throws(
    () => encodeFrame({ type: 'stdin', payload: { data_b64: huge } }, 1),
    (err: unknown) => err instanceof ProtocolError && /^frame too large: 83886\d\d bytes \(limit 8388608\)$/.test(err.message),
  );
  assert.throws(() => encodeDataFrame('output', Buffer.alloc(MAX_FRAME_LEN), 1, 'stdout'), /^ProtocolError: frame too large: \d+ bytes \(limit 8388608\)$/);
  const header = Buffer.alloc(4);
  header.writeUInt32LE(MAX_FRAME_LEN + 1);
  rejects(() => new FrameDecoder().push(header), 'frame too large: 8388609 bytes announced by frame 1 (limit 8388608)');
  // The second frame of a stream is named as such.
  const decoder = new FrameDecoder();
  header.writeUInt32LE(0xffffffff);
  rejects(() => decoder.push(Buffer.concat([encodeFrame(messages[0]!, 1), header])), 'frame too large: 4294967295 bytes announced by frame 2 (limit 8388608)');
  // ...and the decoder stays failed rather than resynchronising on garbage.
  rejects(() => decoder.push(encodeFrame(messages[0]!, 1)), 'decoder already failed; the stream cannot be resynchronised');
  assert.equal(decoder.pendingBytes, 0);
});

test('a frame of exactly MAX_FRAME_LEN bytes is accepted', () => {
  const prefix = '{"version":1,"type":"spawn_ready","payload":{"process_id":2}';
  const json = prefix + ' '.repeat(MAX_FRAME_LEN - prefix.length - 1) + '}';
  const frame = Buffer.alloc(4 + MAX_FRAME_LEN);
  frame.writeUInt32LE(MAX_FRAME_LEN);
  frame.write(json, 4);
  assert.deepEqual(new FrameDecoder().push(frame).map((v: unknown) => unversioned(toRunnerMessage(v, 1))), [{ type: 'spawn_ready', payload: { process_id: 2 } }]);
});

test('truncated input: EOF inside a frame and inside a length prefix', () => {
  const frame = encodeFrame(messages[1]!, 1);
  const d1 = new FrameDecoder();
  d1.push(frame.subarray(0, 10));
  rejects(() => d1.end(), `stream ended inside frame 1: got 6 of ${frame.length - 4} bytes`);
  const d2 = new FrameDecoder();
  d2.push(Buffer.concat([frame, frame.subarray(0, 3)]));
  rejects(() => d2.end(), 'stream ended inside a length prefix: got 3 of 4 bytes');
});

test('bodies that are not JSON, or empty, are refused with the frame number', () => {
  const raw = (s: string) => {
    const b = Buffer.from(s);
    const h = Buffer.alloc(4);
    h.writeUInt32LE(b.length);
    return Buffer.concat([h, b]);
  };
  assert.throws(() => new FrameDecoder().push(raw('{"version":1,')), /^ProtocolError: frame 1 is not valid JSON: /);
  rejects(() => new FrameDecoder().push(Buffer.concat([encodeFrame(messages[0]!, 1), raw('')])), 'frame 2 is empty (expected a JSON object)');
});

test('large outputs are split into frames under the limit and reassemble exactly', () => {
  const data = Buffer.alloc(5 * MAX_DATA_PER_FRAME + 123);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const pieces = [...splitForFrames(data)];
  assert.equal(pieces.length, 6);
  const frames = pieces.map((p) => encodeDataFrame('output', p, 1, 'stdout'));
  for (const f of frames) assert.ok(f.length - 4 <= MAX_FRAME_LEN);
  const decoded = new FrameDecoder().push(Buffer.concat(frames)).map((v: unknown) => unversioned(toRunnerMessage(v, 1)));
  const joined = Buffer.concat(decoded.map((m) => Buffer.from((m.payload as { data_b64: string }).data_b64, 'base64')));
  assert.ok(joined.equals(data));
  assert.deepEqual([...splitForFrames(Buffer.alloc(0))], []);
});
