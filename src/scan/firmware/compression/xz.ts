// The .xz container (also each squashfs xz block): stream header, blocks whose filter chain ends in LZMA2
// (optionally after delta or BCJ filters, as mksquashfs -Xbcj makes), index, footer; concatenated streams
// and stream padding. Header and index CRCs and each block's check (none, CRC32, CRC64, SHA-256) are
// verified, so corruption is reported, not passed on as content.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { ImageReadError } from '../image-fs.ts';
import { BCJ_FILTERS, deltaDecode } from './bcj.ts';
import { crc64 } from './checksums.ts';
import { decodeLzma2 } from './lzma.ts';
import { corrupt, expandsBeyond, Output, truncated } from './output.ts';

const CODEC = 'xz';
const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

function le32(data: Uint8Array, i: number): number {
  return ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24)) >>> 0;
}

function hasMagic(input: Uint8Array, pos: number): boolean {
  if (pos + 6 > input.length) return false;
  for (let i = 0; i < 6; i++) if (input[pos + i] !== MAGIC[i]) return false;
  return true;
}

/** Reads a variable-length integer (7 bits a byte, at most 9 bytes); returns [value, next position]. */
function vli(input: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (pos >= end) throw truncated(CODEC);
    const byte = input[pos++] as number;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) throw corrupt(CODEC, 'non-minimal integer');
      if (value > Number.MAX_SAFE_INTEGER) throw corrupt(CODEC, 'integer too large');
      return [value, pos];
    }
  }
  throw corrupt(CODEC, 'integer too long');
}

interface FilterSpec {
  id: number;
  props: Uint8Array;
}

function verifyCheck(type: number, data: Uint8Array, stored: Uint8Array): void {
  let ok = true;
  if (type === 0x01) ok = crc32(data) === le32(stored, 0);
  else if (type === 0x04) {
    const computed = crc64(data);
    for (let i = 0; i < 8; i++) if (computed[i] !== stored[i]) ok = false;
  } else if (type === 0x0a) {
    const computed = createHash('sha256').update(data).digest();
    for (let i = 0; i < 32; i++) if (computed[i] !== stored[i]) ok = false;
  }
  // Other check types are reserved: their bytes are skipped, as xz itself does with --no-warn.
  if (!ok) throw corrupt(CODEC, 'check mismatch');
}

function decodeBlock(input: Uint8Array, pos: number, checkType: number, out: Output): number {
  const headerSize = ((input[pos] as number) + 1) * 4;
  const headerEnd = pos + headerSize;
  if (headerEnd > input.length) throw truncated(CODEC);
  if (crc32(input.subarray(pos, headerEnd - 4)) !== le32(input, headerEnd - 4)) throw corrupt(CODEC, 'block header CRC');
  const flags = input[pos + 1] as number;
  if (flags & 0x3c) throw corrupt(CODEC, 'unsupported block header flags');
  let p = pos + 2;
  const limit = headerEnd - 4;
  let compressedSize: number | undefined;
  let uncompressedSize: number | undefined;
  if (flags & 0x40) [compressedSize, p] = vli(input, p, limit);
  if (flags & 0x80) [uncompressedSize, p] = vli(input, p, limit);
  if (uncompressedSize !== undefined && out.pos + uncompressedSize > out.max) throw expandsBeyond(CODEC, out.max);
  const filters: FilterSpec[] = [];
  const count = (flags & 0x03) + 1;
  for (let f = 0; f < count; f++) {
    let id: number;
    let propsSize: number;
    [id, p] = vli(input, p, limit);
    [propsSize, p] = vli(input, p, limit);
    if (p + propsSize > limit) throw corrupt(CODEC, 'filter properties overrun the block header');
    filters.push({ id, props: input.subarray(p, p + propsSize) });
    p += propsSize;
  }
  for (; p < limit; p++) if (input[p] !== 0) throw corrupt(CODEC, 'block header padding');

  const last = filters[filters.length - 1] as FilterSpec;
  if (last.id !== 0x21) throw new ImageReadError(`xz: unsupported filter chain (last filter 0x${last.id.toString(16)})`);
  if (last.props.length !== 1 || (last.props[0] as number) > 40) throw corrupt(CODEC, 'LZMA2 properties');
  for (const filter of filters.slice(0, -1)) {
    if (filter.id === 0x21) throw corrupt(CODEC, 'LZMA2 filter not last');
    if (filter.id === 0x03) {
      if (filter.props.length !== 1) throw corrupt(CODEC, 'delta properties');
    } else if (BCJ_FILTERS.has(filter.id)) {
      if (filter.props.length !== 0 && filter.props.length !== 4) throw corrupt(CODEC, 'BCJ properties');
    } else {
      throw new ImageReadError(`xz: unsupported filter 0x${filter.id.toString(16)}`);
    }
  }

  const dataStart = headerEnd;
  const dataEnd = compressedSize !== undefined ? dataStart + compressedSize : input.length;
  if (dataEnd > input.length) throw truncated(CODEC);
  const outStart = out.pos;
  const after = decodeLzma2(input, dataStart, dataEnd, out);
  if (compressedSize !== undefined && after !== dataEnd) throw corrupt(CODEC, 'compressed size mismatch');
  if (uncompressedSize !== undefined && out.pos - outStart !== uncompressedSize) throw corrupt(CODEC, 'uncompressed size mismatch');

  for (let f = filters.length - 2; f >= 0; f--) {
    const filter = filters[f] as FilterSpec;
    if (filter.id === 0x03) deltaDecode(out.buf, outStart, out.pos, (filter.props[0] as number) + 1);
    else {
      const startPos = filter.props.length === 4 ? le32(filter.props, 0) : 0;
      (BCJ_FILTERS.get(filter.id) as { filter: (b: Uint8Array, s: number, e: number, p: number) => void }).filter(
        out.buf,
        outStart,
        out.pos,
        startPos,
      );
    }
  }

  let q = after;
  while ((q - dataStart) % 4 !== 0) {
    if (q >= input.length) throw truncated(CODEC);
    if (input[q++] !== 0) throw corrupt(CODEC, 'block padding');
  }
  const checkSize = CHECK_SIZES[checkType] as number;
  if (q + checkSize > input.length) throw truncated(CODEC);
  verifyCheck(checkType, out.buf.subarray(outStart, out.pos), input.subarray(q, q + checkSize));
  return q + checkSize;
}

