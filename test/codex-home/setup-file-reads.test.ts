// codex's setup files read from hostile codex homes: a marker that is /proc/self/pagemap (size 0,
// gigabytes of bytes), a device, and a marker swapped between a file and a FIFO while it is read.
// Every read ends, with the file named and the problem said.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CodexHomeError } from '../../src/main/codex/home/codex-home-error';
import { readSetupMarker } from '../../src/main/codex/home/sandbox-setup-files';
import { codexHomeScratch, marker } from '../helpers/codex-home-fixture';
import { posixOnly } from '../helpers/platform';

const scratch = codexHomeScratch('setup-file-reads');
after(() => scratch.dispose());

function markerAt(target: string) {
  const f = scratch.make();
  mkdirSync(path.dirname(f.markerFile), { recursive: true });
  symlinkSync(target, f.markerFile);
  return f;
}

test('a marker that is /proc/self/pagemap (reports 0 bytes) is cut off at 1 MiB read', { skip: process.platform === 'linux' ? false : 'Linux /proc' }, async () => {
  const f = markerAt('/proc/self/pagemap');
  await assert.rejects(readSetupMarker(f.home), (err: unknown) => {
    assert.ok(err instanceof CodexHomeError, String(err));
    assert.equal(err.problem, 'setup-corrupt');
    assert.match(err.message, /setup marker .*setup_marker\.json holds more than 1048576 bytes, far more than codex writes: /);
    return true;
  });
});

test('a marker that is /dev/zero is refused as a device', { skip: posixOnly('/dev/zero') }, async () => {
  const f = markerAt('/dev/zero');
  await assert.rejects(readSetupMarker(f.home), /setup_marker\.json is a character device, not a regular file: /);
});

test('a marker swapped between a file and a FIFO while it is read: every read ends, none opens the FIFO', { skip: posixOnly('mkfifo, symlinks') }, async () => {
  const f = scratch.make();
  const sandbox = path.dirname(f.markerFile);
  mkdirSync(sandbox, { recursive: true });
  const real = path.join(sandbox, 'real.json');
  writeFileSync(real, JSON.stringify(marker()));
  const fifo = path.join(sandbox, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const link = path.join(sandbox, 'next-link');
  const pointAt = (target: string) => {
    symlinkSync(target, link);
    renameSync(link, f.markerFile); // atomic: the marker is always one or the other
  };
  // A read that opened the FIFO waits for a writer: this plays one (open read-write never
  // blocks) and closes it at once, so such a read sees an empty file and ends, and is counted.
  const releaseFifoReaders = () => closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
  const reads: Promise<string>[] = [];
  for (let i = 0; i < 300; i++) {
    pointAt(i % 2 === 0 ? fifo : real);
    reads.push(readSetupMarker(f.home).then(() => 'marker', (err: Error) => err.message));
    await new Promise((r) => setImmediate(r));
  }
  pointAt(real);
  const releaser = setInterval(releaseFifoReaders, 20);
  const outcomes = await Promise.all(reads).finally(() => clearInterval(releaser));
  const kinds = outcomes.map((o) => (o === 'marker' ? 'marker' : /is a FIFO, not a regular file/.test(o) ? 'refused FIFO' : o));
  const unexpected = kinds.filter((k) => k !== 'marker' && k !== 'refused FIFO');
  const openedFifo = outcomes.filter((o) => /is not valid JSON/.test(o)).length;
  assert.equal(openedFifo, 0, 'reads that opened the FIFO: each would have waited forever for a writer');
  assert.deepEqual(unexpected, [], `reads that opened the FIFO (and would have waited forever for a writer) or failed otherwise`);
});
