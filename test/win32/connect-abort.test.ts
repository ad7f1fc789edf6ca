// A wait for a runner that never comes must neither keep the process alive nor survive an abort:
// a child node.exe waits with no client and must exit by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runNode, skipUnlessWindows as skip } from './win32-test-support';

const pairModule = JSON.stringify(path.resolve(__dirname, '../../src/os/win32/named-pipe-pair.js'));

test('an aborted wait rejects with the reason, and the process then exits by itself', { skip, timeout: 60_000 }, async () => {
  const { done } = runNode(`
    const { createNamedPipePair } = require(${pairModule});
    createNamedPipePair().then(async (pair) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('runner never came')), 200);
      try {
        await pair.waitForClient('in', controller.signal);
      } catch (err) {
        console.log('rejected: ' + err.message);
      }
      // pair deliberately not closed: nothing of it may hold the process
    });
  `);
  const result = await done;
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.trim(), 'rejected: runner never came');
  assert.equal(result.code, 0);
});

test('a wait nobody answers or aborts does not keep the process alive', { skip, timeout: 60_000 }, async () => {
  const { done } = runNode(`
    const { createNamedPipePair } = require(${pairModule});
    createNamedPipePair().then((pair) => {
      pair.waitForClient('out', new AbortController().signal).then(() => console.log('connected?!'));
      console.log('waiting');
    });
  `);
  const result = await done;
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.trim(), 'waiting');
  assert.equal(result.code, 0);
});
