// DPAPI for real: blobs made by CryptProtectData (user and machine scope) read back by
// CryptUnprotectData, both through koffi's .async on a worker thread; garbage refused with the
// call's own error; no handle left behind after hundreds of calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protectData, unprotectData } from '../../src/os/win32/dpapi';
import { Win32Error } from '../../src/os/win32/win32-error';
import { Prng } from '../helpers/prng';
import { processHandleCount, skipUnlessWindows as skip } from './win32-test-support';

test('user- and machine-scope blobs decrypt to the exact bytes, binary and empty included', { skip }, async () => {
  const plains = [Buffer.from('hunter2'), Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x00]), new Prng(7).bytes(4096), Buffer.from('pä$$wörd-€-😀', 'utf8')];
  for (const scope of ['user', 'machine'] as const) {
    for (const plain of plains) {
      const blob = await protectData(plain, scope);
      assert.ok(blob.length > plain.length, `${scope}: a blob is bigger than its plaintext`);
      assert.ok(!blob.includes(plain.length > 4 ? plain : Buffer.from('\u0001never')), `${scope}: the plaintext is not in the blob`);
      assert.deepEqual(await unprotectData(blob), plain, `${scope}, ${plain.length} bytes`);
    }
  }
  // The empty plaintext, if this DPAPI accepts it, comes back empty.
  const empty = await protectData(Buffer.alloc(0), 'user').catch((err: unknown) => err);
  if (Buffer.isBuffer(empty)) assert.deepEqual(await unprotectData(empty), Buffer.alloc(0));
});

test('garbage and a truncated blob are refused with CryptUnprotectData and its code, read on the worker thread', { skip }, async () => {
  const blob = await protectData(Buffer.from('hunter2'), 'user');
  for (const bad of [Buffer.from('this is not a DPAPI blob'), Buffer.alloc(0), blob.subarray(0, 20), new Prng(11).bytes(300)]) {
    await assert.rejects(unprotectData(bad), (err: unknown) => {
      assert.ok(err instanceof Win32Error, String(err));
      assert.equal(err.call, 'CryptUnprotectData');
      // Non-zero: the worker thread's GetLastError, not the main thread's stale 0.
      assert.notEqual(err.code, 0, err.message);
      assert.match(err.message, /^CryptUnprotectData failed: error \d+ \(.+\)$/);
      return true;
    });
  }
});

test('calls run concurrently on worker threads and each gets its own answer', { skip }, async () => {
  const plains = Array.from({ length: 40 }, (_, i) => Buffer.from(`password number ${i}`));
  const blobs = await Promise.all(plains.map((p, i) => protectData(p, i % 2 ? 'machine' : 'user')));
  const pending = blobs.map((b) => unprotectData(b));
  let ticked = false;
  setImmediate(() => (ticked = true));
  const back = await Promise.all(pending);
  assert.ok(ticked, 'the event loop turned while DPAPI worked');
  back.forEach((b, i) => assert.deepEqual(b, plains[i]));
});

test('bad arguments are refused without a call', { skip }, async () => {
  await assert.rejects(unprotectData('QUJD' as unknown as Buffer), /CryptUnprotectData takes a Buffer/);
  await assert.rejects(protectData(Buffer.from('x'), 'domain' as 'user'), /DPAPI scope must be 'user' or 'machine'/);
});

test('hundreds of protects, decrypts and failures leave the handle count where it was', { skip, timeout: 120_000 }, async () => {
  const blob = await protectData(Buffer.from('hunter2'), 'machine');
  const round = async () => {
    await unprotectData(await protectData(Buffer.from('x'), 'user'));
    await unprotectData(blob);
    await unprotectData(Buffer.from('garbage')).catch(() => {});
  };
  for (let i = 0; i < 20; i++) await round(); // warm up DPAPI's own keys and handles
  const before = processHandleCount();
  for (let i = 0; i < 200; i++) await round();
  const after = processHandleCount();
  assert.equal(after, before, `handle count went from ${before} to ${after} over 600 calls`);
});
