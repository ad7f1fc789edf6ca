// The ConPTY child's environment block is plain data: checked here, used under Wine/Windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEnvironmentBlock as environmentBlock } from '../../../src/os/win32/environment-block';

test('the environment block is sorted case-insensitively, NUL-separated, double-NUL-ended UTF-16', () => {
  const block = environmentBlock({ b: '2', Path: 'C:\\x', A: 'é' });
  assert.equal(block.toString('utf16le'), 'A=é\0b=2\0Path=C:\\x\0\0');
  assert.equal(environmentBlock({}).toString('utf16le'), '\0\0');
});

test('variables Windows cannot carry are refused by name', () => {
  assert.throws(() => environmentBlock({ 'A=B': '1' }), { message: 'environment variable "A=B" cannot be passed to Windows (empty name, or \'=\' or NUL in it)' });
  assert.throws(() => environmentBlock({ '': '1' }), /environment variable "" cannot be passed/);
  assert.throws(() => environmentBlock({ A: 'x\0y' }), /environment variable "A" cannot be passed/);
});
