// LZO1X decompression (what squashfs's lzo blocks and lzop's blocks hold, whichever LZO1X compressor made
// them: 1, 1_15, 999), after the bounds-checked lzo1x_decompress_safe of the Linux kernel, and the lzop
// file container. No maintained pure-JavaScript LZO decoder exists on the registry.
//
// Instructions (state = literals that followed the last match, 4 after a literal run):
//   0..15   state 0: literal run of 3+ bytes; state 1..3: 2-byte match within 1 KiB;
//           state 4: 3-byte match 2049..3072 back
//   16..31  match 16 KiB..48 KiB back (distance 16384 exactly with length 3 ends the stream)
//   32..63  match within 16 KiB
//   64..255 match 3..8 bytes within 2 KiB
import { crc32 } from 'node:zlib';
import { adler32 } from './checksums.ts';
import { copyBackReference, copyIn, corrupt, Output, truncated } from './output.ts';

const CODEC = 'lzo';

/** Decodes LZO1X data from input[start, end) up to its end marker, appending to out; returns the input position after it. */
export function decodeLzo1x(input: Uint8Array, start: number, end: number, out: Output): number {
  let ip = start;
  const minRef = out.pos;
  let buf = out.buf;
  let op = out.pos;
  let state = 0;
  // Literals waiting to be copied (the run after an instruction, or the first byte's run).
  let literals = 0;
  if (ip >= end) throw truncated(CODEC);
  if ((input[ip] as number) > 17) {
    literals = (input[ip++] as number) - 17;
    state = literals < 4 ? literals : 4;
  }
  for (;;) {
    if (literals > 0) {
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
    }
    if (ip >= end) throw truncated(CODEC);
    const t = input[ip++] as number;
    let distance: number;
    let length: number;
    let next: number;
    if (t < 16) {
      if (state === 0) {
        // A literal run of 3 or more bytes; 0 starts a long count (255 for each zero byte, then a byte).
        let run = t;
        if (run === 0) {
          let zeros = 0;
          while (ip < end && input[ip] === 0) {
            zeros++;
            ip++;
          }
          if (ip >= end) throw truncated(CODEC);
          run = 15 + zeros * 255 + (input[ip++] as number);
        }
        literals = run + 3;
        state = 4;
        continue;
      }
      if (ip >= end) throw truncated(CODEC);
      next = t & 3;
      if (state !== 4) {
        distance = 1 + (t >>> 2) + ((input[ip++] as number) << 2);
        length = 2;
      } else {
        distance = 1 + 0x800 + (t >>> 2) + ((input[ip++] as number) << 2);
        length = 3;
      }
    } else {
      if (t >= 64) {
        if (ip >= end) throw truncated(CODEC);
        next = t & 3;
        distance = 1 + ((t >>> 2) & 7) + ((input[ip++] as number) << 3);
        length = (t >>> 5) + 1;
      } else {
        const far = t < 32;
        length = far ? (t & 7) + 2 : (t & 31) + 2;
        if (length === 2) {
          let zeros = 0;
          while (ip < end && input[ip] === 0) {
            zeros++;
            ip++;
          }
          if (ip >= end) throw truncated(CODEC);
          length = (far ? 9 : 33) + zeros * 255 + (input[ip++] as number);
        }
        if (ip + 2 > end) throw truncated(CODEC);
        const v = (input[ip] as number) | ((input[ip + 1] as number) << 8);
        ip += 2;
        next = v & 3;
        if (far) {
          distance = ((t & 8) << 11) + (v >>> 2);
          if (distance === 0) {
            if (length !== 3) throw corrupt(CODEC, 'bad end marker');
            out.pos = op;
            return ip;
          }
          distance += 0x4000;
        } else {
          distance = 1 + (v >>> 2);
        }
      }
    }
    if (distance > op - minRef) throw corrupt(CODEC, 'match distance before the start of the data');
    if (op + length > buf.length) {
      out.pos = op;
      out.ensure(length);
      buf = out.buf;
    }
    op = copyBackReference(buf, op, distance, length);
    literals = next;
    state = next;
  }
}

