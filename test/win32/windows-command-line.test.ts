// The command line we build, split by the real thing: node.exe (MSVC runtime) parsing its own
// command line, and shell32's CommandLineToArgvW.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { quoteWindowsArg, windowsCommandLine } from '../../src/os/win32/windows-command-line';
import { skipUnlessWindows as skip } from './win32-test-support';

const NASTY = ['', 'plain', 'with space', 'tab\there', 'say "hi"', '"', '""', 'trailing\\', 'trailing two\\\\', 'C:\\Program Files\\x\\', 'a\\\\"b', '\\"', '\\\\server\\share', 'ünïcødé ✓', '%PATH% ^& | < >'];

test('node.exe reads back exactly the argv we quoted (spaces, quotes, trailing backslashes, empty)', { skip, timeout: 60_000 }, async () => {
  const script = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';
  const line = windowsCommandLine(process.execPath, ['-e', script, '--', ...NASTY]);
  // windowsVerbatimArguments + argv0: libuv passes our command line through untouched.
  const [first, ...rest] = line.split(/(?<=") /);
  const child = spawn(process.execPath, [rest.join(' ')], { argv0: first!, windowsVerbatimArguments: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(err, '');
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), NASTY);
});

test('CommandLineToArgvW splits it back the same', { skip }, () => {
  const koffi = require('koffi') as typeof import('koffi');
  // Test-only FFI: the main process never parses command lines.
  const CommandLineToArgvW = koffi.load('shell32.dll').func('void * __stdcall CommandLineToArgvW(const char16_t *line, _Out_ int *count)');
  const LocalFree = koffi.load('kernel32.dll').func('void * __stdcall LocalFree(void *mem)');
  const line = windowsCommandLine('C:\\Program Files\\codex\\codex-command-runner.exe', NASTY);
  const count: [number] = [0];
  const argv = CommandLineToArgvW(line, count);
  assert.ok(argv, 'CommandLineToArgvW');
  try {
    const pointers = koffi.decode(argv, 'void *', count[0]) as unknown[];
    const args = pointers.map((p) => koffi.decode(p, 'char16_t', -1) as string);
    assert.deepEqual(args, ['C:\\Program Files\\codex\\codex-command-runner.exe', ...NASTY]);
  } finally {
    LocalFree(argv);
  }
  assert.equal(quoteWindowsArg('x'), 'x');
});
