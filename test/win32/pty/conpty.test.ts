// The ConPTY path for real: the Windows node.exe and koffi, kernel32's pseudo console (Wine's
// implementation under `npm run test:wine`, Windows' own on Windows).
//
// What Wine 8.0 was seen to do (the tests below hold on both, branching only where they differ):
// - CreatePseudoConsole, PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE, the 80x24 initial size, output as VT
//   sequences on our pipe, input (our "\r\n") read by ReadConsoleW, kill-on-close jobs: all work.
// - ResizePseudoConsole: E_NOTIMPL (0x80004001). Resizing is seen by the child only on Windows.
// - The child's std handles (STARTF_USESTDHANDLES with INVALID_HANDLE_VALUE, as upstream; NULL
//   behaves the same) are not the pseudo console's: writes to stdout vanish, a cmd.exe reading
//   stdin sees EOF and exits 0. Programs that open CONIN$/CONOUT$ by name reach the console. Without
//   STARTF_USESTDHANDLES the child inherits the runner's own handles instead. On Windows the
//   console's handles become the child's std handles (upstream relies on that); unverified here.
// - Conhost ends the output as soon as the last attached process exits, without ClosePseudoConsole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ConPty } from '../../../src/runner/pty/win32/conpty';
import type { PtyProcess } from '../../../src/runner/pty/pty-process';
import { OutputWatch } from '../../helpers/output-watch';
import { processHandleCount, runningUnderWine, skipUnlessWindows } from '../win32-test-support';

const CHILD = path.join(__dirname, 'console-child.js');

/** Output so far, a wait for a pattern in it, and the exit. */
function watch(child: PtyProcess) {
  const output = new OutputWatch();
  child.stdout!.on('data', (d: Buffer) => output.append(d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code: number | null) => {
      output.end('closed');
      resolve(code);
    }),
  );
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return { spawned, exited, waitFor: (pattern: RegExp) => output.waitFor(pattern) };
}

test('a child in the pseudo console: 80x24, input lines end in \\r\\n, exit code, handles released', { skip: skipUnlessWindows }, async () => {
  const before = processHandleCount();
  const child = new ConPty(process.execPath, [CHILD], { cwd: __dirname, env: { ...process.env } as Record<string, string> });
  const io = watch(child);
  await io.spawned;
  assert.ok(child.pid! > 0);
  assert.equal((await io.waitFor(/size (\d+x\d+)/))[1], '80x24');

  const resized = child.resize(120, 40);
  child.stdin!.write('first line\n'); // "\n" becomes "\r\n", as a console in line mode needs
  assert.equal((await io.waitFor(/read "(first line[^"]*)"/))[1], 'first line\\r\\n');
  if (runningUnderWine()) {
    assert.equal(resized, false, 'Wine 8 answers ResizePseudoConsole with E_NOTIMPL');
  } else {
    assert.equal(resized, true);
    assert.equal((await io.waitFor(/resized (\d+x\d+)/))[1], '120x40');
  }
  child.stdin!.write('exit 7\n');
  assert.equal(await io.exited, 7);
  assert.equal(child.resize(100, 30), false, 'no resize after the exit');
  assert.equal(processHandleCount(), before, 'pseudo console, pipes, job and process handles all closed');
});

test('kill ends the child through its job, with exit code 1, and releases everything', { skip: skipUnlessWindows }, async () => {
  const before = processHandleCount();
  const child = new ConPty(process.execPath, [CHILD], { cwd: __dirname, env: { ...process.env } as Record<string, string> });
  const io = watch(child);
  await io.spawned;
  await io.waitFor(/size /);
  assert.equal(child.kill(), true);
  assert.equal(await io.exited, 1);
  assert.equal(processHandleCount(), before);
});

test('a program that cannot be found or started fails with the reason and leaves no handle behind', { skip: skipUnlessWindows }, () => {
  const before = processHandleCount();
  assert.throws(
    () => new ConPty('C:\\no\\such\\program.exe', [], { cwd: __dirname, env: {} }),
    { message: 'program "C:\\no\\such\\program.exe" not found: no file C:\\no\\such\\program.exe (tried the name as is)' },
  );
  // Found on the request's PATH, never in the runner's own folder (node.exe's, here).
  assert.throws(() => new ConPty('node', [], { cwd: __dirname, env: { PATH: 'C:\\windows\\system32' } }), /^Error: program "node" not found on the request's PATH/);
  assert.throws(() => new ConPty(process.execPath, [], { cwd: __dirname, env: { 'A=B': '1' } }), /environment variable "A=B" cannot be passed/);
  assert.throws(() => new ConPty(process.execPath, [], { cwd: 'Z:\\no\\such\\folder', env: {} }), { message: /^CreateProcessW\(.+\) failed: Win32 error 267$/ });
  assert.equal(processHandleCount(), before);
});
