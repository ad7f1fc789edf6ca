// PosixPty on its own (no runner): the controlling-terminal helpers, checked by the kernel's view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PosixPty, perlSetsidHelper, type HelperCommand } from '../../../src/runner/pty/posix-pty';
import { isAlive } from '../../helpers/process-state';
import { posixOnly } from '../../helpers/platform';

/** Linux's TIOCSCTTY (<asm-generic/ioctls.h>): lets the macOS perl helper run here. */
const LINUX_TIOCSCTTY = 0x540e;
const SHELL_CHECK = [
  'bash',
  '-c',
  // session leader, its own foreground group on a pts; then the size after SIGWINCH
  'echo "pid=$$ $(ps -o sid=,pgid=,tpgid=,tty= -p $$ | xargs)"; stty size; trap "stty size; exit 0" WINCH; echo trap-set; sleep 30 & wait',
];

async function runAndResize(helper?: (argv: readonly string[]) => HelperCommand) {
  const child = new PosixPty(SHELL_CHECK[0]!, SHELL_CHECK.slice(1), { cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, ...(helper ? { helper } : {}) });
  let text = '';
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (/^trap-set\r?$/m.test(text)) resolve(); // resizing earlier could beat the trap
    });
  });
  assert.equal(child.resize(90, 33), true);
  const code = await closed;
  return { child, text, code };
}

function assertControllingTerminal(pid: number, text: string): void {
  const m = /pid=(\d+) (\d+) (\d+) (\d+) (pts\/\d+)/.exec(text);
  assert.ok(m, `no ps line in ${JSON.stringify(text)}`);
  const [, shell, sid, pgid, tpgid] = m.map(Number);
  assert.equal(shell, pid, 'the helper exec()s in place: the reported pid is the command');
  assert.equal(sid, pid, 'session leader');
  assert.equal(pgid, pid, 'process group leader');
  assert.equal(tpgid, pid, 'the foreground group of its controlling terminal');
  assert.match(text, /^24 80\r?$/m, 'started at 80x24');
  assert.match(text, /^33 90\r?$/m, 'saw the new size after SIGWINCH');
}

test('Linux helper (setsid --ctty): controlling terminal, foreground group, resize seen', { skip: process.platform !== 'linux' && 'util-linux setsid is Linux only' }, async () => {
  const { child, text, code } = await runAndResize();
  assert.equal(code, 0);
  assertControllingTerminal(child.pid!, text);
  assert.equal(isAlive(child.pid), false);
});

test('macOS helper (perl setsid + TIOCSCTTY), run here with Linux ioctl number: same result', { skip: process.platform !== 'linux' && 'checks the macOS script with Linux constants' }, async () => {
  const { child, text, code } = await runAndResize((argv) => perlSetsidHelper(argv, LINUX_TIOCSCTTY, 'perl'));
  assert.equal(code, 0);
  assertControllingTerminal(child.pid!, text);
});

test('a bad size is refused without touching the terminal; a dead terminal refuses any size', { skip: posixOnly('a POSIX pseudo terminal (posix_openpt); test/win32/pty/ covers ConPTY') }, async () => {
  const child = new PosixPty('cat', [], { cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  await new Promise<void>((resolve) => child.once('spawn', resolve));
  child.stdout!.resume(); // the terminal closes once its output is read to the end, as the runner does
  assert.equal(child.resize(0, 10), false);
  assert.equal(child.resize(10, 70000), false);
  assert.equal(child.resize(10.5, 10), false);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdin!.end(); // ^D: cat exits
  await closed;
  assert.equal(child.exitCode, 0);
  assert.equal(child.resize(100, 30), false);
});

test('a child that ends on its own reports its exit code, not the hangup of a closed terminal (many at once)', { skip: posixOnly('a POSIX pseudo terminal (posix_openpt); test/win32/pty/ covers ConPTY') }, async () => {
  // Regression: closing the master as soon as the child closed its last terminal fd hung the
  // terminal up while the child was still exiting, so some ended with SIGHUP instead of 0.
  const once = async () => {
    const child = new PosixPty('cat', [], { cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    await new Promise<void>((resolve) => child.once('spawn', resolve));
    child.stdout!.resume();
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin!.end(); // ^D
    await closed;
    return `${child.exitCode}/${child.signalCode}`;
  };
  const outcomes: string[] = [];
  for (let round = 0; round < 8; round++) outcomes.push(...(await Promise.all(Array.from({ length: 8 }, once))));
  assert.deepEqual(outcomes.filter((o) => o !== '0/null'), []);
});
