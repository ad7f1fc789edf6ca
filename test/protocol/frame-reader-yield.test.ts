// The frame reader lets the event loop turn after a budget of bytes, so a flood of output from
// busy sessions cannot hold Electron's main thread (bench: event_loop_p99_ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { encodeDataFrame } from '../../src/protocol/framing';
import { FrameReader } from '../../src/protocol/frame-reader';
import { toRunnerMessage, type RunnerMessage } from '../../src/protocol/messages';

const FRAMES = 16;
/** 16 frames of 128 KiB: 2.7 MB on the wire, ten times the reader's per-turn budget. */
function queuedStream(): PassThrough {
  const stream = new PassThrough({ highWaterMark: 64 * 1024 * 1024 });
  for (let i = 0; i < FRAMES; i++) stream.write(encodeDataFrame('output', Buffer.alloc(128 * 1024, i), 1, 'stdout'));
  stream.end();
  return stream;
}

test('a burst larger than the budget is delivered over several loop turns, complete and in order', async () => {
  const stream = queuedStream();
  const seen: number[] = [];
  let deliveredBeforeTurn = -1;
  const ended = new Promise<void>((resolve, reject) => {
    new FrameReader<RunnerMessage>(stream, (v: unknown) => toRunnerMessage(v, 1), {
      message: (m) => m.type === 'output' && seen.push(Buffer.from(m.payload.data_b64, 'base64')[0]!),
      error: reject,
      end: resolve,
    });
  });
  setImmediate(() => (deliveredBeforeTurn = seen.length));
  await ended;
  assert.ok(deliveredBeforeTurn > 0 && deliveredBeforeTurn < FRAMES, `the loop turned after ${deliveredBeforeTurn} of ${FRAMES} frames`);
  assert.deepEqual(seen, Array.from({ length: FRAMES }, (_, i) => i));
});

test("the owner's pause outlasts the reader's own yield: nothing more arrives until resume()", async () => {
  const stream = queuedStream();
  const seen: number[] = [];
  let reader!: FrameReader<RunnerMessage>;
  const ended = new Promise<void>((resolve, reject) => {
    reader = new FrameReader<RunnerMessage>(stream, (v: unknown) => toRunnerMessage(v, 1), {
      message: () => {
        seen.push(seen.length);
        if (seen.length === 3) reader.pause(); // the frame that crosses the budget: yield and pause together
      },
      error: reject,
      end: resolve,
    });
  });
  // Two full loop turns: the yield's setImmediate has run and must not have resumed the stream.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(seen.length, 3);
  assert.equal(stream.isPaused(), true);
  reader.resume();
  await ended;
  assert.equal(seen.length, FRAMES);
});
