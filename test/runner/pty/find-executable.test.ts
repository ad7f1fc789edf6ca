import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExecutable } from '../../../src/runner/pty/find-executable';
import { posixOnly } from '../../helpers/platform';

test('commands resolve as execvp would: PATH in order, paths with a slash against cwd', { skip: posixOnly('the execvp-style lookup of the POSIX pseudo terminal; on Windows CreateProcessW finds the program') }, (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pty-find-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tool = path.join(dir, 'tool');
  writeFileSync(tool, '#!/bin/sh\n');
  chmodSync(tool, 0o755);
  const data = path.join(dir, 'data');
  writeFileSync(data, 'not a program');
  chmodSync(data, 0o644);

  assert.equal(findExecutable('tool', { PATH: `/nonexistent:${dir}` }, '/'), tool);
  assert.equal(findExecutable('./tool', {}, dir), tool);
  assert.equal(findExecutable(tool, {}, '/'), tool);
  assert.equal(findExecutable('sh', {}, '/'), findExecutable('sh', { PATH: '/usr/bin:/bin' }, '/')); // execvp's default PATH
  assert.throws(() => findExecutable('data', { PATH: dir }, '/'), { message: `no executable named "data" on PATH "${dir}"` });
  assert.throws(() => findExecutable('./data', {}, dir), { message: `${data} is not an executable file` });
  assert.throws(() => findExecutable(dir, {}, '/'), { message: `${dir} is not an executable file` }); // a directory is not
  assert.throws(() => findExecutable('', {}, '/'), { message: 'empty command name' });
});
