// Program lookup against real files (Wine's file system under `npm run test:wine`): the request's
// PATH and PATHEXT only, never the runner's own folder or the cwd; batch files through cmd.exe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolveExecutable, systemDirectory, windowsLaunch } from '../../../src/runner/win32/resolve-executable';
import { spawnJobChild } from '../../../src/runner/win32/job-child';
import { skipUnlessWindows as skip } from '../win32-test-support';

const node = process.execPath;
const nodeDir = path.dirname(node);
const same = (a: string, b: string) => assert.equal(a.toLowerCase(), b.toLowerCase());

/** A scratch folder with `files` (relative paths; a trailing `\` makes a folder), removed afterwards. */
function withFiles(files: string[], body: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codex-resolve-'));
    try {
      for (const file of files) {
        const full = path.join(dir, file);
        if (file.endsWith('\\')) mkdirSync(full, { recursive: true });
        else {
          mkdirSync(path.dirname(full), { recursive: true });
          writeFileSync(full, 'not really a program');
        }
      }
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('node.exe is found through the request\'s PATH, whatever the case of PATH and PATHEXT', { skip }, () => {
  same(resolveExecutable('node', __dirname, { Path: nodeDir }), node);
  same(resolveExecutable('node', __dirname, { path: `C:\\no\\such;${nodeDir}`, pathext: '.EXE' }), node);
  same(resolveExecutable('node.exe', __dirname, { PATH: nodeDir }), node);
  same(resolveExecutable(node, __dirname, {}), node);
});

test('a name that only exists in the runner\'s own folder is not found', { skip }, () => {
  // node.exe's folder is where this process (and a runner run by it) lives; CreateProcessW with a
  // NULL application name would look there first.
  const searchPath = systemDirectory();
  assert.throws(() => resolveExecutable('node', __dirname, { PATH: searchPath }), {
    message: `program "node" not found on the request's PATH "${searchPath}" (tried PATHEXT .COM;.EXE;.BAT;.CMD, then the name as is in each folder; the runner's own folder and the working directory are not searched)`,
  });
  assert.throws(() => resolveExecutable('node', nodeDir, {}), { message: 'program "node" not found: the request\'s environment has no PATH to search' });
});

test('the working directory is not searched for a bare name; .\\name and sub\\name resolve against it', { skip }, withFiles(['tool.exe', 'sub\\tool.exe'], (dir) => {
  assert.throws(() => resolveExecutable('tool', dir, { PATH: systemDirectory() }), /^Error: program "tool" not found on the request's PATH/);
  same(resolveExecutable('.\\tool', dir, {}), path.join(dir, 'tool.EXE'));
  same(resolveExecutable('sub/tool.exe', dir, {}), path.join(dir, 'sub', 'tool.exe'));
  assert.throws(() => resolveExecutable('.\\missing', dir, {}), { message: `program ".\\missing" not found: no file ${path.join(dir, 'missing')} (tried PATHEXT .COM;.EXE;.BAT;.CMD, then the name as is)` });
}));

test('search order: PATH entries in order, PATHEXT in order in each, folders skipped, relative entries against the cwd', { skip }, withFiles(
  ['a\\tool.exe\\', 'b\\tool.com', 'b\\tool.exe', 'c\\tool.exe', 'd;e\\quoted.exe', 'rel\\relative.exe', 'f\\python3.11.exe', 'f\\python3.11', 'f\\plain'],
  (dir) => {
    const env = { PATH: [path.join(dir, 'a'), '', path.join(dir, 'b'), path.join(dir, 'c'), `"${path.join(dir, 'd;e')}"`, 'rel', path.join(dir, 'f')].join(';') };
    same(resolveExecutable('tool', dir, env), path.join(dir, 'b', 'tool.COM')); // a\tool.exe is a folder; .COM before .EXE
    same(resolveExecutable('tool.exe', dir, env), path.join(dir, 'b', 'tool.exe'));
    same(resolveExecutable('quoted', dir, env), path.join(dir, 'd;e', 'quoted.EXE'));
    same(resolveExecutable('relative', dir, env), path.join(dir, 'rel', 'relative.EXE'));
    // ".11" is no PATHEXT extension: the PATHEXT names come first, then the name as is.
    same(resolveExecutable('python3.11', dir, env), path.join(dir, 'f', 'python3.11.EXE'));
    same(resolveExecutable('plain', dir, env), path.join(dir, 'f', 'plain'));
  },
));

test('drive-relative and root-relative program paths, and a relative cwd, are refused', { skip }, () => {
  assert.throws(() => resolveExecutable('C:tool.exe', __dirname, {}), /^Error: program path "C:tool.exe" is drive-relative or root-relative/);
  assert.throws(() => resolveExecutable('\\tools\\tool.exe', __dirname, {}), /^Error: program path "\\tools\\tool.exe" is drive-relative or root-relative/);
  assert.throws(() => resolveExecutable('tool', 'relative\\cwd', { PATH: nodeDir }), /^Error: the working directory must be an absolute Windows path, got "relative\\cwd"/);
});

test('a batch file found first is run by the system cmd.exe, not skipped for a later .exe', { skip }, withFiles(['first\\tool.cmd', 'second\\tool.exe'], (dir) => {
  const env = { PATH: `${path.join(dir, 'first')};${path.join(dir, 'second')}`, PATHEXT: '.CMD;.EXE' };
  const launch = windowsLaunch(['tool', 'a b', 'c&d'], dir, env);
  const cmdExe = path.join(systemDirectory(), 'cmd.exe');
  assert.equal(launch.application, cmdExe);
  same(launch.commandLine, `"${cmdExe}" /d /v:off /s /c ""${path.join(dir, 'first', 'tool.CMD')}" "a b" "c&d""`);
}));

test('a .cmd runs through cmd.exe in a job: its arguments arrive quoted and literal, its exit code comes back', { skip, timeout: 60_000 }, withFiles([], async (dir) => {
  const script = path.join(dir, 'show args.cmd');
  writeFileSync(script, '@echo off\r\necho 1=%1\r\necho 2=%2\r\necho 3=%3\r\nexit /b 3\r\n');
  const child = spawnJobChild(script, ['a b', 'x & echo INJECTED | more ^ <>', '!PATH!'], { cwd: dir, env: { PATH: systemDirectory() }, stdinOpen: false });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  const code = await new Promise((resolve) => child.once('close', resolve));
  assert.equal(code, 3, out);
  assert.equal(out.replaceAll('\r\n', '\n'), '1="a b"\n2="x & echo INJECTED | more ^ <>"\n3="!PATH!"\n');
  // What cmd.exe would expand or re-parse is refused, not escaped.
  assert.throws(() => spawnJobChild(script, ['50%'], { cwd: dir, env: {}, stdinOpen: false }), /^TypeError: argument 1 \("50%"\) contains "%", which cmd.exe would interpret/);
  assert.throws(() => spawnJobChild(script, ['say "hi" & calc'], { cwd: dir, env: {}, stdinOpen: false }), /^TypeError: argument 1 \("say \\"hi\\" & calc"\) contains "\\""/);
}));
