// cmd.exe parses its own command line, not by CommandLineToArgvW rules: the job child writes plain
// words unquoted, as upstream's runner does, so `cmd.exe /d /c exit 3` is a switch, a switch and
// a command to cmd.exe. Run for real with the job child (Wine's cmd.exe under `npm run test:wine`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runJobChild as run, skipUnlessWindows as skip } from '../win32-test-support';

test('cmd.exe /d /c exit 3 exits 3 (all quoted, cmd.exe said 9009: not a command)', { skip }, async () => {
  assert.equal((await run('cmd.exe', ['/d', '/c', 'exit', '3'])).code, 3);
});

test('cmd /c echo a b prints "a b"', { skip }, async () => {
  const r = await run('cmd', ['/c', 'echo', 'a', 'b']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.replace(/\r\n$/, ''), 'a b');
});

test('arguments with spaces and quotes reach a CommandLineToArgvW program exactly', { skip }, async () => {
  const args = ['a b', '', 'say "hi"', 'trail\\', 'C:\\dir with space\\', 'plain', '\\"'];
  const r = await run(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args]);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), args);
});

test('cmd /c echo with an argument holding a space: cmd.exe gets it quoted, as upstream sends it', { skip }, async () => {
  const r = await run('cmd', ['/d', '/c', 'echo', 'a b', 'c']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.replace(/\r\n$/, ''), '"a b" c');
});
