// The plain parts of Windows program lookup (src/runner/win32/resolve-executable.ts: no file
// system, no Win32), in the Linux suite; not under a win32/ folder, which scripts/test.mjs leaves to
// the Wine suite. The lookups against real files run under Wine (test/win32/runner/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PATHEXT, envValue, pathExtensions, resolveExecutable, splitSearchPath, windowsLaunch } from '../../src/runner/win32/resolve-executable';

test('variables are found whatever their case, the exact spelling first', () => {
  assert.equal(envValue({ Path: 'a' }, 'PATH'), 'a');
  assert.equal(envValue({ path: 'lower', PATH: 'exact' }, 'PATH'), 'exact');
  assert.equal(envValue({ PATHEXT: '.EXE' }, 'PATH'), undefined);
});

test('PATH splits on ";" except inside double quotes, which are dropped', () => {
  assert.deepEqual(splitSearchPath('C:\\a;;"C:\\b;c";C:\\"d"'), ['C:\\a', '', 'C:\\b;c', 'C:\\d']);
  assert.deepEqual(splitSearchPath(''), ['']);
});

test('PATHEXT: the default when absent, trimmed, only entries that are extensions', () => {
  assert.equal(DEFAULT_PATHEXT, '.COM;.EXE;.BAT;.CMD');
  assert.deepEqual(pathExtensions({}), ['.COM', '.EXE', '.BAT', '.CMD']);
  assert.deepEqual(pathExtensions({ PathExt: ' .exe ;; . ;bat;.Cmd' }), ['.exe', '.Cmd']);
});

test('names and paths that can never be resolved are refused with the reason, before any lookup', () => {
  const cwd = 'C:\\work';
  assert.throws(() => resolveExecutable('', cwd, {}), { message: 'cannot resolve an empty program name' });
  assert.throws(() => resolveExecutable('a\0b', cwd, {}), { message: 'program name "a\\u0000b" contains a NUL character' });
  assert.throws(() => resolveExecutable('tool', 'work', {}), { message: 'the working directory must be an absolute Windows path, got "work"' });
  assert.throws(() => resolveExecutable('tool', '\\work', {}), /must be an absolute Windows path/);
  for (const program of ['C:tool.exe', '\\tool.exe', '/tool.exe']) {
    assert.throws(() => resolveExecutable(program, cwd, {}), { message: `program path "${program}" is drive-relative or root-relative; give an absolute path or one relative to the working directory` });
  }
  assert.throws(() => resolveExecutable('tool', cwd, {}), { message: 'program "tool" not found: the request\'s environment has no PATH to search' });
  assert.throws(() => windowsLaunch([], cwd, {}), { message: 'cannot run an empty command' });
});
