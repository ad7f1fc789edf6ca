// ConPTY as Windows does it, past what Wine's pseudo console does (Wine 8: ResizePseudoConsole is
// E_NOTIMPL, and a child's std handles are not the console's, so ordinary programs print nowhere):
// tty Sessions whose children use their plain std handles, as every console program does.
// - an ordinary console program's output arrives (cmd.exe's echo);
// - a resize reaches the child: node.exe reports the new process.stdout.columns/rows on 'resize';
// - stdin's "\n" arrives as "\r\n": a line read by the child in the console's line mode;
// - terminate ends the child and the process it started.
// Markers carry no spaces: the console host may draw a run of spaces as a cursor move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Session } from '../../../src/main/session/session';
import type { SessionConfig } from '../../../src/main/session/session-options';
import { OutputWatch } from '../../helpers/output-watch';
import { eventually, isAlive } from '../../helpers/process-state';
import { windowsOnly } from './windows-only';

const skip = windowsOnly("ConPTY children's own std handles, resize, line input and termination", "neither resizes a pseudo console (E_NOTIMPL) nor gives its children the console as std handles");
const CMD = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'cmd.exe');

/** VT sequences (CSI, OSC) and the console's carriage returns, out of the way of the markers. */
function plain(text: string): string {
  return text.replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '').replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][0-9A-Za-z]/g, '');
}

function ttySession(command: string[], extra: Partial<SessionConfig> = {}) {
  const session = new Session({
    command,
    tty: true,
    stdinOpen: true,
    allowUnenforcedPolicy: true,
    env: { ...process.env } as Record<string, string>,
    connectTimeoutMs: 30_000,
    spawnReadyTimeoutMs: 30_000,
    ...extra,
  });
  const output = new OutputWatch(plain);
  session.stdout.on('data', (d: Buffer) => output.append(d));
  void session.exited.then(() => output.end(`session ended (${session.state})`));
  return { session, waitFor: (pattern: RegExp) => output.waitFor(pattern), output: () => output.text };
}

test("an ordinary console program's output arrives: cmd.exe /d /c echo, exit code 0", { skip, timeout: 60_000 }, async () => {
  const { session, waitFor, output } = ttySession([CMD, '/d', '/c', 'echo hi-from-cmd']);
  await session.start();
  await waitFor(/hi-from-cmd/);
  const result = await session.exited;
  assert.equal(result.error?.message, undefined);
  assert.deepEqual([result.state, result.exitCode], ['exited', 0], output());
});

const RESIZE_CHILD = `
const say = (s) => process.stdout.write(s + '\\r\\n');
say('tty=' + process.stdout.isTTY + ',' + process.stdin.isTTY);
say('size=' + process.stdout.columns + 'x' + process.stdout.rows);
process.stdout.on('resize', () => say('resized=' + process.stdout.columns + 'x' + process.stdout.rows));
// Raw mode: libuv reads console input records, among them the console's size changes.
process.stdin.setRawMode(true);
process.stdin.on('data', (d) => { if (String(d).includes('q')) process.exit(3); });
`;

test('a resize reaches the child: node.exe sees its std handles are the console, then its new size on resize', { skip, timeout: 60_000 }, async () => {
  const { session, waitFor } = ttySession([process.execPath, '-e', RESIZE_CHILD]);
  await session.start();
  assert.equal((await waitFor(/tty=(\w+),(\w+)/)).slice(1).join(','), 'true,true');
  assert.equal((await waitFor(/size=(\d+x\d+)/))[1], '80x24');
  session.resize(132, 43);
  assert.equal((await waitFor(/resized=(\d+x\d+)/))[1], '132x43');
  session.write('q');
  const result = await session.exited;
  assert.deepEqual([result.state, result.exitCode], ['exited', 3]);
});

const LINE_CHILD = `
process.stdout.write('ready\\r\\n');
process.stdin.once('data', (d) => { process.stdout.write('read=' + JSON.stringify(String(d)) + '\\r\\n'); process.exit(0); });
`;

test('stdin "\\n" arrives as "\\r\\n": the child, in the console\'s line mode, reads the whole line', { skip, timeout: 60_000 }, async () => {
  const { session, waitFor } = ttySession([process.execPath, '-e', LINE_CHILD]);
  await session.start();
  await waitFor(/ready/);
  session.write('hello\n');
  // Without the CR the console would not end the line and the child would read nothing.
  assert.equal(JSON.parse((await waitFor(/read=("(?:[^"\\]|\\.)*")/))[1]!), 'hello\r\n');
  const result = await session.exited;
  assert.deepEqual([result.state, result.exitCode], ['exited', 0]);
});

const TREE_CHILD = `
const { spawn } = require('child_process');
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
process.stdout.write('pids=' + process.pid + ',' + grandchild.pid + '\\r\\n');
setInterval(() => {}, 1000);
`;

test('terminate ends the child and the process it started (the kill-on-close job)', { skip, timeout: 60_000 }, async () => {
  const { session, waitFor } = ttySession([process.execPath, '-e', TREE_CHILD]);
  await session.start();
  const pids = (await waitFor(/pids=(\d+),(\d+)/)).slice(1).map(Number);
  assert.ok(pids.every(isAlive), 'both running before terminate');
  session.terminate();
  const result = await session.exited;
  assert.deepEqual([result.state, result.exitCode], ['exited', 1]);
  await eventually(() => !pids.some(isAlive), 10_000);
  assert.deepEqual(pids.filter(isAlive), [], 'still running after terminate');
});
