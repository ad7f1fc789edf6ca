// How the CLI ends, run as a user would (the real bin, a real session, the real runner): the exit
// status for every way a command or the CLI itself ends, and the one line it prints for each.
import assert from 'node:assert/strict';
import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliExitStatus } from '../../src/cli/exit-status';
import { posixOnly } from '../helpers/platform';
import { OutputWatch } from '../helpers/output-watch';
import { eventually, isAlive } from '../helpers/process-state';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'codex-runner-ipc.js');

function startCli(args: string[], stdio: StdioOptions = ['ignore', 'pipe', 'pipe']) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio });
  const stdout = new OutputWatch();
  const stderr = new OutputWatch();
  child.stdout?.on('data', (d: Buffer) => stdout.append(d));
  child.stderr?.on('data', (d: Buffer) => stderr.append(d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      stdout.end(`the CLI ended (${code ?? signal})`);
      stderr.end(`the CLI ended (${code ?? signal})`);
      resolve({ code, signal });
    }),
  );
  return { child, stdout, stderr, closed };
}

test('exit statuses: 0 only for 0, 1..255 as they are, every other code (wider, negative) is 1', () => {
  assert.deepEqual(cliExitStatus(0), { status: 0 });
  assert.deepEqual(cliExitStatus(3), { status: 3 });
  assert.deepEqual(cliExitStatus(255), { status: 255 });
  for (const code of [256, 512, 0xc0000100, -1073741568, -1]) {
    const mapped = cliExitStatus(code);
    assert.equal(mapped.status, 1, `code ${code}`);
    assert.match(mapped.note!, new RegExp(`the command exited with code ${code} \\(0x[0-9A-F]{8}\\), which an exit status cannot hold: exiting 1`));
  }
});

const REPORTS_EXIT_CODE = path.join(__dirname, 'reports-exit-code.js');

test('a runner reporting 256, 512 or 0xC0000100 (as the int32 -1073741568) never makes the CLI exit 0 (their low byte is 0)', async () => {
  for (const code of [256, 512, -1073741568]) {
    const cli = startCli(['run', '--no-stdin', '--runner', REPORTS_EXIT_CODE, '--', 'report', String(code)]);
    const { code: status } = await cli.closed;
    assert.equal(status, 1, `reported ${code}`);
    assert.match(cli.stderr.text, new RegExp(`^codex-runner-ipc: the command exited with code ${code} \\(0x[0-9A-F]{8}\\), which an exit status cannot hold: exiting 1\n$`));
  }
  const cli = startCli(['run', '--no-stdin', '--runner', REPORTS_EXIT_CODE, '--', 'report', '37']);
  assert.equal((await cli.closed).code, 37);
  assert.equal(cli.stderr.text, '');
});

test('--version prints the package version and exits 0', async () => {
  const cli = startCli(['--version']);
  const { code } = await cli.closed;
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal(code, 0);
  assert.equal(cli.stdout.text, `codex-runner-ipc ${version}\n`);
  assert.equal(cli.stderr.text, '');
});

test('no arguments: the usage on stderr, exit 2', async () => {
  const cli = startCli([]);
  const { code } = await cli.closed;
  assert.equal(code, 2);
  assert.equal(cli.stdout.text, '');
  assert.match(cli.stderr.text, /^codex-runner-ipc: no command given\n\nusage: codex-runner-ipc run/);
});

test('--timeout says "timed out after N ms" and exits 192', async () => {
  const cli = startCli(['run', '--timeout', '300', '--no-stdin', '--', process.execPath, '-e', 'setTimeout(() => {}, 60000)']);
  const { code } = await cli.closed;
  assert.equal(code, 192);
  assert.equal(cli.stderr.text, 'codex-runner-ipc: the command timed out after 300 ms: ended it and its processes\n');
});

// The command prints its pid and waits; the CLI gets the signal; the command must be gone after.
const WAITING_COMMAND = [process.execPath, '-e', "console.error('pid ' + process.pid); setInterval(() => {}, 1000)"];

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal}: the CLI ends the command's tree, says so, and exits ${status}`, { skip: posixOnly('POSIX signals sent to the CLI') }, async () => {
    const cli = startCli(['run', '--no-stdin', '--', ...WAITING_COMMAND]);
    const pid = Number((await cli.stderr.waitFor(/pid (\d+)\n/))[1]);
    cli.child.kill(signal);
    const { code } = await cli.closed;
    assert.equal(code, status);
    assert.match(cli.stderr.text, new RegExp(`^pid \\d+\\ncodex-runner-ipc: got ${signal}: ended the command and its processes\\n$`));
    assert.equal(await eventually(() => !isAlive(pid)), true, `command ${pid} still alive`);
  });
}

