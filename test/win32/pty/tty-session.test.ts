// A whole tty Session on Windows: named pipes, the bundled runner under the Windows node.exe, and
// the ConPTY path inside it (Wine's pseudo console under `npm run test:wine`). See conpty.test.ts
// for what Wine does and does not do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Session } from '../../../src/main/session/session';
import { runningUnderWine, skipUnlessWindows as skip } from '../win32-test-support';

const CHILD = path.join(__dirname, 'console-child.js');

test('a tty session runs a console program in a pseudo console: output, input, resize, exit code', { skip, timeout: 60_000 }, async () => {
  const session = new Session({
    allowUnenforcedPolicy: true,
    command: [process.execPath, CHILD],
    tty: true,
    stdinOpen: true,
    env: { ...process.env } as Record<string, string>,
    connectTimeoutMs: 20_000,
    spawnReadyTimeoutMs: 20_000,
  });
  let text = '';
  const waiters = new Set<() => void>();
  session.stdout.on('data', (d: Buffer) => {
    text += d.toString();
    for (const wake of waiters) wake();
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = text.match(pattern);
        if (m) return waiters.delete(check), resolve(m);
        if (session.state === 'exited' || session.state === 'failed') return waiters.delete(check), reject(new Error(`ended without ${pattern}: ${JSON.stringify(text)}`));
      };
      waiters.add(check);
      void session.exited.then(check);
      check();
    });
  await session.start();
  assert.equal((await waitFor(/size (\d+x\d+)/))[1], '80x24');
  session.resize(120, 40);
  assert.deepEqual(session.status().ttySize, { cols: 120, rows: 40 });
  session.write('hello\n');
  assert.equal((await waitFor(/read "(hello[^"]*)"/))[1], 'hello\\r\\n');
  if (!runningUnderWine()) assert.equal((await waitFor(/resized (\d+x\d+)/))[1], '120x40'); // Wine: E_NOTIMPL
  session.write('exit 9\n');
  const result = await session.exited;
  assert.equal(result.error?.message, undefined);
  assert.deepEqual([result.state, result.exitCode], ['exited', 9]);
  assert.equal(session.status().tty, true);
  assert.equal(session.status().traffic.stderr.bytes, 0);
});

test('terminate ends a tty session with exit code 1', { skip, timeout: 60_000 }, async () => {
  const session = new Session({ allowUnenforcedPolicy: true, command: [process.execPath, CHILD], tty: true, stdinOpen: true, env: { ...process.env } as Record<string, string>, connectTimeoutMs: 20_000, spawnReadyTimeoutMs: 20_000 });
  let text = '';
  const sawSize = new Promise<void>((resolve) =>
    session.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('size ')) resolve();
    }),
  );
  await session.start();
  await sawSize;
  session.terminate();
  const result = await session.exited;
  assert.deepEqual([result.state, result.exitCode], ['exited', 1]);
});
