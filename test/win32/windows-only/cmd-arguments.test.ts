// Real cmd.exe's reading of the command line the job child writes (plain words unquoted, as
// upstream's runner writes them): its /c rules for a leading quote are its own, and Wine's cmd.exe
// is another program, so only Windows can show them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runJobChild as run } from '../win32-test-support';
import { windowsOnly } from './windows-only';

const skip = windowsOnly("real cmd.exe's /c parsing of the job child's command line", "runs its own cmd.exe, whose /c quote rules are not Windows'");

test('cmd.exe /d /c exit 3 exits 3; cmd /d /c echo a b prints "a b"', { skip }, async () => {
  assert.equal((await run('cmd.exe', ['/d', '/c', 'exit', '3'])).code, 3);
  const echo = await run('cmd', ['/d', '/c', 'echo', 'a', 'b']);
  assert.deepEqual([echo.code, echo.stdout], [0, 'a b\r\n']);
});

test('cmd /d /c "<program path with a space>" args: cmd.exe keeps the one quoted program (its /c rule for exactly two quotes around an executable)', { skip }, async () => {
  // process.execPath is usually C:\Program Files\nodejs\node.exe: quoted, the rest plain words.
  const r = await run('cmd', ['/d', '/c', process.execPath, '-e', 'process.exit(5)']);
  assert.equal(r.code, 5);
});
