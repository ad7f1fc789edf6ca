// A password held the way Win32 takes it (NUL-terminated UTF-16LE, for an LPCWSTR such as
// CreateProcessWithLogonW's lpPassword) and never as a JS string: strings cannot be wiped and
// end up in heap snapshots, logs and IPC. It refuses to be serialized or printed.
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

// If a SecretText is dropped without wipe(), its bytes are overwritten once it is collected.
const wipeWhenCollected = new FinalizationRegistry<Buffer>((buffer) => buffer.fill(0));

export type SecretTextProblem = 'not-utf8' | 'contains-nul';

/** Why some bytes cannot be a SecretText. Says nothing about the bytes themselves. */
export class SecretTextError extends Error {
  override readonly name = 'SecretTextError';
  constructor(readonly problem: SecretTextProblem) {
    super(problem === 'not-utf8' ? 'is not valid UTF-8' : 'contains a NUL character, which a Windows string cannot carry');
  }
}

export class SecretText {
  #utf16z: Buffer | null;

  private constructor(utf16z: Buffer) {
    this.#utf16z = utf16z;
    wipeWhenCollected.register(this, utf16z, this);
  }

  /**
   * Transcodes strict UTF-8 (as Rust's `String::from_utf8`, which upstream uses) straight into a
   * fresh UTF-16LE buffer. `utf8` is left as it is: the caller wipes its own copy.
   */
  static fromUtf8(utf8: Uint8Array): SecretText {
    const units = countUtf16Units(utf8);
    const utf16z = Buffer.alloc((units + 1) * 2); // Buffer.alloc is never a slice of Node's shared pool
    writeUtf16(utf8, utf16z);
    return new SecretText(utf16z);
  }

  /**
   * The text as UTF-16LE with its terminating NUL. The buffer is the secret's own: use it while
   * you hold the SecretText (once the SecretText is collected, the buffer is zeroed) and not past wipe().
   */
  utf16z(): Buffer {
    if (!this.#utf16z) throw new Error('this secret has been wiped');
    return this.#utf16z;
  }

  /** UTF-16 code units, without the terminating NUL. */
  get length(): number {
    return this.#utf16z ? this.#utf16z.length / 2 - 1 : 0;
  }

  get wiped(): boolean {
    return this.#utf16z === null;
  }

  /** Overwrites the text with zeros and lets go of it. Safe to call more than once. */
  wipe(): void {
    if (!this.#utf16z) return;
    this.#utf16z.fill(0);
    wipeWhenCollected.unregister(this);
    this.#utf16z = null;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

// Strict UTF-8 per the Unicode standard's table 3-7: no overlongs, no surrogates, nothing past
// U+10FFFF, no truncated sequences. Two passes (count, then write) so no second buffer is needed.

function countUtf16Units(bytes: Uint8Array): number {
  let units = 0;
  for (let i = 0; i < bytes.length; ) {
    const packed = decodeAt(bytes, i);
    units += packed >> 3 > 0xffff ? 2 : 1;
    i += packed & 7;
  }
  return units;
}

function writeUtf16(bytes: Uint8Array, out: Buffer): void {
  let at = 0;
  for (let i = 0; i < bytes.length; ) {
    const packed = decodeAt(bytes, i);
    const codePoint = packed >> 3;
    if (codePoint > 0xffff) {
      const v = codePoint - 0x10000;
      out.writeUInt16LE(0xd800 + (v >> 10), at);
      out.writeUInt16LE(0xdc00 + (v & 0x3ff), at + 2);
      at += 4;
    } else {
      out.writeUInt16LE(codePoint, at);
      at += 2;
    }
    i += packed & 7;
  }
}

/**
 * The code point starting at `i` and its length in bytes, packed in one small integer
 * (`codePoint << 3 | size`) so decoding allocates nothing that could hold the text.
 * Throws SecretTextError on anything not strict UTF-8, and on NUL.
 */
function decodeAt(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 === 0) throw new SecretTextError('contains-nul');
  if (b0 < 0x80) return (b0 << 3) | 1;
  let size: number;
  let low = 0x80; // allowed range of the second byte
  let high = 0xbf;
  let codePoint: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    size = 2;
    codePoint = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    codePoint = b0 & 0x0f;
    if (b0 === 0xe0) low = 0xa0; // overlong
    if (b0 === 0xed) high = 0x9f; // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    codePoint = b0 & 0x07;
    if (b0 === 0xf0) low = 0x90; // overlong
    if (b0 === 0xf4) high = 0x8f; // past U+10FFFF
  } else {
    throw new SecretTextError('not-utf8');
  }
  if (i + size > bytes.length) throw new SecretTextError('not-utf8');
  for (let k = 1; k < size; k++) {
    const b = bytes[i + k]!;
    if (b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) throw new SecretTextError('not-utf8');
    codePoint = (codePoint << 6) | (b & 0x3f);
  }
  return (codePoint << 3) | size;
}
