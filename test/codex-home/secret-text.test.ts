// SecretText: strict UTF-8 straight into NUL-terminated UTF-16LE, wiped on request, and never
// printed or serialized.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { format, inspect } from 'node:util';
import { SecretText, SecretTextError } from '../../src/main/codex/home/secret-text';
import { Prng } from '../helpers/prng';

const utf16z = (text: string) => Buffer.from(`${text}\0`, 'utf16le');

test('UTF-8 becomes NUL-terminated UTF-16LE: ASCII, 2-, 3- and 4-byte characters, and the empty text', () => {
  for (const text of ['hunter2', 'Pässwörd', '€uro ✓', '😀 x 𝄞', 'aZ09!@#$%^&*()-_=+', '']) {
    const secret = SecretText.fromUtf8(Buffer.from(text, 'utf8'));
    assert.deepEqual(secret.utf16z(), utf16z(text), text);
    assert.equal(secret.length, text.length, `${text}: UTF-16 units without the NUL`);
    assert.equal(secret.wiped, false);
  }
});

test('anything not strict UTF-8 is refused without echoing the bytes: overlongs, surrogates, > U+10FFFF, truncated, stray bytes', () => {
  const bad = [
    [0xc0, 0x80], // overlong NUL
    [0xc1, 0xbf], // overlong
    [0xe0, 0x9f, 0xbf], // overlong 3-byte
    [0xf0, 0x8f, 0xbf, 0xbf], // overlong 4-byte
    [0xed, 0xa0, 0x80], // U+D800
    [0xed, 0xbf, 0xbf], // U+DFFF
    [0xf4, 0x90, 0x80, 0x80], // U+110000
    [0xf5, 0x80, 0x80, 0x80],
    [0xe2, 0x82], // truncated €
    [0x61, 0xf0, 0x9f, 0x98], // truncated emoji at the end
    [0x80], // lone continuation
    [0x61, 0xff, 0x62],
    [0xe2, 0x28, 0xa1], // bad continuation
  ];
  for (const bytes of bad) {
    assert.throws(
      () => SecretText.fromUtf8(Buffer.from(bytes)),
      (err: unknown) => err instanceof SecretTextError && err.problem === 'not-utf8' && err.message === 'is not valid UTF-8',
      Buffer.from(bytes).toString('hex'),
    );
  }
});

test('a NUL inside the text is refused: a Windows string would end there', () => {
  assert.throws(
    () => SecretText.fromUtf8(Buffer.from('abc\0def')),
    (err: unknown) => err instanceof SecretTextError && err.problem === 'contains-nul' && !err.message.includes('abc'),
  );
});

test('agrees with a fatal TextDecoder on 20,000 seeded random byte strings (biased towards UTF-8 lead bytes)', () => {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const prng = new Prng(0xc0de);
  const interesting = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f];
  let valid = 0;
  for (let i = 0; i < 20_000; i++) {
    const bytes = Buffer.alloc(prng.int(12));
    for (let k = 0; k < bytes.length; k++) bytes[k] = prng.next() < 0.6 ? prng.pick(interesting) : prng.int(256);
    let expected: string | null;
    try {
      expected = decoder.decode(bytes);
    } catch {
      expected = null;
    }
    if (expected !== null && expected.includes('\0')) expected = null; // refused as contains-nul
    let got: Buffer | null;
    try {
      got = SecretText.fromUtf8(bytes).utf16z();
    } catch (err) {
      assert.ok(err instanceof SecretTextError);
      got = null;
    }
    assert.deepEqual(got, expected === null ? null : utf16z(expected), bytes.toString('hex'));
    if (expected !== null) valid++;
  }
  assert.ok(valid > 1000, `only ${valid} valid cases: the generator is not exercising the decoder`);
});

test('wipe() zeroes the very buffer handed out, and the secret cannot be read afterwards', () => {
  const secret = SecretText.fromUtf8(Buffer.from('correct horse battery staple'));
  const buffer = secret.utf16z();
  assert.ok(buffer.some((b) => b !== 0));
  secret.wipe();
  assert.ok(buffer.every((b) => b === 0), 'every byte is zero');
  assert.equal(secret.wiped, true);
  assert.equal(secret.length, 0);
  assert.throws(() => secret.utf16z(), /this secret has been wiped/);
  secret.wipe(); // twice is fine
});

test('never serialized or printed: JSON, String, template, util.inspect/format, structuredClone, object keys', () => {
  const password = 'Sup3r-Secret-Pa55';
  const secret = SecretText.fromUtf8(Buffer.from(password));
  const holder = { username: 'CodexSandboxOffline', password: secret, nested: [{ secret }] };
  const renderings = [
    JSON.stringify(secret),
    JSON.stringify(holder),
    String(secret),
    `${secret}`,
    secret + '',
    inspect(secret),
    inspect(holder, { depth: 10, showHidden: true }),
    format('%s %o %O %j', secret, secret, holder, holder),
    JSON.stringify(structuredClone(holder)),
    Object.keys(secret).join(','),
    Object.getOwnPropertyNames(secret).join(','),
  ];
  for (const text of renderings) {
    assert.ok(!text.includes(password), `leaked in: ${text}`);
    assert.ok(!text.includes(Buffer.from(password, 'utf16le').toString('hex')), `leaked as hex in: ${text}`);
  }
  assert.equal(JSON.stringify(holder), '{"username":"CodexSandboxOffline","password":"[redacted]","nested":[{"secret":"[redacted]"}]}');
  assert.equal(inspect(secret), '[redacted]');
  assert.equal(String(secret), '[redacted]');
  assert.equal(`${secret}`, '[redacted]');
});
