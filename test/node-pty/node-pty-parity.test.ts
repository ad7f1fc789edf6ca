// The facade where node-pty's users depend on node-pty's exact behaviour (issue 21): Buffers and
// other encodings, automatic flow control, signals delivered to the command, `pid` the command's
// own (confirmed by the kernel), `process` the foreground program, clear(), the legacy events, the
// exit codes, resize/write after the exit, and nothing left behind. Real runner, real sh and bash,
// through the facade's own manager as a user's spawn() goes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { disposeDefaultManager, spawn, type IExitEvent, type SessionPty } from '../../src/main/node-pty';
import { Session } from '../../src/main/session/session';
import { OutputWatch } from '../helpers/output-watch';
import { posixOnly } from '../helpers/platform';
import { eventually, isAlive, parentPid } from '../helpers/process-state';
import { assertNothingLeftBehind } from '../helpers/sessions';

const skip = posixOnly('sh and bash on a POSIX terminal; signals and /proc are POSIX/Linux');
const linuxOnly = process.platform === 'linux' ? false : 'pid and process are confirmed in /proc (Linux only)';
after(() => disposeDefaultManager());

/** Bash without the machine's rc files, with a prompt we can wait for. */
const BASH = ['bash', ['--norc', '--noprofile', '-i']] as const;
const bashEnv = { PATH: process.env.PATH, PS1: 'PROMPT> ', TERM: 'xterm' };

function watched(pty: SessionPty) {
  const watch = new OutputWatch();
  pty.onData((d: string | Buffer) => watch.append(d));
  const exited = new Promise<IExitEvent>((resolve) =>
    pty.onExit((e) => {
      watch.end(`the terminal exited (${e.exitCode}, ${e.signal})`);
      resolve(e);
    }),
  );
  return { watch, exited };
}

test('encoding: null gives Buffers with the bytes as printed; strings written are UTF-8', { skip }, async () => {
  const pty = spawn('sh', ['-c', "stty -echo; printf '\\303\\246'; read line; printf '%s' \"$line\""], { encoding: null });
  const chunks: unknown[] = [];
  pty.onData((d) => chunks.push(d));
  await new Promise<void>((resolve) => pty.onData(() => resolve())); // echo is off by now: the input is not echoed
  pty.write('é\r');
  await new Promise((resolve) => pty.onExit(resolve));
  assert.ok(chunks.length > 0 && chunks.every((c) => Buffer.isBuffer(c)), 'every chunk is a Buffer');
  assert.deepEqual(Buffer.concat(chunks as Buffer[]), Buffer.from('æé'));
});

test('another encoding: onData decodes with it and write() encodes with it, as node-pty (base64)', { skip }, async () => {
  const text = 'test æ!';
  const pty = spawn(undefined, ['-c', `stty -echo; echo ready; read line; echo "${text}$line"`], { encoding: 'base64' }); // no file: sh
  const { exited } = watched(pty);
  let base64 = '';
  pty.onData((d) => (base64 += d));
  while (!Buffer.from(base64, 'base64').toString().includes('ready')) await new Promise((r) => setTimeout(r, 10));
  pty.write(Buffer.from('?\r').toString('base64'));
  await exited;
  assert.equal(Buffer.from(base64, 'base64').toString(), `ready\r\n${text}?\r\n`);
  assert.equal(pty.process, 'sh');
});

test('handleFlowControl: the pause string holds output back and never reaches the program; the resume string lets it through', { skip }, async () => {
  // Raw mode: the terminal passes ^S/^Q through as bytes, so any that reached the program would show.
  const pty = spawn('sh', ['-c', 'stty raw -echo; echo ready; c=$(head -c 3 | od -An -tx1); echo "got$c"; read x'], { handleFlowControl: true });
  assert.equal(pty.handleFlowControl, true);
  const { watch } = watched(pty);
  await watch.waitFor(/ready/);
  pty.write('\x13'); // XOFF: the client's "stop"
  pty.write('abc');
  const session = pty.session;
  // The program answered (the runner sent its output here) but nothing was delivered.
  assert.ok(await eventually(() => session.status().traffic.stdout.bytes > 'ready\r\n'.length + 8), 'the program answered');
  assert.doesNotMatch(watch.text, /got/);
  pty.write('\x11'); // XON
  await watch.waitFor(/got 61 62 63/);
  pty.kill();
});

