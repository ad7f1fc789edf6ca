// Seeded fuzzing of the decoder + validator: the same cases every run (change SEED to explore).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDataFrame, encodeFrame, FrameDecoder } from '../../src/protocol/framing';
import { ProtocolError, toParentMessage, toRunnerMessage, type AnyMessage } from '../../src/protocol/messages';
import { Prng } from '../helpers/prng';

const SEED = 0xc0dec5;
/** A small limit so random headers often fall under it and bodies get parsed. */
const FUZZ_MAX_FRAME = 4096;

/** Every rejection must be one of these specific messages; anything else is a bug. */
const KNOWN_REJECTIONS = [
  /^frame too large: \d+ bytes announced by frame \d+ \(limit \d+\)$/,
  /^frame \d+ is empty \(expected a JSON object\)$/,
  /^frame \d+ is not valid JSON: .+/,
  /^stream ended inside frame \d+: got \d+ of \d+ bytes$/,
  /^stream ended inside a length prefix: got [123] of 4 bytes$/,
  /^frame is not a JSON object \(got .+\)$/,
  /^frame has no "version"$/,
  /^frame "version" must be an integer 0\.\.255 \(got .+\)$/,
  /^unsupported protocol version \d+ \(this session speaks version 1\)$/,
  /^frame has no string "type" \(got .+\)$/,
  /^unknown message type ".*" from the (runner|parent)$/,
  /^.*: "payload" must be an object \(got .+\)$/,
  /^[a-z_]+: missing field "[a-z_0-9]+" \(expected .+\)$/,
  /^[a-z_]+: field "[a-z_0-9]+" must be .+, got .+$/,
  /^[a-z_]+: field "command" must not be empty$/,
];

function assertSpecific(err: unknown, context: string): void {
  assert.ok(err instanceof ProtocolError, `${context}: not a ProtocolError: ${String(err)}`);
  assert.ok(KNOWN_REJECTIONS.some((re) => re.test(err.message)), `${context}: unspecific message ${JSON.stringify(err.message)}`);
}

/** Feeds `bytes` in random pieces; returns how it went. Memory stays under one frame plus a chunk. */
function decode(bytes: Buffer, prng: Prng, validate: (v: unknown) => AnyMessage, maxChunk: number): { messages: AnyMessage[]; error?: unknown } {
  const decoder = new FrameDecoder(FUZZ_MAX_FRAME);
  const messages: AnyMessage[] = [];
  try {
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + prng.int(maxChunk);
      for (const v of decoder.push(bytes.subarray(at, at + n))) messages.push(validate(v));
      assert.ok(decoder.pendingBytes <= FUZZ_MAX_FRAME + 4 + maxChunk, `decoder holds ${decoder.pendingBytes} bytes`);
      at += n;
    }
    decoder.end();
  } catch (err) {
    return { messages, error: err };
  }
  return { messages };
}

function randomMessage(prng: Prng): AnyMessage {
  const data = prng.bytes(prng.int(300));
  switch (prng.int(9)) {
    case 0: return { type: 'spawn_ready', payload: { process_id: prng.int(1 << 30) } };
    case 1: return { type: 'exit', payload: { exit_code: prng.int(512) - 256, timed_out: prng.int(2) === 1 } };
    case 2: return { type: 'error', payload: { message: `bad ${prng.int(1000)} ✓`, code: 'spawn_failed' } };
    case 3: return { type: 'close_stdin', payload: {} };
    case 4: return { type: 'terminate', payload: {} };
    case 5: return { type: 'resize', payload: { rows: prng.int(500), cols: prng.int(500) } };
    case 6: return { type: 'stdin', payload: { data_b64: data.toString('base64') } };
    default: return { type: 'output', payload: { data_b64: data.toString('base64'), stream: prng.pick(['stdout', 'stderr'] as const) } };
  }
}

const anyDirection = (v: unknown): AnyMessage => {
  const type = (v as { type?: unknown } | null)?.type;
  const { version: _version, ...message } = ['stdin', 'close_stdin', 'resize', 'terminate', 'spawn_request'].includes(type as string) ? toParentMessage(v, 1) : toRunnerMessage(v, 1);
  return message as AnyMessage;
};

