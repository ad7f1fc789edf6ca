// The node-pty facade against what node-pty's users rely on: strings out (UTF-8 whole across
// chunks), write reaching stdin, exit once with code and signal, kill ending the tree, resize
// reaching the child, pause/resume as backpressure, disposables; and options never ignored.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import * as path from 'node:path';
import { disposeDefaultManager, open, spawn, type IExitEvent, type IPty } from '../../src/main/node-pty';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { OutputWatch } from '../helpers/output-watch';
import { posixOnly } from '../helpers/platform';
import { eventually, isAlive } from '../helpers/process-state';
import { assertNothingLeftBehind, whenRunning } from '../helpers/sessions';

const skip = posixOnly('the commands are sh, stty and head on a POSIX terminal; test/win32 covers ConPTY');

// A manager with a custom runner spec (this package's runner at a given path): the path of an app
// that brings its own manager. Everything else runs as users do: the facade's own manager and runner.
const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
const scratch = mkdtempSync(path.join(tmpdir(), 'node-pty-facade-'));
after(async () => {
  await manager.dispose();
  await disposeDefaultManager();
  rmSync(scratch, { recursive: true, force: true });
});

/** A terminal, everything it printed, each onData chunk as it came, and its exit events. */
function watched(file: string, args: string[], options: Parameters<typeof spawn>[2] = {}) {
  const pty = spawn(file, args, options);
  const watch = new OutputWatch();
  const chunks: unknown[] = [];
  const exits: IExitEvent[] = [];
  pty.onData((text) => {
    chunks.push(text);
    watch.append(text);
  });
  const exited = new Promise<IExitEvent>((resolve) =>
    pty.onExit((e) => {
      exits.push(e);
      watch.end(`the terminal exited (${e.exitCode})`);
      resolve(e);
    }),
  );
  return { pty, watch, chunks, exits, exited };
}

