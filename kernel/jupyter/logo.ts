// The kernelspec's logos (logo-32x32.png, logo-64x64.png, logo-svg.svg), drawn here rather than shipped as
// binaries: a teal disc with a white heart, the PNGs encoded by hand (zlib deflate, CRC-32, no dependency).
import { deflateSync } from 'node:zlib';

const TEAL = [0x1b, 0x7f, 0x79];
const WHITE = [0xff, 0xff, 0xff];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Is (x, y) in [-1, 1]² inside the heart (the classic implicit curve, scaled into the disc)? */
function inHeart(x: number, y: number): boolean {
  const u = x * 1.9;
  const v = -y * 1.9 + 0.35;
  return (u * u + v * v - 1) ** 3 - u * u * v ** 3 <= 0;
}

/** The logo as an RGBA PNG of size × size pixels. */
export function logoPng(size: number): Buffer {
  const rows: Buffer[] = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let px = 0; px < size; px++) {
      const x = ((px + 0.5) / size) * 2 - 1;
      const y = ((py + 0.5) / size) * 2 - 1;
      const inside = x * x + y * y <= 1;
      const rgb = inHeart(x, y) ? WHITE : TEAL;
      row.set([...rgb, inside ? 255 : 0], 1 + px * 4);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

export const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="32" fill="#1b7f79"/>' +
  '<path d="M32 50 C14 38 12 26 20 21 C26 17 31 21 32 25 C33 21 38 17 44 21 C52 26 50 38 32 50 Z" fill="#fff"/></svg>\n';
