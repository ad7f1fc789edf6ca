// The environment block given to a runner started as another user (pure: runs everywhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentBlock } from '../../src/os/win32/environment-block';

const decode = (block: Buffer) => block.toString('utf16le');

test('only system variables and the runner\'s own, sorted, double-NUL terminated', () => {
  const from = { SystemRoot: 'C:\\Windows', USERPROFILE: 'C:\\Users\\me', ComSpec: 'C:\\Windows\\system32\\cmd.exe', SECRET_TOKEN: 't' };
  assert.equal(
    decode(environmentBlock({ ELECTRON_RUN_AS_NODE: '1' }, from)),
    'ComSpec=C:\\Windows\\system32\\cmd.exe\0ELECTRON_RUN_AS_NODE=1\0SystemRoot=C:\\Windows\0\0',
  );
});

test('names match case-insensitively; the runner\'s value wins', () => {
  assert.equal(decode(environmentBlock({ SYSTEMROOT: 'D:\\Win' }, { SystemRoot: 'C:\\Windows' })), 'SYSTEMROOT=D:\\Win\0\0');
});

test('what a block cannot hold is refused', () => {
  assert.throws(() => environmentBlock({ 'A=B': '1' }, {}), /environment variable "A=B" cannot be passed to Windows/);
  assert.throws(() => environmentBlock({ '': '1' }, {}), /environment variable "" cannot/);
  assert.throws(() => environmentBlock({ A: 'x\0y' }, {}), /environment variable "A" cannot/);
});
