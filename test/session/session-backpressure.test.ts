// A consumer that stops reading must slow the command down, not grow the parent's memory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { isAlive } from '../helpers/process-state';
import { assertNothingLeftBehind, whenRunning } from '../helpers/sessions';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('the commands are sh, yes and head, and memory is read from /proc/<pid>/status');

const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
after(() => manager.dispose());

const TOTAL = 128 * 1024 * 1024;
const STDIN_TOTAL = 1024 * 1024 * 1024;
/** Session.stdout's high-water mark (1 MiB) plus what one socket read can carry past it. */
const PARENT_BUFFER_BOUND = 2 * 1024 * 1024;

/** Resolves once the byte counter has stopped moving: the pipeline is full and everyone waits. */
async function untilStalled(read: () => number): Promise<number> {
  let last = -1;
  let steady = 0;
  for (;;) {
    const now = read();
    steady = now === last ? steady + 1 : 0;
    last = now;
    if (steady >= 8) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("terminate with stdin backed up (a command that does not read it) ends with the runner's exit report", { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'echo started; sleep 1000'], stdinOpen: true, timeouts: { terminateGraceMs: 10_000 } });
  await whenRunning(session);
  // 2 MiB toward a command that never reads: more than its pipe holds, less than the runner's bound.
  const chunk = Buffer.alloc(64 * 1024, 0x62);
  for (let i = 0; i < 32; i++) session.write(chunk);
  await new Promise((r) => setTimeout(r, 200));
  session.terminate();
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 1, timedOut: false, endReason: 'terminated', signal: 'SIGTERM' });
  await assertNothingLeftBehind(session);
});

test("terminate with unread output: what nobody read is dropped and the runner's exit report ends it", { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'yes output-nobody-reads'], timeouts: { terminateGraceMs: 10_000 } });
  await whenRunning(session);
  // Nobody reads stdout: the session holds its bound, then the runner and the command wait.
  await untilStalled(() => session.status().traffic.stdout.bytes);
  session.terminate();
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 1, timedOut: false, endReason: 'terminated', signal: 'SIGTERM' });
  await assertNothingLeftBehind(session);
});

test('a slow consumer throttles the child; the parent holds a bounded amount, then everything arrives', { skip }, async () => {
  const rssBefore = process.memoryUsage().rss;
  const session = manager.start({ command: ['head', '-c', String(TOTAL), '/dev/zero'] });
  await whenRunning(session);
  // Nobody reads session.stdout yet.
  const stalledAt = await untilStalled(() => session.status().traffic.stdout.bytes);
  assert.ok(session.stdout.readableLength <= PARENT_BUFFER_BOUND, `parent buffers ${session.stdout.readableLength} bytes`);
  assert.ok(stalledAt < TOTAL / 4, `received ${stalledAt} of ${TOTAL} bytes with nobody reading`);
  assert.ok(isAlive(session.status().childPid), 'the child should be blocked on its full pipe, not finished');
  assert.equal(session.state, 'running');
  assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024);

  // Now read it all, checking the bytes as they come.
  let received = 0;
  let nonZero = 0;
  session.stdout.on('data', (d: Buffer) => {
    received += d.length;
    if (d.some((b) => b !== 0)) nonZero++;
  });
  const result = await session.exited;
  assert.deepEqual(result, { state: 'exited', exitCode: 0, timedOut: false, endReason: 'exited' });
  assert.equal(received, TOTAL);
  assert.equal(nonZero, 0);
  await assertNothingLeftBehind(session);
});

test('stdin toward a child that does not read: the producer is held back, parent and runner memory stay bounded', { skip }, async () => {
  const session = manager.start({ command: ['sh', '-c', 'read line; echo "got $line"; sleep 1000'], stdinOpen: true, timeouts: { terminateGraceMs: 500 } });
  await whenRunning(session);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  chunk[chunk.length - 1] = 0x0a; // the first chunk completes the child's one read
  const stop = new AbortController();
  let accepted = 0;
  // A well-behaved producer: write until told to wait, then wait for 'drain'.
  const producer = (async () => {
    while (accepted < STDIN_TOTAL) {
      accepted += chunk.length;
      if (!session.write(chunk)) await once(session.stdin, 'drain', { signal: stop.signal });
    }
  })().catch(() => {});
  const sent = await untilStalled(() => accepted);
  assert.ok(sent < STDIN_TOTAL / 8, `the producer got ${sent} bytes in although the child reads nothing`);
  assert.ok(session.stdin.writableLength <= 512 * 1024, `parent holds ${session.stdin.writableLength} bytes of stdin`);
  const runnerRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${session.status().runnerPid}/status`, 'utf8'))![1]) * 1024;
  assert.ok(runnerRss < 160 * 1024 * 1024, `runner RSS ${runnerRss}`);
  let out = '';
  session.stdout.on('data', (d: Buffer) => (out += d));
  // The pipe to the runner is ordered and this producer filled it past the runner's bound: the
  // terminate frame cannot arrive, so the parent ends the runner and its tree, and says why.
  session.terminate();
  const result = await session.exited;
  stop.abort();
  await producer;
  assert.equal(result.state, 'failed');
  assert.match(result.error?.message ?? '', /^runner pid \d+ did not report an exit within 500 ms of terminate \(\d+ bytes are still queued ahead of it: the command is not reading its stdin\); killed it and its processes$/);
  assert.equal(out, `got ${'a'.repeat(64 * 1024 - 1)}\n`);
  await assertNothingLeftBehind(session);
});
