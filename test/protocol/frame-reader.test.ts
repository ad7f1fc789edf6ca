import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { encodeFrame } from '../../src/protocol/framing';
import { FrameReader } from '../../src/protocol/frame-reader';
import { ProtocolError, toRunnerMessage, type RunnerMessage } from '../../src/protocol/messages';

interface Outcome {
  messages: RunnerMessage[];
  error?: Error;
  ended: boolean;
}

function read(write: (s: PassThrough) => void, onMessage?: (m: RunnerMessage) => void): Promise<Outcome> {
  const stream = new PassThrough();
  const outcome: Outcome = { messages: [], ended: false };
  return new Promise((resolve) => {
    new FrameReader(stream, (v: unknown) => toRunnerMessage(v, 1), {
      message: (m) => {
        outcome.messages.push(m);
        onMessage?.(m);
      },
      error: (err) => resolve({ ...outcome, error: err }),
      end: () => resolve({ ...outcome, ended: true }),
    });
    write(stream);
  });
}

const ready = encodeFrame({ type: 'spawn_ready', payload: { process_id: 9 } }, 1);
const exit = encodeFrame({ type: 'exit', payload: { exit_code: 0, timed_out: false } }, 1);

test('delivers validated messages, then a clean end', async () => {
  const o = await read((s) => s.end(Buffer.concat([ready, exit])));
  assert.deepEqual(o.messages.map((m) => m.type), ['spawn_ready', 'exit']);
  assert.equal(o.ended, true);
});

test('a truncated stream ends in a ProtocolError, not a clean end', async () => {
  const o = await read((s) => s.end(ready.subarray(0, 6)));
  assert.ok(o.error instanceof ProtocolError);
  assert.equal(o.error.message, `stream ended inside frame 1: got 2 of ${ready.length - 4} bytes`);
  assert.equal(o.ended, false);
});

test('a frame that fails validation stops delivery: nothing after it is seen', async () => {
  const bad = encodeFrame({ type: 'output', payload: { data_b64: '!!', stream: 'stdout' } } as never, 1);
  const o = await read((s) => s.end(Buffer.concat([ready, bad, exit])));
  assert.deepEqual(o.messages.map((m) => m.type), ['spawn_ready']);
  assert.equal(o.error?.message, 'output: field "data_b64" must be standard base64, got "!!"');
});

test('a listener that throws fails the reader instead of escaping into the stream', async () => {
  const o = await read(
    (s) => s.end(Buffer.concat([ready, exit])),
    () => {
      throw new Error('listener bug');
    },
  );
  assert.equal(o.messages.length, 1);
  assert.match(o.error?.message ?? '', /listener bug/);
});

test('a stream destroyed without an end is reported as a broken pipe', async () => {
  const o = await read((s) => {
    s.write(ready);
    setImmediate(() => s.destroy());
  });
  assert.deepEqual(o.messages.map((m) => m.type), ['spawn_ready']);
  assert.equal(o.error?.message, 'pipe closed before the end of stream');
});