test('a command killed by a signal: the CLI exits 128 + its number, as a shell reports', { skip: posixOnly('POSIX signals') }, async () => {
  for (const [signal, status] of [['KILL', 137], ['TERM', 143], ['SEGV', 139]] as const) {
    const cli = startCli(['run', '--no-stdin', '--', 'sh', '-c', `kill -${signal} $$`]);
    assert.equal((await cli.closed).code, status, signal);
  }
});

test('stderr closed by its reader: quietly, the command ended, exit 141 (as for stdout)', { skip: posixOnly('141 is the POSIX status of a death by SIGPIPE') }, async () => {
  const script = "console.log('pid ' + process.pid); const tick = () => process.stderr.write('x\\n'); tick(); setInterval(tick, 20)";
  const cli = startCli(['run', '--no-stdin', '--', process.execPath, '-e', script]);
  const pid = Number((await cli.stdout.waitFor(/pid (\d+)\n/))[1]);
  cli.child.stderr!.destroy(); // the reader goes away: the CLI's next stderr write gets EPIPE
  const { code } = await cli.closed;
  assert.equal(code, 141);
  assert.equal(await eventually(() => !isAlive(pid)), true, `command ${pid} still alive`);
});

test('stdout failing with ENOSPC (/dev/full): no stack, one line, the command ended, exit 125', { skip: posixOnly('/dev/full') }, async () => {
  const full = openSync('/dev/full', 'w');
  try {
    const script = "console.error('pid ' + process.pid); const tick = () => process.stdout.write('x\\n'); tick(); setInterval(tick, 50)";
    const cli = startCli(['run', '--no-stdin', '--', process.execPath, '-e', script], ['ignore', full, 'pipe']);
    const { code } = await cli.closed;
    assert.equal(code, 125);
    const lines = cli.stderr.text.split('\n').filter((l) => l !== '');
    const pid = Number(/^pid (\d+)$/.exec(lines[0]!)![1]);
    assert.deepEqual(lines.slice(1), ["codex-runner-ipc: cannot write the command's output to stdout (ENOSPC: no space left on device, write): ended the command and its processes"]);
    assert.equal(await eventually(() => !isAlive(pid)), true, `command ${pid} still alive`);
  } finally {
    closeSync(full);
  }
});

test('stderr failing with ENOSPC (/dev/full): no crash, the command ended, exit 125', { skip: posixOnly('/dev/full') }, async () => {
  const full = openSync('/dev/full', 'w');
  try {
    const script = "console.log('pid ' + process.pid); const tick = () => process.stderr.write('x\\n'); tick(); setInterval(tick, 50)";
    const cli = startCli(['run', '--no-stdin', '--', process.execPath, '-e', script], ['ignore', 'pipe', full]);
    const { code } = await cli.closed;
    assert.equal(code, 125);
    const pid = Number(/^pid (\d+)$/m.exec(cli.stdout.text)![1]);
    assert.equal(await eventually(() => !isAlive(pid)), true, `command ${pid} still alive`);
  } finally {
    closeSync(full);
  }
});

test('--permissions FILE is read with the 1 MiB cap: /dev/zero and /proc/self/pagemap are refused, not read into memory', { skip: process.platform === 'linux' ? false : 'Linux /dev and /proc' }, async () => {
  const zero = startCli(['run', '--permissions', '/dev/zero', '--', 'true']);
  assert.equal((await zero.closed).code, 2);
  assert.match(zero.stderr.text, /^codex-runner-ipc: --permissions \/dev\/zero: not a built-in \(read-only, workspace-write, full-access\) and not a profile file: it is a character device, not a regular file\n/);
  const pagemap = startCli(['run', '--permissions', '/proc/self/pagemap', '--', 'true']);
  assert.equal((await pagemap.closed).code, 2);
  assert.match(pagemap.stderr.text, /^codex-runner-ipc: --permissions \/proc\/self\/pagemap: .* it holds more than 1048576 bytes\n/);
  const missing = startCli(['run', '--permissions', '/nonexistent/profile.json', '--', 'true']);
  assert.equal((await missing.closed).code, 2);
  assert.match(missing.stderr.text, /not a profile file: it does not exist\n/);
});