test('random splits of valid streams always decode to the same messages', () => {
  const prng = new Prng(SEED);
  for (let round = 0; round < 1500; round++) {
    const messages = Array.from({ length: 1 + prng.int(8) }, () => randomMessage(prng));
    const bytes = Buffer.concat(messages.map((m) => (m.type === 'output' ? encodeDataFrame('output', Buffer.from(m.payload.data_b64, 'base64'), 1, m.payload.stream) : encodeFrame(m, 1))));
    const got = decode(bytes, prng, anyDirection, prng.pick([1, 3, 64, 4096]));
    assert.equal(got.error, undefined, `round ${round}: ${String(got.error)}`);
    assert.deepEqual(got.messages, messages, `round ${round}`);
  }
});

test('random bytes: rejected with a specific ProtocolError or decoded, never a crash', () => {
  const prng = new Prng(SEED + 1);
  let rejected = 0;
  for (let round = 0; round < 3000; round++) {
    let bytes = prng.bytes(prng.int(200));
    if (prng.int(2) === 0 && bytes.length >= 4) bytes.writeUInt32LE(prng.int(bytes.length), 0); // a plausible header
    const got = decode(bytes, prng, (v: unknown) => toRunnerMessage(v, 1), 1 + prng.int(32));
    if (got.error !== undefined) {
      rejected++;
      assertSpecific(got.error, `round ${round}`);
    }
  }
  assert.ok(rejected > 2500, `only ${rejected} of 3000 random inputs were rejected`);
});

test('mutated valid frames: every rejection is specific, every acceptance is a valid message', () => {
  const prng = new Prng(SEED + 2);
  const reasons = new Set<string>();
  for (let round = 0; round < 4000; round++) {
    const messages = Array.from({ length: 1 + prng.int(4) }, () => randomMessage(prng));
    const bytes = Buffer.from(Buffer.concat(messages.map((m) => encodeFrame(m, 1))));
    const mutations = 1 + prng.int(3);
    let mutated = bytes;
    for (let i = 0; i < mutations; i++) {
      const at = prng.int(mutated.length);
      switch (prng.int(5)) {
        case 0: mutated[at] = prng.int(256); break; // flip a byte
        case 1: mutated = mutated.subarray(0, at); break; // truncate
        case 2: mutated = Buffer.concat([mutated.subarray(0, at), prng.bytes(1 + prng.int(8)), mutated.subarray(at)]); break; // insert
        case 3: mutated = Buffer.concat([mutated.subarray(0, at), mutated.subarray(at + 1 + prng.int(8))]); break; // delete
        default: { // swap a JSON token for a plausible wrong one
          const text = mutated.toString('latin1');
          const swaps: [string, string][] = [['"version":1', '"version":2'], ['"stdout"', '"stdin"'], ['true', '"true"'], ['"payload":{', '"payload":[{'], ['_b64":"', '_b64":"!']];
          const [from, to] = prng.pick(swaps);
          mutated = Buffer.from(text.replace(from, to), 'latin1');
          // keep the header honest about the first frame's length so the body is what gets judged
          if (mutated.length >= 4 && text.includes(from) && mutated.readUInt32LE(0) + 4 <= text.length) {
            mutated.writeUInt32LE(mutated.readUInt32LE(0) + to.length - from.length, 0);
          }
        }
      }
    }
    const got = decode(mutated, prng, anyDirection, 1 + prng.int(128));
    if (got.error !== undefined) {
      assertSpecific(got.error, `round ${round}`);
      reasons.add((got.error as Error).message.replace(/\d+/g, 'N').slice(0, 40));
    }
    for (const m of got.messages) assert.doesNotThrow(() => anyDirection({ version: 1, ...m }));
  }
  assert.ok(reasons.size >= 8, `mutations exercised only ${reasons.size} kinds of rejection: ${[...reasons].join(' | ')}`);
});

test('memory stays bounded: a header announcing a frame over the limit is refused before any body is buffered', () => {
  const decoder = new FrameDecoder();
  const header = Buffer.alloc(4);
  header.writeUInt32LE(0xfffffff0);
  assert.throws(() => decoder.push(header), ProtocolError);
  assert.equal(decoder.pendingBytes, 0);
});
