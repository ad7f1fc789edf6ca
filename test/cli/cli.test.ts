// The command line, run as a user would: the real bin, a real session, the real runner.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseCliArgs, UsageError } from '../../src/cli/cli-args';
import { posixOnly } from '../helpers/platform';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'codex-runner-ipc.js');

function runCli(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('run streams stdout and stderr apart, forwards stdin, exits with the command code, prints status', async () => {
  const script = "process.stdin.pipe(process.stdout); process.stdin.on('end', () => { console.error('to stderr'); process.exitCode = 7; })";
  const r = await runCli(['run', '--status', '--', process.execPath, '-e', script], 'piped through\n');
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'piped through\n');
  assert.match(r.stderr, /^to stderr\n/);
  assert.match(r.stderr, /session \S+: exited with code 7/);
  for (const stage of ['preparing', 'creating_pipes', 'launching_runner', 'connecting_in', 'connecting_out', 'verifying_client', 'spawn_sent', 'running', 'exited']) {
    assert.match(r.stderr, new RegExp(`\\b${stage}\\b`));
  }
  assert.match(r.stderr, /pipe-in\s+\S+codex-runner-[0-9a-f]{32}\S*in, client pid \d+/);
  assert.match(r.stderr, /runner pid\s+\d+/);
  assert.match(r.stderr, /stdout\s+14 B in 1 frame/);
});

test('--timeout ends the command with 192', async () => {
  const r = await runCli(['run', '--timeout', '300', '--no-stdin', '--', process.execPath, '-e', 'setTimeout(() => {}, 60000)']);
  assert.equal(r.code, 192);
});

test('a session failure exits 125 with the stage and reason', async () => {
  const r = await runCli(['run', '--connect-timeout', '500', '--runner', path.join(__dirname, 'never-connects.js'), '--', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /session failed during connecting_in: runner did not connect to pipe-in within 500 ms \(runner pid \d+ was still running; killed it\)/);
});

test('a missing runner is named', { skip: posixOnly('the message spells the runner as the POSIX path given; Windows resolves /nonexistent to a drive path') }, async () => {
  const r = await runCli(['run', '--runner', '/nonexistent/codex-command-runner', '--', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /runner \/nonexistent\/codex-command-runner could not be started: not found/);
});

test('usage errors are specific and exit 2', async () => {
  const r = await runCli(['run', '--timeout', 'soon', '--', 'true']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--timeout must be a positive whole number of milliseconds in decimal digits, got "soon"/);
  assert.throws(() => parseCliArgs(['run']), new UsageError('no command given (put it after --)'));
  assert.throws(() => parseCliArgs(['launch']), /unknown command "launch"/);
  assert.throws(() => parseCliArgs(['run', '--bogus', '--', 'x']), /unknown option --bogus/);
  assert.deepEqual(parseCliArgs(['run', '--tty', '--timeout=5', '--', 'a', '--b']), {
    kind: 'run',
    args: { command: ['a', '--b'], status: false, stdin: true, tty: true, timeoutMs: 5 },
  });
});

test('numbers are decimal digits within what a timer holds; a switch given a value is a usage error', async () => {
  for (const bad of ['1e3', '0x10', '0b11', ' 5', '5.0', '+5', '-5', '0', '']) {
    assert.throws(() => parseCliArgs(['run', '--timeout', bad, '--', 'x']), bad === '' ? new UsageError('--timeout needs a value') : new UsageError(`--timeout must be a positive whole number of milliseconds in decimal digits, got ${JSON.stringify(bad)}`), bad);
  }
  assert.equal((parseCliArgs(['run', '--timeout', '010', '--', 'x']) as { args: { timeoutMs: number } }).args.timeoutMs, 10);
  assert.equal((parseCliArgs(['run', '--timeout', '2147483647', '--', 'x']) as { args: { timeoutMs: number } }).args.timeoutMs, 2147483647);
  for (const flag of ['--timeout', '--connect-timeout']) {
    assert.throws(() => parseCliArgs(['run', flag, '2147483648', '--', 'x']), new UsageError(`${flag} must be at most 2147483647 ms (about 24.8 days, the longest timer Node holds), got 2147483648`));
  }
  for (const bad of ['0x6', '6.0', '6e0']) assert.throws(() => parseCliArgs(['run', '--protocol', bad, '--', 'x']), new RegExp(`--protocol must be auto or one of .*, got "${bad}"`));
  assert.equal((parseCliArgs(['run', '--protocol', '6', '--', 'x']) as { args: { protocol: number } }).args.protocol, 6);
  for (const flag of ['--no-stdin', '--status', '--tty', '--help']) {
    assert.throws(() => parseCliArgs(['run', `${flag}=no`, '--', 'x']), new UsageError(`${flag} takes no value, got ${flag}=no`));
  }
  // Through the bin: the flag and its limit, exit 2, nothing run.
  const huge = await runCli(['run', '--timeout', '99999999999', '--', 'true']);
  assert.equal(huge.code, 2);
  assert.match(huge.stderr, /^codex-runner-ipc: --timeout must be at most 2147483647 ms \(about 24\.8 days, the longest timer Node holds\), got 99999999999\n/);
  const valued = await runCli(['run', '--no-stdin=no', '--', 'true']);
  assert.equal(valued.code, 2);
  assert.match(valued.stderr, /^codex-runner-ipc: --no-stdin takes no value, got --no-stdin=no\n/);
});

test('a reader that goes away (`run -- yes | head -1`): no stack trace, the command ends, exit 141', { skip: posixOnly('a sh and bash pipeline; 141 is the POSIX status of a command killed by SIGPIPE') }, async () => {
  const child = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" run --no-stdin -- yes | head -1; echo "status \${PIPESTATUS:-}" >/dev/null`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise((resolve) => child.on('close', resolve));
  assert.equal(stdout, 'y\n');
  assert.equal(stderr, '');
  // The CLI's own exit code, seen from a shell that keeps it:
  const direct = spawn('bash', ['-c', `"${process.execPath}" "${BIN}" run --no-stdin -- yes | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let code = '';
  let directErr = '';
  direct.stdout.on('data', (d) => (code += d));
  direct.stderr.on('data', (d) => (directErr += d));
  await new Promise((resolve) => direct.on('close', resolve));
  assert.equal(code.trim(), '141');
  assert.equal(directErr, '');
});