/** Resolves once `read` has stopped moving: everything between the command and us is full. */
async function untilStalled(read: () => number): Promise<number> {
  let last = -1;
  for (let steady = 0; steady < 8; ) {
    const now = read();
    steady = now === last ? steady + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

test('every option is used, ignored where node-pty ignores it, refused with its reason, or an unknown-option TypeError; nothing starts', async () => {
  const before = manager.list().length;
  const refuses = (options: object, message: RegExp, args: unknown = []) =>
    assert.throws(() => spawn('sh', args as string[], { manager, ...options } as never), (err: Error) => err instanceof TypeError && message.test(err.message));
  refuses({ colour: true }, /^unknown spawn option "colour" \(known: name, cols, rows, cwd, env, encoding, handleFlowControl,/);
  refuses({ uid: 1000 }, /^spawn option "uid" number 1000 is not supported: the runner runs the command as its own account: choose it with session\.sandbox$/);
  refuses({ encoding: 'klingon' }, /^spawn option "encoding" must be null or an encoding Node knows/);
  refuses({ handleFlowControl: 'yes' }, /^spawn option "handleFlowControl" must be a boolean, got "yes"$/);
  refuses({ flowControlPause: 19 }, /^spawn option "flowControlPause" must be a string, got number 19$/);
  refuses({ cols: -1 }, /^spawn option "cols" must be an integer 1\.\.65535, got number -1$/);
  refuses({ rows: 2.5 }, /^spawn option "rows" must be an integer/);
  refuses({ env: { A: 1 } }, /^spawn option "env" must map names to strings; "A" is number 1$/);
  refuses({ session: { command: ['x'] } }, /^spawn option "session" must not hold "command": give file and args$/);
  refuses({ session: { stdinOpen: false } }, /must not hold "stdinOpen": stdin is always open$/);
  refuses({}, /^args as a string is not supported on unix\.$/, '-c "echo hi"'); // node-pty's own words
  assert.throws(() => spawn(5 as never, []), /^TypeError: spawn: file must be a string, got number 5$/);
  assert.throws(() => open(), /^Error: open\(\) is not supported by codex-runner-ipc\/node-pty: the terminal lives in the runner; use spawn\(\)$/);
  // Session's own validation still runs: a bad Session option is its TypeError, before anything exists.
  assert.throws(() => spawn('sh', [], { manager, session: { timeoutMs: -1 } }), /session option "timeoutMs" must be an integer 1..2147483647, or null \(or left out\) for no timeout/);
  assert.equal(manager.list().length, before);
  // What node-pty accepts passes: its defaults, Buffers, flow control, and (off Windows) the Windows-only options, ignored.
  const ok = spawn('sh', ['-c', 'exit 0'], { manager, encoding: null, handleFlowControl: true, flowControlPause: 'P', useConpty: false, useConptyDll: true, conptyInheritCursor: true, cols: 0 });
  assert.equal(manager.list().length, before + 1);
  assert.equal(ok.cols, 80); // node-pty: `cols || 80`
  await ok.session.exited;
});

test("TERM comes from name, else env.TERM, else xterm; cwd defaults to ours; process.env is taken without secrets or this terminal's variables", { skip }, async () => {
  const printedBy = async (options: Parameters<typeof spawn>[2]) => {
    const { watch, exited } = watched('sh', ['-c', 'echo "[$TERM] [$(pwd)] [${MY_FACADE_TOKEN-unset}] [${TMUX-unset}]"'], options);
    await exited;
    return watch.text.trim();
  };
  const here = process.cwd();
  assert.equal(await printedBy({ name: 'xterm-color', env: { PATH: process.env.PATH, TERM: 'vt100' } }), `[xterm-color] [${here}] [unset] [unset]`);
  assert.equal(await printedBy({ env: { PATH: process.env.PATH, TERM: 'vt100', TMUX: 't' }, cwd: scratch }), `[vt100] [${scratch}] [unset] [t]`);
  process.env.MY_FACADE_TOKEN = 'secret';
  process.env.TMUX = '/tmp/tmux-1/default,1,0';
  try {
    assert.equal(await printedBy({ env: process.env }), `[${process.env.TERM || 'xterm'}] [${here}] [unset] [unset]`);
    assert.equal(await printedBy({ env: { PATH: process.env.PATH } }), `[xterm] [${here}] [unset] [unset]`);
  } finally {
    delete process.env.MY_FACADE_TOKEN;
    delete process.env.TMUX;
  }
});

test('data arrives as strings, write reaches stdin, exit comes once with the code, after the last data', { skip }, async () => {
  const { pty, watch, chunks, exits, exited } = watched('sh', ['-c', 'read line; echo "got $line"; exit 3']);
  pty.write('hello\r'); // Enter on a terminal: ICRNL makes it a line
  const exit = await exited;
  assert.equal(exit.exitCode, 3);
  assert.equal(exit.signal, 0); // node-pty on Linux/macOS: 0 when no signal ended it
  assert.equal(exit.result.endReason, 'exited');
  assert.match(watch.text, /got hello\r\n/); // all of it was delivered before onExit
  assert.ok(chunks.length > 0 && chunks.every((c) => typeof c === 'string'));
  await pty.session.exited;
  assert.equal(exits.length, 1);
  pty.write('a keystroke after the exit\r'); // dropped, as to a terminal that has gone: no throw
  assert.throws(() => pty.session.write('x'), /has ended/, 'the Session itself refuses it');
});

test("a command killed by a signal: node-pty's shape (exitCode 0, signal as a number); the runner's own code in result", { skip }, async () => {
  const { exited } = watched('sh', ['-c', 'kill -KILL $$']);
  const exit = await exited;
  assert.equal(exit.exitCode, 0);
  assert.equal(exit.signal, osConstants.signals.SIGKILL);
  assert.equal(exit.result.signal, 'SIGKILL');
  assert.equal(exit.result.exitCode, 137);
  assert.equal(exit.result.endReason, 'signaled');
});

test('a character split between two output frames arrives whole, once', { skip }, async () => {
  // The euro sign's first byte, then (after our go-ahead, with echo off) its other two.
  const { pty, chunks, exited } = watched('sh', ['-c', "stty -echo; printf '\\342'; read go; printf '\\202\\254\\n'"]);
  const session = pty.session;
  await new Promise<void>((resolve) => {
    const check = () => session.status().traffic.stdout.bytes >= 1 && (session.off('update', check), resolve());
    session.on('update', check);
  });
  assert.deepEqual(chunks, []); // the decoder holds the incomplete character
  pty.write('go\r');
  await exited;
  assert.ok(session.status().traffic.stdout.frames >= 2, 'the bytes came in separate frames');
  assert.equal(chunks.join(''), '€\r\n');
  assert.ok(!chunks.some((c) => (c as string).includes('\ufffd')), `no replacement character in ${JSON.stringify(chunks)}`);
});

test('cols/rows at spawn are the terminal size before any input; resize reaches the child as SIGWINCH', { skip }, async () => {
  const { pty, watch, exited } = watched('sh', ['-c', 'trap "stty size" WINCH; read go; stty size; echo ready; while :; do sleep 0.05; done'], { cols: 120, rows: 40 });
  assert.deepEqual([pty.cols, pty.rows], [120, 40]);
  pty.write('go\r'); // sent after the size, on the same ordered pipe
  // The terminal's echo of "go" is flushed by the line discipline on its own schedule: it may land
  // after what the program printed once it read the line.
  await watch.waitFor(/40 120\r\n(?:go\r\n)?ready/);
  pty.resize(100, 30);
  assert.deepEqual([pty.cols, pty.rows], [100, 30]);
  await watch.waitFor(/30 100/);
  assert.throws(() => pty.resize(0, 10), /^Error: resizing must be done using positive cols and rows$/);
  pty.kill();
  await exited;
});

test('kill() sends SIGHUP to the command; once it is gone its whole terminal session goes (a background job too)', { skip }, async () => {
  const { pty, watch, exited } = watched('sh', ['-c', 'sleep 1000 & echo "bg $!"; wait']);
  const bg = Number((await watch.waitFor(/bg (\d+)/))[1]);
  assert.ok(isAlive(bg));
  pty.kill();
  const exit = await exited;
  assert.deepEqual([exit.exitCode, exit.signal], [0, osConstants.signals.SIGHUP]);
  assert.equal(exit.result.endReason, 'signaled');
  assert.ok(await eventually(() => !isAlive(bg)), `background job ${bg} survived`);
  await assertNothingLeftBehind(pty.session, [bg]);
});

test('kill("SIGKILL") reaches the command itself; its tree goes with it', { skip }, async () => {
  const { pty, watch, exited } = watched('sh', ['-c', 'sleep 1000 & echo "bg $!"; wait']);
  const bg = Number((await watch.waitFor(/bg (\d+)/))[1]);
  pty.kill('SIGKILL');
  const exit = await exited;
  assert.deepEqual([exit.exitCode, exit.signal], [0, osConstants.signals.SIGKILL]);
  assert.equal(exit.result.state, 'exited'); // the runner reported it
  await assertNothingLeftBehind(pty.session, [bg]);
});

test("a runner without signals (a custom runner spec): kill() ends the tree through terminate, kill(signal) throws and sends nothing", { skip }, async () => {
  const { pty, watch, exited } = watched('sh', ['-c', 'sleep 1000 & echo "bg $!"; wait'], { manager });
  const bg = Number((await watch.waitFor(/bg (\d+)/))[1]);
  assert.equal(pty.session.takesSignals, false);
  assert.throws(() => pty.kill('SIGINT'), /^Error: Signals not supported by this runner \(codex's runner, or a custom one\): kill\(\) with no signal ends the command$/);
  assert.equal(pty.session.status().traffic.toRunner.frames, 1, 'only the spawn request went to the runner');
  pty.kill();
  const exit = await exited;
  assert.equal(exit.result.endReason, 'terminated');
  assert.equal(exit.result.exitCode, 1); // the runner's code for a terminated command (upstream's too)
  await assertNothingLeftBehind(pty.session, [bg]);
});

test('pause() holds the command back (it cannot finish); resume() lets everything through', { skip }, async () => {
  const total = 8 * 1024 * 1024;
  const done = path.join(scratch, 'done');
  // Through pipes (session.tty false): the facade's pause is the Session's, whatever the stdio; on a
  // terminal a command that ends while the runner is held back can lose its last KiB (see late-reader.test.ts).
  const { pty, exited } = watched('sh', ['-c', `head -c ${total} /dev/zero | tr '\\0' a; : > "${done}"`], { session: { tty: false } });
  let received = 0;
  pty.onData((text) => (received += text.length));
  pty.pause();
  const session = pty.session;
  await whenRunning(session);
  const stalledAt = await untilStalled(() => session.status().traffic.stdout.bytes);
  assert.ok(stalledAt < total, `received ${stalledAt} of ${total} bytes while paused`);
  assert.equal(existsSync(done), false, 'the command finished while paused');
  assert.equal(session.state, 'running');
  pty.resume();
  const exit = await exited;
  assert.equal(exit.exitCode, 0);
  assert.equal(received, total);
  assert.equal(existsSync(done), true);
});

test('a command that ends while paused: onExit waits for resume(), and its output comes first', { skip }, async () => {
  const { pty, watch, exits, exited } = watched('sh', ['-c', 'echo last words; exit 4']);
  pty.pause();
  await pty.session.exited;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(exits, []);
  assert.equal(watch.text, '');
  pty.resume();
  const exit = await exited;
  assert.equal(exit.exitCode, 4);
  assert.equal(watch.text, 'last words\r\n');
});

test('onData and onExit return disposables: a disposed listener hears nothing', { skip }, async () => {
  const pty: IPty = spawn('sh', ['-c', 'echo one; echo two']);
  const kept: string[] = [];
  const dropped: string[] = [];
  let droppedExit = 0;
  pty.onData((t) => kept.push(t));
  pty.onData((t) => dropped.push(t)).dispose();
  pty.onExit(() => droppedExit++).dispose();
  const exit = await new Promise<IExitEvent>((resolve) => pty.onExit(resolve));
  assert.equal(exit.exitCode, 0);
  assert.match(kept.join(''), /one\r\ntwo\r\n/);
  assert.deepEqual(dropped, []);
  assert.equal(droppedExit, 0);
});

test('a session that fails (not the command) ends with onExit: exitCode -1, the reason in result.error', async () => {
  const missing = path.join(scratch, 'no-such-runner');
  const { exited } = watched('sh', [], { session: { runner: { kind: 'custom', spec: { exe: missing } } } });
  const exit = await exited;
  assert.equal(exit.exitCode, -1);
  assert.equal(exit.result.state, 'failed');
  assert.equal(exit.result.endReason, 'failed');
  assert.match(exit.result.error?.message ?? '', /no-such-runner/);
});
