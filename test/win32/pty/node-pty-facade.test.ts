// The node-pty facade on Windows, as node-pty's Windows backend behaves: kill(signal) throws
// "Signals not supported on windows.", kill() ends the command (the runner's terminate), onExit
// has no signal, pid is the runner's (no kernel check of the runner's claim here), and a resize
// after the exit throws node-pty's Windows message. Under Wine: the bundled runner in Wine's ConPTY.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { disposeDefaultManager, spawn, type IExitEvent } from '../../../src/main/node-pty';
import { skipUnlessWindows as skip } from '../win32-test-support';

const CHILD = path.join(__dirname, 'console-child.js');
after(() => disposeDefaultManager());

test("kill(signal) throws as node-pty's Windows backend does; kill() ends the command; pid is the runner's", { skip, timeout: 90_000 }, async () => {
  const pty = spawn(process.execPath, [CHILD], {
    env: { ...process.env } as Record<string, string>,
    useConpty: true,
    session: { timeouts: { connectMs: 20_000, spawnReadyMs: 20_000 }, runner: { kind: 'bundled', allowUnenforcedPolicy: true } },
  });
  let text = '';
  const sawSize = new Promise<void>((resolve) => pty.onData((d) => (text += d).includes('size ') && resolve()));
  const exited = new Promise<IExitEvent>((resolve) => pty.onExit(resolve));
  await sawSize;
  const pid = await pty.pidReady;
  assert.equal(pid, pty.session.status().runnerPid);
  assert.equal(pty.session.takesSignals, false);
  assert.throws(() => pty.kill('SIGINT'), /^Error: Signals not supported on windows\.$/);
  pty.kill();
  const exit = await exited;
  assert.equal(exit.exitCode, 1, JSON.stringify({ ...exit.result, error: exit.result.error?.message }));
  assert.equal(exit.signal, undefined);
  assert.equal(exit.result.endReason, 'terminated');
  assert.throws(() => pty.resize(100, 30), /^Error: Cannot resize a pty that has already exited$/);
});

test('on Windows the ConPTY options the runner cannot honour are refused with why; a command-line string too', { skip }, () => {
  assert.throws(() => spawn('cmd.exe', [], { useConpty: false }), /^TypeError: spawn option "useConpty" boolean false is not supported: the runner always uses ConPTY on Windows \(winpty is not offered\)$/);
  assert.throws(() => spawn('cmd.exe', [], { useConptyDll: true }), /^TypeError: spawn option "useConptyDll" boolean true is not supported: the runner uses the system's ConPTY$/);
  assert.throws(() => spawn('cmd.exe', '/c echo hi'), /^TypeError: spawn: args as one command-line string is not supported: pass an array of arguments$/);
});
