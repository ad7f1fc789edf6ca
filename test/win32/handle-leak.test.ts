// Many pipe pairs created, connected, streamed and closed: the process's handle count must come
// back to where it started (GetProcessHandleCount).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { createNamedPipePair } from '../../src/os/win32/named-pipe-pair';
import { processHandleCount, skipUnlessWindows as skip } from './win32-test-support';

async function roundTrip(mode: 'stream' | 'abort' | 'unopened'): Promise<void> {
  const pair = await createNamedPipePair();
  try {
    if (mode === 'abort') {
      const controller = new AbortController();
      const wait = pair.waitForClient('in', controller.signal);
      controller.abort(new Error('abandoned'));
      await assert.rejects(wait, /abandoned/);
      return;
    }
    const client = net.connect({ path: pair.names.out, allowHalfOpen: true });
    await once(client, 'connect');
    await pair.waitForClient('out', new AbortController().signal);
    if (mode === 'stream') {
      const stream = pair.openStream('out');
      const got = once(stream, 'data');
      client.end('x');
      await got;
      stream.destroy();
      await once(stream, 'close');
    }
    client.destroy();
    await once(client, 'close');
  } finally {
    await pair.close();
  }
}

test('pipe pairs leave no handle behind (created, connected, streamed, aborted, closed)', { skip, timeout: 120_000 }, async () => {
  for (let i = 0; i < 5; i++) for (const mode of ['stream', 'abort', 'unopened'] as const) await roundTrip(mode); // warm up Node's own handles
  const before = processHandleCount();
  for (let i = 0; i < 40; i++) for (const mode of ['stream', 'abort', 'unopened'] as const) await roundTrip(mode);
  await new Promise((resolve) => setImmediate(resolve));
  const after = processHandleCount();
  // 120 pairs = 240 pipe handles: a leak of one handle per pair would show as >= 120.
  assert.equal(after, before, `handle count went from ${before} to ${after}`);
});
