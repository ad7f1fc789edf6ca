// ConPTY input: upstream's runner turns each "\n" the parent sends into "\r\n" (a Windows console
// in line mode ends a line on CR; a bare LF is just a character). A "\r\n" already there stays as
// is, also when the "\r" and the "\n" arrive in different chunks.
const CR = 0x0d;
const LF = 0x0a;

export class CrlfNormalizer {
  /** The byte before the next chunk's first byte was a CR. */
  private afterCr = false;

  push(chunk: Uint8Array): Buffer {
    const out: number[] = [];
    let previousWasCr = this.afterCr;
    for (const byte of chunk) {
      if (byte === LF && !previousWasCr) out.push(CR);
      out.push(byte);
      previousWasCr = byte === CR;
    }
    this.afterCr = previousWasCr;
    return Buffer.from(out);
  }
}
