// The producer under Wine (no `head` there): writes N zero bytes to stdout in 64 KiB chunks,
// waiting for 'drain', so it never buffers more than one chunk.
const total = Number(process.argv[2]);
if (!Number.isSafeInteger(total) || total < 0) {
  process.stderr.write('usage: zero-writer.js <bytes>\n');
  process.exit(2);
}
const chunk = Buffer.alloc(64 * 1024);
let left = total;
function writeMore(): void {
  while (left > 0) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    if (!process.stdout.write(piece)) return void process.stdout.once('drain', writeMore);
  }
}
writeMore();
