// Zstandard through node:zlib, one frame at a time: Node's zstdDecompressSync stops after the first frame,
// so the frames (and skippable frames) are found here by walking their block headers, then each is
// decompressed with what is left of the bound.
import { zstdDecompressSync } from 'node:zlib';
import { ImageReadError } from '../image-fs.ts';
import { corrupt, expandsBeyond, truncated } from './output.ts';

const CODEC = 'zstd';
const MAGIC = 0xfd2fb528;

function le32(d: Uint8Array, i: number): number {
  return ((d[i] as number) | ((d[i + 1] as number) << 8) | ((d[i + 2] as number) << 16) | ((d[i + 3] as number) << 24)) >>> 0;
}

/** The end of the zstd frame starting at `start` (after its magic number is checked). */
function frameEnd(input: Uint8Array, start: number): number {
  let p = start + 4;
  if (p >= input.length) throw truncated(CODEC);
  const descriptor = input[p++] as number;
  if (descriptor & 0x08) throw corrupt(CODEC, 'reserved frame header bit set');
  const singleSegment = (descriptor & 0x20) !== 0;
  const fcsFlag = descriptor >>> 6;
  const dictFlag = descriptor & 0x03;
  p += (singleSegment ? 0 : 1) + ([0, 1, 2, 4][dictFlag] as number) + (fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag);
  for (;;) {
    if (p + 3 > input.length) throw truncated(CODEC);
    const header = (input[p] as number) | ((input[p + 1] as number) << 8) | ((input[p + 2] as number) << 16);
    p += 3;
    const type = (header >>> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw corrupt(CODEC, 'reserved block type');
    p += type === 1 ? 1 : size;
    if (header & 1) break;
  }
  if (descriptor & 0x04) p += 4;
  if (p > input.length) throw truncated(CODEC);
  return p;
}

export function decodeZstd(input: Uint8Array, maxOutput: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let p = 0;
  while (p < input.length) {
    if (p + 4 > input.length) {
      if (parts.length === 0) throw truncated(CODEC);
      break;
    }
    const magic = le32(input, p);
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      if (p + 8 > input.length) throw truncated(CODEC);
      p += 8 + le32(input, p + 4);
      if (p > input.length) throw truncated(CODEC);
      continue;
    }
    if (magic !== MAGIC) {
      if (p === 0) throw corrupt(CODEC, 'not zstd data (bad magic)');
      break; // bytes after the last frame are not ours
    }
    const end = frameEnd(input, p);
    const room = maxOutput - total;
    let out: Buffer;
    try {
      out = zstdDecompressSync(input.subarray(p, end), { maxOutputLength: Math.max(1, room) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw expandsBeyond(CODEC, maxOutput);
      throw new ImageReadError(`${CODEC}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (out.length > room) throw expandsBeyond(CODEC, maxOutput);
    parts.push(out);
    total += out.length;
    p = end;
  }
  if (parts.length === 1) {
    const only = parts[0] as Buffer;
    return new Uint8Array(only.buffer, only.byteOffset, only.length);
  }
  return new Uint8Array(Buffer.concat(parts, total));
}