/** A raw LZO1X stream, as squashfs stores its blocks: all input must be used. */
export function decodeLzoRaw(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new Output(CODEC, maxOutput, Math.min(maxOutput, Math.max(input.length * 4, 4096)));
  const end = decodeLzo1x(input, 0, input.length, out);
  if (end !== input.length) throw corrupt(CODEC, 'bytes after the end marker');
  return out.result();
}

const LZOP_MAGIC = [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a];
const F_ADLER32_D = 0x1;
const F_ADLER32_C = 0x2;
const F_H_EXTRA_FIELD = 0x40;
const F_CRC32_D = 0x100;
const F_CRC32_C = 0x200;
const F_H_FILTER = 0x800;
const F_H_CRC32 = 0x1000;

function be16(d: Uint8Array, i: number): number {
  return ((d[i] as number) << 8) | (d[i + 1] as number);
}

function be32(d: Uint8Array, i: number): number {
  return (((d[i] as number) << 24) | ((d[i + 1] as number) << 16) | ((d[i + 2] as number) << 8) | (d[i + 3] as number)) >>> 0;
}

/** An .lzo file as lzop writes it: header, then blocks of LZO1X data (or stored), with their checksums. */
export function decodeLzop(input: Uint8Array, maxOutput: number): Uint8Array {
  const codec = 'lzop';
  const fail = (what: string) => corrupt(codec, what);
  const need = (p: number, n: number): void => {
    if (p + n > input.length) throw truncated(codec);
  };
  need(0, 9);
  for (let i = 0; i < 9; i++) if (input[i] !== LZOP_MAGIC[i]) throw fail('not an lzop file (bad magic)');
  let p = 9;
  const headerStart = p;
  need(p, 4);
  const version = be16(input, p);
  p += 4; // version, library version
  if (version >= 0x0940) p += 2; // version needed to extract
  need(p, 1);
  const method = input[p++] as number;
  if (method < 1 || method > 3) throw fail(`unsupported method ${method}`);
  if (version >= 0x0940) p += 1; // level
  need(p, 4);
  const flags = be32(input, p);
  p += 4;
  if (flags & F_H_FILTER) p += 4;
  p += 4 + 4; // mode, mtime low
  if (version >= 0x0940) p += 4; // mtime high
  need(p, 1);
  const nameLength = input[p++] as number;
  p += nameLength;
  need(p, 4);
  const headerSum = flags & F_H_CRC32 ? crc32(input.subarray(headerStart, p)) : adler32(input.subarray(headerStart, p));
  if (headerSum !== be32(input, p)) throw fail('header checksum');
  p += 4;
  if (flags & F_H_EXTRA_FIELD) {
    need(p, 4);
    p += 4 + be32(input, p) + 4;
  }
  const out = new Output(codec, maxOutput, Math.min(maxOutput, Math.max(input.length * 4, 4096)));
  for (;;) {
    need(p, 4);
    const dstLen = be32(input, p);
    p += 4;
    if (dstLen === 0) break;
    if (dstLen > 64 << 20) throw fail('block larger than 64 MiB');
    need(p, 4);
    const srcLen = be32(input, p);
    p += 4;
    if (srcLen > dstLen) throw fail('compressed block larger than its content');
    let dSum: number | undefined;
    let dCrc = false;
    if (flags & F_ADLER32_D) {
      need(p, 4);
      dSum = be32(input, p);
      p += 4;
    }
    if (flags & F_CRC32_D) {
      need(p, 4);
      dSum = be32(input, p);
      dCrc = true;
      p += 4;
    }
    if (srcLen < dstLen) {
      if (flags & F_ADLER32_C) p += 4;
      if (flags & F_CRC32_C) p += 4;
    }
    need(p, srcLen);
    const blockStart = out.pos;
    if (srcLen === dstLen) copyIn(out, input, p, srcLen);
    else {
      out.ensure(dstLen);
      const used = decodeLzo1x(input, p, p + srcLen, out);
      if (used !== p + srcLen || out.pos - blockStart !== dstLen) throw fail('block size mismatch');
    }
    if (dSum !== undefined) {
      const block = out.buf.subarray(blockStart, out.pos);
      if ((dCrc ? crc32(block) : adler32(block)) !== dSum) throw fail('block checksum');
    }
    p += srcLen;
  }
  return out.result();
}
