// LZ4: the raw block format (squashfs's lz4 blocks, LZ4_decompress_safe) and the frame formats that the
// lz4 tool writes: the current frame (magic 0x184D2204, with xxHash32 checks), skippable frames and the
// legacy frame (magic 0x184C2102, `lz4 -l`, as Linux kernels and initramfs images use). Written from the
// format descriptions; small enough that a library would add more than it saves.
import { ImageReadError } from '../image-fs.ts';
import { xxh32 } from './checksums.ts';
import { copyBackReference, copyIn, corrupt, expandsBeyond, Output, truncated } from './output.ts';

const CODEC = 'lz4';
const FRAME_MAGIC = 0x184d2204;
const LEGACY_MAGIC = 0x184c2102;
const LEGACY_BLOCK = 8 << 20;

function le32(data: Uint8Array, i: number): number {
  return ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24)) >>> 0;
}

/**
 * Decodes one LZ4 block, input[start, end), appending to `out`. Matches may reach back to `minRef` (the
 * frame's start when blocks are linked, the block's own start when independent).
 */
export function decodeLz4Block(input: Uint8Array, start: number, end: number, out: Output, minRef: number): void {
  let ip = start;
  let buf = out.buf;
  let op = out.pos;
  for (;;) {
    if (ip >= end) throw truncated(CODEC);
    const token = input[ip++] as number;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (ip >= end) throw truncated(CODEC);
        b = input[ip++] as number;
        literals += b;
      } while (b === 255);
    }
    if (ip + literals > end) throw truncated(CODEC);
    if (op + literals > buf.length) {
      out.pos = op;
      out.ensure(literals);
      buf = out.buf;
    }
    if (literals > 32) buf.set(input.subarray(ip, ip + literals), op);
    else for (let k = 0; k < literals; k++) buf[op + k] = input[ip + k] as number;
    op += literals;
    ip += literals;
    if (ip === end) break;
    if (ip + 2 > end) throw truncated(CODEC);
    const offset = (input[ip] as number) | ((input[ip + 1] as number) << 8);
    ip += 2;
    if (offset === 0 || offset > op - minRef) throw corrupt(CODEC, 'match offset before the start of the data');
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (ip >= end) throw truncated(CODEC);
        b = input[ip++] as number;
        length += b;
      } while (b === 255);
    }
    length += 4;
    if (op + length > buf.length) {
      out.pos = op;
      out.ensure(length);
      buf = out.buf;
    }
    op = copyBackReference(buf, op, offset, length);
  }
  out.pos = op;
}

/** A raw LZ4 block, as squashfs stores them. */
export function decodeLz4Raw(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new Output(CODEC, maxOutput, Math.min(maxOutput, Math.max(input.length * 4, 4096)));
  decodeLz4Block(input, 0, input.length, out, 0);
  return out.result();
}

function decodeFrame(input: Uint8Array, start: number, out: Output): number {
  let p = start;
  if (p + 3 > input.length) throw truncated(CODEC);
  const flg = input[p] as number;
  const bd = input[p + 1] as number;
  if (flg >>> 6 !== 1) throw corrupt(CODEC, 'unsupported frame version');
  if (flg & 0x02 || bd & 0x8f) throw corrupt(CODEC, 'reserved frame bits set');
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const hasDictId = (flg & 0x01) !== 0;
  const blockMaxId = (bd >>> 4) & 7;
  if (blockMaxId < 4) throw corrupt(CODEC, 'invalid block maximum size');
  const blockMax = 1 << (2 * blockMaxId + 8);
  const descriptorEnd = p + 2 + (hasContentSize ? 8 : 0) + (hasDictId ? 4 : 0);
  if (descriptorEnd + 1 > input.length) throw truncated(CODEC);
  if (((xxh32(input.subarray(p, descriptorEnd)) >>> 8) & 0xff) !== input[descriptorEnd]) throw corrupt(CODEC, 'frame descriptor checksum');
  let contentSize: number | undefined;
  if (hasContentSize) {
    contentSize = le32(input, p + 6) * 0x100000000 + le32(input, p + 2);
    if (contentSize > out.max - out.pos) throw expandsBeyond(CODEC, out.max);
  }
  if (hasDictId) throw new ImageReadError('lz4: frame needs an external dictionary (unsupported)');
  p = descriptorEnd + 1;
  const frameStart = out.pos;
  for (;;) {
    if (p + 4 > input.length) throw truncated(CODEC);
    const word = le32(input, p);
    p += 4;
    if (word === 0) break;
    const stored = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw corrupt(CODEC, 'block larger than the frame allows');
    if (p + size + (blockChecksum ? 4 : 0) > input.length) throw truncated(CODEC);
    if (blockChecksum && xxh32(input.subarray(p, p + size)) !== le32(input, p + size)) throw corrupt(CODEC, 'block checksum');
    const blockStart = out.pos;
    if (stored) copyIn(out, input, p, size);
    else decodeLz4Block(input, p, p + size, out, independent ? blockStart : frameStart);
    if (out.pos - blockStart > blockMax) throw corrupt(CODEC, 'block expands beyond the frame block size');
    p += size + (blockChecksum ? 4 : 0);
  }
  if (contentSize !== undefined && out.pos - frameStart !== contentSize) throw corrupt(CODEC, 'content size mismatch');
  if (contentChecksum) {
    if (p + 4 > input.length) throw truncated(CODEC);
    if (xxh32(out.buf.subarray(frameStart, out.pos)) !== le32(input, p)) throw corrupt(CODEC, 'content checksum');
    p += 4;
  }
  return p;
}

function decodeLegacy(input: Uint8Array, start: number, out: Output): number {
  let p = start;
  // Blocks of compressed size + data until the input ends or something else (another magic, padding) follows.
  const bound = LEGACY_BLOCK + Math.floor(LEGACY_BLOCK / 255) + 16;
  while (p + 4 <= input.length) {
    const size = le32(input, p);
    if (size === LEGACY_MAGIC) {
      p += 4;
      continue;
    }
    if (size === 0 || size > bound) break;
    if (p + 4 + size > input.length) throw truncated(CODEC);
    const blockStart = out.pos;
    decodeLz4Block(input, p + 4, p + 4 + size, out, blockStart);
    if (out.pos - blockStart > LEGACY_BLOCK) throw corrupt(CODEC, 'legacy block larger than 8 MiB');
    p += 4 + size;
  }
  return p;
}

/** LZ4 frames as the lz4 tool writes them (current, skippable and legacy); bytes after the last are ignored. */
export function decodeLz4Frames(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new Output(CODEC, maxOutput, Math.min(maxOutput, Math.max(input.length * 4, 4096)));
  let p = 0;
  let frames = 0;
  while (p + 4 <= input.length) {
    const magic = le32(input, p);
    if (magic === FRAME_MAGIC) p = decodeFrame(input, p + 4, out);
    else if (magic === LEGACY_MAGIC) p = decodeLegacy(input, p + 4, out);
    else if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      if (p + 8 > input.length) throw truncated(CODEC);
      p += 8 + le32(input, p + 4);
    } else break;
    frames++;
  }
  if (frames === 0) throw corrupt(CODEC, 'not an LZ4 frame (bad magic)');
  return out.result();
}
