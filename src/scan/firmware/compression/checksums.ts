// Checksums the container formats carry and Node does not offer: CRC-64 (xz), xxHash32 (LZ4 frames) and
// Adler-32 (lzop). CRC-32 comes from node:zlib.

// CRC-64/XZ (ECMA-182 polynomial, reflected), as two 32-bit halves so no BigInt is needed.
const CRC64_LO = new Uint32Array(256);
const CRC64_HI = new Uint32Array(256);
{
  const polyLo = 0xd7870f42;
  const polyHi = 0xc96c5795;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ polyLo) >>> 0;
        hi = (hi ^ polyHi) >>> 0;
      }
    }
    CRC64_LO[i] = lo;
    CRC64_HI[i] = hi;
  }
}

/** CRC-64 of data, as 8 little-endian bytes (the order xz stores it in). */
export function crc64(data: Uint8Array): Uint8Array {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const index = (lo ^ (data[i] as number)) & 0xff;
    lo = ((CRC64_LO[index] as number) ^ ((lo >>> 8) | (hi << 24))) >>> 0;
    hi = ((CRC64_HI[index] as number) ^ (hi >>> 8)) >>> 0;
  }
  lo = ~lo >>> 0;
  hi = ~hi >>> 0;
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, lo, true);
  view.setUint32(4, hi, true);
  return out;
}

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function le32(data: Uint8Array, i: number): number {
  return ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24)) >>> 0;
}

/** xxHash32 with seed 0, unsigned. */
export function xxh32(data: Uint8Array, seed = 0): number {
  const length = data.length;
  let i = 0;
  let h: number;
  if (length >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = length - 16;
    while (i <= limit) {
      v1 = Math.imul(rotl((v1 + Math.imul(le32(data, i), P2)) | 0, 13), P1);
      v2 = Math.imul(rotl((v2 + Math.imul(le32(data, i + 4), P2)) | 0, 13), P1);
      v3 = Math.imul(rotl((v3 + Math.imul(le32(data, i + 8), P2)) | 0, 13), P1);
      v4 = Math.imul(rotl((v4 + Math.imul(le32(data, i + 12), P2)) | 0, 13), P1);
      i += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + length) | 0;
  while (i + 4 <= length) {
    h = Math.imul(rotl((h + Math.imul(le32(data, i), P3)) | 0, 17), P4);
    i += 4;
  }
  while (i < length) {
    h = Math.imul(rotl((h + Math.imul(data[i] as number, P5)) | 0, 11), P1);
    i++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Adler-32, unsigned. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  let i = 0;
  while (i < data.length) {
    // 5552 is the most bytes that can be summed before b could pass 2^32.
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