test('kill(signal) delivers any signal to the command itself: traps run, the command goes on; an unknown name is a TypeError', { skip }, async () => {
  const pty = spawn('sh', ['-c', 'trap "echo got-usr1" USR1; trap "echo got-int" INT; echo ready; while :; do sleep 0.05; done']);
  const { watch, exited } = watched(pty);
  await watch.waitFor(/ready/);
  pty.kill('SIGUSR1');
  await watch.waitFor(/got-usr1/);
  pty.kill('SIGINT');
  await watch.waitFor(/got-int/);
  assert.throws(() => pty.kill('SIGNOPE'), /^TypeError: kill\("SIGNOPE"\): unknown signal$/);
  pty.kill('SIGTERM');
  const exit = await exited;
  assert.deepEqual([exit.exitCode, exit.signal], [0, osConstants.signals.SIGTERM]);
  assert.equal(exit.result.signal, 'SIGTERM');
});

test('kill() closes an interactive bash with SIGHUP: {exitCode 0, signal 1}, as node-pty reports, and nothing is left', { skip }, async () => {
  const pty = spawn(BASH[0], [...BASH[1]], { env: bashEnv });
  const { watch, exited } = watched(pty);
  await watch.waitFor(/PROMPT> /);
  const pid = await pty.pidReady;
  pty.kill();
  const exit = await exited;
  assert.deepEqual([exit.exitCode, exit.signal], [0, osConstants.signals.SIGHUP]);
  assert.equal(exit.result.signal, 'SIGHUP'); // not a SIGKILL after a grace: bash ignores SIGTERM, not SIGHUP
  assert.equal(isAlive(pid), false);
  await assertNothingLeftBehind(pty.session);
});

test('a kill() before the command runs is delivered once it does', { skip }, async () => {
  const pty = spawn('sh', ['-c', 'echo started; sleep 1000']);
  const { exited } = watched(pty);
  assert.equal(pty.pid, 0);
  pty.kill('SIGTERM');
  const exit = await exited;
  assert.deepEqual([exit.exitCode, exit.signal], [0, osConstants.signals.SIGTERM]);
  await assertNothingLeftBehind(pty.session);
});

test("pid: 0 at spawn, then the command's own process (confirmed as the runner's child) before any onData; pidReady and onPid say when", { skip: skip || linuxOnly }, async () => {
  const pty = spawn('sh', ['-c', 'echo "me $$"; read x']);
  assert.equal(pty.pid, 0);
  let heard = 0;
  pty.onPid((pid) => (heard = pid));
  const pidsAtData: number[] = [];
  pty.onData(() => pidsAtData.push(pty.pid));
  const { watch, exited } = watched(pty);
  const pid = await pty.pidReady;
  assert.equal(heard, pid);
  assert.equal(pty.pid, pid);
  const status = pty.session.status();
  assert.equal(parentPid(pid), status.runnerPid);
  assert.equal(status.pipes.in?.clientPid, status.runnerPid); // the runner, as the kernel saw it on the pipe
  assert.equal(Number((await watch.waitFor(/me (\d+)/))[1]), pid);
  assert.ok(pidsAtData.every((p) => p === pid), `pid when data came: ${pidsAtData}`);
  pty.write('\r');
  await exited;
});

test('process follows the foreground program (node-pty on Linux): a job bash runs, then bash again', { skip: skip || linuxOnly }, async () => {
  const pty = spawn(BASH[0], [...BASH[1]], { env: bashEnv });
  const { watch, exited } = watched(pty);
  await watch.waitFor(/PROMPT> /);
  assert.equal(pty.process, 'bash');
  pty.write('cat\r');
  assert.ok(await eventually(() => pty.process === 'cat', 5000), `process stayed ${pty.process}`);
  pty.write('\x04'); // ^D: cat ends, bash is in front again
  assert.ok(await eventually(() => pty.process === 'bash', 5000), `process stayed ${pty.process}`);
  pty.kill();
  await exited;
});

test("clear() is node-pty's Unix no-op; the legacy on('data')/on('exit') events are forwarded, once() and removeListener too", { skip }, async () => {
  const pty = spawn('sh', ['-c', 'read x; echo "[$x]"; exit 5']);
  let data = '';
  const dropped: unknown[] = [];
  const exits: unknown[][] = [];
  const drop = (d: unknown) => dropped.push(d);
  pty.on('data', (d: string) => (data += d));
  pty.on('data', drop);
  pty.removeListener('data', drop);
  pty.once('exit', (...args: unknown[]) => exits.push(args));
  const closed = new Promise((resolve) => pty.on('close', resolve));
  pty.clear();
  pty.write('hi\r');
  await new Promise((resolve) => pty.on('exit', resolve));
  await closed;
  assert.match(data, /\[hi\]\r\n/);
  assert.deepEqual(dropped, []);
  assert.deepEqual(exits, [[5, 0]]);
});

