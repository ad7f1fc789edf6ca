// Draws the app icon (no downloads, no image tools): a rounded tile with two pipes, one per
// direction. Writes build/icon.png (512 px, used for Linux and as the source) and build/icon.ico
// (256/64/48/32/16 px PNG entries, which Windows Vista+ and NSIS accept). Run: node build/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA pixel of the icon at (x, y) in a size x size image, with 4x4 supersampling at the edges. */
function pixel(x, y, size) {
  let r = 0, g = 0, b = 0, a = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const u = (x + (sx + 0.5) / 4) / size, v = (y + (sy + 0.5) / 4) / size;
      const [pr, pg, pb, pa] = shade(u, v);
      r += pr * pa; g += pg * pa; b += pb * pa; a += pa;
    }
  }
  return a === 0 ? [0, 0, 0, 0] : [r / a, g / a, b / a, (a / 16) * 255];
}

function insideRoundedRect(u, v, x0, y0, x1, y1, radius) {
  const cx = Math.min(Math.max(u, x0 + radius), x1 - radius), cy = Math.min(Math.max(v, y0 + radius), y1 - radius);
  return (u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2 && u >= x0 && u <= x1 && v >= y0 && v <= y1;
}

function shade(u, v) {
  if (!insideRoundedRect(u, v, 0.04, 0.04, 0.96, 0.96, 0.2)) return [0, 0, 0, 0];
  // tile: blue-to-indigo gradient
  let col = [37 + 40 * v, 99 - 30 * v, 235 - 20 * v];
  // two pipes: the upper one flows right (in), the lower one flows left (out)
  if (insideRoundedRect(u, v, 0.18, 0.3, 0.7, 0.42, 0.06) || insideRoundedRect(u, v, 0.3, 0.58, 0.82, 0.7, 0.06)) col = [255, 255, 255];
  // arrow heads
  if (u >= 0.68 && u <= 0.84 && Math.abs(v - 0.36) <= (0.84 - u) * 0.75) col = [255, 255, 255];
  if (u >= 0.16 && u <= 0.32 && Math.abs(v - 0.64) <= (u - 0.16) * 0.75) col = [255, 255, 255];
  return [...col, 1];
}

function png(size) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y, size);
      raw.set([r, g, b, a].map((c) => Math.round(c)), y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function ico(sizes) {
  const images = sizes.map(png);
  const dir = Buffer.alloc(6 + 16 * sizes.length);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(sizes.length, 4);
  let offset = dir.length;
  sizes.forEach((size, i) => {
    const e = 6 + 16 * i;
    dir[e] = size >= 256 ? 0 : size; // 0 means 256
    dir[e + 1] = size >= 256 ? 0 : size;
    dir.writeUInt16LE(1, e + 4); // planes
    dir.writeUInt16LE(32, e + 6); // bits per pixel
    dir.writeUInt32LE(images[i].length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += images[i].length;
  });
  return Buffer.concat([dir, ...images]);
}

const here = new URL('.', import.meta.url);
writeFileSync(new URL('icon.png', here), png(512));
writeFileSync(new URL('icon.ico', here), ico([256, 64, 48, 32, 16]));
console.log('wrote build/icon.png and build/icon.ico');