function decodeStream(input: Uint8Array, start: number, out: Output): number {
  if (start + 12 > input.length) throw truncated(CODEC);
  if (!hasMagic(input, start)) throw corrupt(CODEC, 'not xz data (bad magic)');
  if (crc32(input.subarray(start + 6, start + 8)) !== le32(input, start + 8)) throw corrupt(CODEC, 'stream header CRC');
  if (input[start + 6] !== 0 || ((input[start + 7] as number) & 0xf0) !== 0) throw corrupt(CODEC, 'unsupported stream flags');
  const checkType = (input[start + 7] as number) & 0x0f;
  let pos = start + 12;
  let blocks = 0;
  for (;;) {
    if (pos >= input.length) throw truncated(CODEC);
    if (input[pos] === 0x00) break;
    pos = decodeBlock(input, pos, checkType, out);
    blocks++;
  }
  // Index: indicator, record count, records (unpadded size, uncompressed size), padding, CRC32.
  const indexStart = pos;
  const [records, afterCount] = vli(input, pos + 1, input.length);
  let p = afterCount;
  if (records !== blocks) throw corrupt(CODEC, 'index does not match the blocks');
  for (let r = 0; r < records; r++) {
    [, p] = vli(input, p, input.length);
    [, p] = vli(input, p, input.length);
  }
  while ((p - indexStart) % 4 !== 0) {
    if (p >= input.length) throw truncated(CODEC);
    if (input[p++] !== 0) throw corrupt(CODEC, 'index padding');
  }
  if (p + 4 > input.length) throw truncated(CODEC);
  if (crc32(input.subarray(indexStart, p)) !== le32(input, p)) throw corrupt(CODEC, 'index CRC');
  p += 4;
  // Footer: CRC32, backward size, stream flags, 'YZ'.
  if (p + 12 > input.length) throw truncated(CODEC);
  if (input[p + 10] !== 0x59 || input[p + 11] !== 0x5a) throw corrupt(CODEC, 'bad footer magic');
  if (crc32(input.subarray(p + 4, p + 10)) !== le32(input, p)) throw corrupt(CODEC, 'footer CRC');
  if ((le32(input, p + 4) + 1) * 4 !== p - indexStart) throw corrupt(CODEC, 'footer backward size');
  if (input[p + 8] !== input[start + 6] || input[p + 9] !== input[start + 7]) throw corrupt(CODEC, 'footer flags differ from the header');
  return p + 12;
}

/** Decodes .xz data: one or more streams, with stream padding between; bytes after the last are ignored. */
export function decodeXz(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new Output(CODEC, maxOutput, Math.min(maxOutput, Math.max(input.length * 4, 4096)));
  let pos = decodeStream(input, 0, out);
  for (;;) {
    let q = pos;
    while (q + 4 <= input.length && le32(input, q) === 0) q += 4;
    if (!hasMagic(input, q)) break;
    pos = decodeStream(input, q, out);
  }
  return out.result();
}