test('a command that cannot be executed exits 1 with the reason on the terminal (node-pty: execvp fails, exit 1); so does a missing cwd', { skip }, async () => {
  for (const [file, options, reason] of [
    ['/bin/bogus.exe', {}, /bogus\.exe is not an executable file/],
    ['/bin/echo', { cwd: '/nowhere' }, /working directory \/nowhere does not exist/],
  ] as const) {
    const pty = spawn(file, [], options);
    const { watch, exited } = watched(pty);
    const exit = await exited;
    assert.equal(exit.exitCode, 1, file);
    assert.equal(exit.result.state, 'failed');
    assert.equal(exit.result.error?.spawnFailed, true);
    assert.match(watch.text, reason);
    assert.equal(await pty.pidReady, 0);
  }
});

test('after the exit: resize throws as node-pty does, write and kill are silently dropped', { skip }, async () => {
  const pty = spawn('sh', ['-c', 'exit 0']);
  await new Promise((resolve) => pty.onExit(resolve));
  assert.throws(() => pty.resize(100, 30), /^Error: ioctl\(2\) failed, EBADF/);
  const frames = pty.session.status().traffic.toRunner.frames;
  pty.write('more\r');
  pty.kill();
  pty.kill('SIGKILL');
  assert.equal(pty.session.status().traffic.toRunner.frames, frames);
});

test("codex's runner never gets a signal: a session on it does not take them (kill() goes through terminate)", () => {
  const session = new Session({ command: ['cmd.exe'], runner: 'codex', codexHome: process.cwd(), sandbox: 'current' });
  assert.equal(session.takesSignals, false);
  assert.throws(() => session.signal('SIGHUP'), /takes no signals/);
  assert.throws(() => new Session({ command: ['sh'] }).signal('SIGNOPE'), /^TypeError: unknown signal "SIGNOPE"$/);
});

test('destroy(): output stops at once, the command gets SIGHUP, onExit still comes', { skip }, async () => {
  const pty = spawn('sh', ['-c', 'while :; do echo tick; sleep 0.02; done']);
  const { watch, exited } = watched(pty);
  await watch.waitFor(/tick/);
  pty.destroy();
  const seen = watch.text;
  const exit = await exited;
  assert.equal(watch.text, seen);
  assert.deepEqual([exit.exitCode, exit.signal], [0, osConstants.signals.SIGHUP]);
});

test('a program that spawns facade terminals and never disposes anything still exits; the warm runner goes with it', { skip: skip || linuxOnly, timeout: 60_000 }, async () => {
  const { execFile } = await import('node:child_process');
  const path = await import('node:path');
  const script = path.join(__dirname, '..', 'fixtures', 'facade-forgets-dispose.js');
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [script], (err, out, errOut) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out, stderr: errOut }));
  });
  assert.equal(code, 0, stderr);
  const runners = JSON.parse(stdout) as number[];
  assert.equal(runners.length, 1, 'it had an idle warm runner when it returned');
  assert.ok(await eventually(() => !isAlive(runners[0])), `warm runner ${runners[0]} outlived its program`);
  assert.ok(readFileSync('/proc/self/stat', 'latin1').length > 0);
});

test("a hostile runner claiming another process as its command: pid is never that process, but the runner's own", { skip: skip || linuxOnly }, async () => {
  const { spawn: spawnChild } = await import('node:child_process');
  const { rogueRunner } = await import('../helpers/fixture-paths');
  const victim = spawnChild('sleep', ['1000'], { stdio: 'ignore' });
  await new Promise((resolve) => victim.once('spawn', resolve));
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const rogue = { ...rogueRunner('claims-victim'), env: { ROGUE_VICTIM: String(victim.pid) } };
    const pty = spawn('sh', [], { session: { runner: { kind: 'custom', spec: rogue } } });
    const exited = new Promise<IExitEvent>((resolve) => pty.onExit(resolve));
    const pid = await pty.pidReady;
    const status = pty.session.status();
    assert.equal(status.childPid, victim.pid, 'the runner claimed the victim');
    assert.notEqual(pid, victim.pid);
    assert.equal(pid, status.runnerPid);
    assert.equal(pty.process, 'sh'); // nothing is read from a process the runner named
    pty.kill(); // a custom runner: terminate, never a signal to the claimed pid
    await exited;
    assert.ok(isAlive(victim.pid!), 'the victim was not touched');
    assert.ok(warnings.some((w) => w.includes(`reported pid ${victim.pid} for its command, which is not its child`)), warnings.join('\n'));
  } finally {
    process.off('warning', onWarning);
    victim.kill();
  }
});
