// `preparing` is bounded by the session's end: a step in it that waits on the file system for
// good (here: materializing a runner whose source is a FIFO nobody writes, so copyFile waits in
// open(2)) must not keep dispose() from returning.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { SessionManager } from '../../src/session/session-manager';
import { posixOnly } from '../helpers/platform';

const dir = mkdtempSync(path.join(os.tmpdir(), 'preparing-bounds-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('dispose() during a preparing step that never finishes returns, failed in preparing', { skip: posixOnly('mkfifo') }, async () => {
  const fifo = path.join(dir, 'runner-source.js');
  execFileSync('mkfifo', [fifo]);
  const manager = new SessionManager();
  try {
    const session = manager.start({
      command: ['true'],
      codexHome: path.join(dir, 'home'),
      runner: { exe: process.execPath, args: [fifo], materialize: fifo, kind: 'custom' },
      allowUnenforcedPolicy: true,
      permissions: 'read-only',
    });
    assert.equal(session.state, 'preparing');
    await new Promise((r) => setTimeout(r, 200)); // let the copy reach open(2) on the FIFO
    const result = await session.dispose();
    assert.equal(result.state, 'failed');
    assert.deepEqual([result.error?.stage, result.error?.message], ['preparing', 'session disposed during preparing']);
  } finally {
    // The parked copy gets its end of file (open read-write never blocks), so its thread comes back.
    closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
    await manager.dispose();
  }
});
