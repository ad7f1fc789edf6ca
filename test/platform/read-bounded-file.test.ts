// The one reader for files someone else controls: real files, FIFOs, devices and /proc files.
// Every case returns (nothing waits on a writer that never comes) and the cap holds on the bytes
// read, whatever the file's reported size.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { BoundedReadError, readBoundedFile, type BoundedReadProblem } from '../../src/util/read-bounded-file';
import { posixOnly } from '../helpers/platform';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bounded-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function refusal(problem: BoundedReadProblem, detail: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof BoundedReadError, String(err));
    assert.equal(err.problem, problem, err.message);
    if (typeof detail === 'string') assert.equal(err.detail, detail);
    else assert.match(err.detail, detail);
    return true;
  };
}

test('a regular file up to the cap is read whole; one byte more is too large', async () => {
  const file = path.join(dir, 'exact');
  const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
  writeFileSync(file, bytes);
  assert.deepEqual(await readBoundedFile(file, bytes.length), bytes);
  await assert.rejects(readBoundedFile(file, bytes.length - 1), refusal('too-large', `holds more than ${bytes.length - 1} bytes`));
  const empty = path.join(dir, 'empty');
  writeFileSync(empty, '');
  assert.equal((await readBoundedFile(empty, 10)).length, 0);
});

test('missing, a directory, a path through a file', async () => {
  await assert.rejects(readBoundedFile(path.join(dir, 'nope'), 10), refusal('missing', 'does not exist'));
  const folder = path.join(dir, 'folder');
  mkdirSync(folder);
  await assert.rejects(readBoundedFile(folder, 10), refusal('not-a-file', 'is a directory, not a regular file'));
  const file = path.join(dir, 'plain');
  writeFileSync(file, 'x');
  await assert.rejects(readBoundedFile(path.join(file, 'below'), 10), refusal('missing', 'does not exist'));
});

test('a FIFO with no writer is refused at once, not waited on', { skip: posixOnly('mkfifo') }, async () => {
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(readBoundedFile(fifo, 1024), refusal('not-a-file', 'is a FIFO, not a regular file'));
});

test('/dev/zero is a device, not a file', { skip: posixOnly('/dev/zero') }, async () => {
  await assert.rejects(readBoundedFile('/dev/zero', 1024), refusal('not-a-file', 'is a character device, not a regular file'));
});

test('/proc/self/pagemap reports size 0 and holds gigabytes: the cap is on the bytes read', { skip: process.platform === 'linux' ? false : 'Linux /proc' }, async () => {
  await assert.rejects(readBoundedFile('/proc/self/pagemap', 1 << 20), refusal('too-large', 'holds more than 1048576 bytes'));
});
