import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrlfNormalizer } from '../../../src/runner/pty/crlf';

const run = (...chunks: string[]) => {
  const n = new CrlfNormalizer();
  return chunks.map((c) => n.push(Buffer.from(c)).toString()).join('|');
};

test('ConPTY input: each bare \\n becomes \\r\\n, an existing \\r\\n stays one line end', () => {
  assert.equal(run('echo hi\n'), 'echo hi\r\n');
  assert.equal(run('a\nb\n\n'), 'a\r\nb\r\n\r\n');
  assert.equal(run('a\r\nb\r\n'), 'a\r\nb\r\n');
  assert.equal(run('no newline'), 'no newline');
  assert.equal(run('\r'), '\r'); // a lone CR (Enter in raw mode) passes through
});

test('a \\r at the end of one chunk and the \\n at the start of the next are not doubled', () => {
  assert.equal(run('a\r', '\nb\n'), 'a\r|\nb\r\n');
  assert.equal(run('a\n', '\nb'), 'a\r\n|\r\nb');
  assert.equal(run('a\r', '', '\n'), 'a\r||\n'); // an empty chunk keeps the state
});
