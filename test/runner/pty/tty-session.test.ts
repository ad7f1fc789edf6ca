// Terminal sessions end to end: a real runner process, a real pseudo terminal, real children.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionManager } from '../../../src/main/session/session-manager';
import type { Session } from '../../../src/main/session/session';
import type { SessionOptions } from '../../../src/main/session/public-options';
import { realRunner } from '../../helpers/fixture-paths';
import { isAlive } from '../../helpers/process-state';
import { OutputWatch } from '../../helpers/output-watch';
import { assertNothingLeftBehind } from '../../helpers/sessions';
import { posixOnly } from '../../helpers/platform';

const skip = posixOnly('a POSIX terminal session driving sh, cat, sleep and ps; test/win32/pty/tty-session.test.ts runs ConPTY sessions');

const manager = new SessionManager();

function startTty(command: string[], extra: Partial<SessionOptions> = {}): Session {
  return manager.start({ command, tty: true, stdinOpen: true, runner: { kind: 'custom', spec: realRunner() }, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm' }, ...extra });
}

/** Everything the terminal printed so far, and a way to wait for a pattern in it (or the exit). */
function transcript(session: Session): OutputWatch {
  const output = new OutputWatch();
  session.onData((data) => output.append(data));
  void session.exited.then(() => output.end(`session ended (${session.state})`));
  return output;
}

// A Node child: sizes from its own stdout (TIOCGWINSZ), a new line on each SIGWINCH.
const SIZE_REPORTER = `
const tty = require('node:tty');
const out = process.stdout;
out.write('isatty ' + [0, 1, 2].map((fd) => tty.isatty(fd)).join(' ') + '\\n');
out.write('size ' + out.columns + 'x' + out.rows + '\\n');
const alive = setInterval(() => {}, 1 << 30); // a 'resize' listener alone does not keep Node running
out.on('resize', () => { out.write('resized ' + out.columns + 'x' + out.rows + '\\n'); clearInterval(alive); });
`;

test('a tty child is on a terminal and sees its size, then the new size after resize', { skip }, async () => {
  const session = startTty([process.execPath, '-e', SIZE_REPORTER]);
  const output = transcript(session);
  assert.deepEqual((await output.waitFor(/isatty (\w+) (\w+) (\w+)/)).slice(1), ['true', 'true', 'true']);
  assert.equal((await output.waitFor(/size (\d+x\d+)/))[1], '80x24'); // upstream's initial size
  session.resize(132, 43);
  assert.equal((await output.waitFor(/resized (\d+x\d+)/))[1], '132x43');
  const result = await session.exited;
  assert.equal(result.exitCode, 0);
  assert.equal(session.status().tty, true);
  assert.equal(session.status().traffic.stderr.bytes, 0, 'a terminal has one output stream');
  await assertNothingLeftBehind(session);
});

test('a size set before the command runs reaches it, and the status shows the size', { skip }, async () => {
  // The child reports its size only after reading a line, so the answer does not race the resize.
  const session = startTty([process.execPath, '-e', "process.stdin.once('data', () => { process.stdout.write('size ' + process.stdout.columns + 'x' + process.stdout.rows + '\\n'); process.exit(0); })"]);
  assert.deepEqual(session.status().ttySize, { cols: 80, rows: 24 });
  session.resize(100, 30); // before spawn_ready: held by the session, sent once the child runs
  assert.deepEqual(session.status().ttySize, { cols: 100, rows: 30 });
  const output = transcript(session);
  session.write('go\n');
  assert.equal((await output.waitFor(/size (\d+x\d+)/))[1], '100x30');
  assert.equal((await session.exited).exitCode, 0);
  assert.throws(() => session.resize(0, 10), /cols must be an integer 1\.\.65535, got 0/);
  await assertNothingLeftBehind(session);
});

test('an interactive shell is driven through stdin, with line editing done by the terminal', { skip }, async () => {
  const session = startTty(['bash', '--norc', '--noprofile', '-i'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'dumb', PS1: 'PROMPT> ' } });
  const output = transcript(session);
  await output.waitFor(/PROMPT> /);
  // "echo 6*7=$((6*8" then two backspaces (DEL) fix the 8 into a 7: readline edits the line.
  session.write('echo 6*7=$((6*8\x7f7))\n');
  assert.equal((await output.waitFor(/^6\*7=(\d+)\r?$/m))[1], '42');
  // The shell is the terminal's foreground job: tty(1) names the slave, job control is on.
  session.write('tty; set -o | grep -w monitor\n');
  await output.waitFor(/\/dev\/pts\/\d+/);
  await output.waitFor(/monitor\s+on/);
  session.write('exit 5\n');
  const result = await session.exited;
  assert.equal(result.exitCode, 5);
  await assertNothingLeftBehind(session);
});

test('closing stdin of a tty session sends end-of-file (^D) to the reader', { skip }, async () => {
  const session = startTty(['cat']);
  const output = transcript(session);
  session.write('one line\n');
  await output.waitFor(/one line\r\n.*one line/s); // the terminal echoes it, then cat prints it
  session.closeStdin();
  const result = await session.exited;
  assert.equal(result.exitCode, 0);
  await assertNothingLeftBehind(session);
});

test('terminate ends a tty session and every job of its shell, even ones in other process groups', { skip }, async () => {
  const session = startTty(['bash', '--norc', '--noprofile', '-i'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'dumb', PS1: 'PROMPT> ' } });
  const output = transcript(session);
  await output.waitFor(/PROMPT> /);
  // With job control each background job leads its own process group: a group kill misses it.
  session.write('sleep 300 & echo "job=$! group=$(ps -o pgid= -p $!) shell=$$"\n');
  const [, job, group, shell] = (await output.waitFor(/job=(\d+) group=\s*(\d+) shell=(\d+)/)).map(Number);
  assert.equal(group, job, 'the job leads its own process group');
  assert.notEqual(group, shell);
  assert.ok(isAlive(job));
  session.terminate();
  const result = await session.exited;
  assert.equal(result.exitCode, 1); // upstream's TerminateProcess(h, 1)
  await assertNothingLeftBehind(session, [job!]);
});

test('a command that does not exist fails the spawn with the reason, and leaves nothing', { skip }, async () => {
  const session = startTty(['no-such-command-for-pty-test']);
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.match(result.error?.message ?? '', /failed to spawn no-such-command-for-pty-test: no executable named "no-such-command-for-pty-test" on PATH/);
  await assertNothingLeftBehind(session);
});

test('a timed-out tty command is killed with upstream exit code 192', { skip }, async () => {
  const session = startTty(['sleep', '300'], { timeoutMs: 200 });
  const result = await session.exited;
  assert.equal(result.exitCode, 192);
  assert.equal(result.timedOut, true);
  await assertNothingLeftBehind(session);
});
