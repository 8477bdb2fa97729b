// Finds U-Boot environments in a raw flash dump. An environment has no magic number: it is a CRC-32, an
// optional flag byte (redundant variant), then `name=value\0` entries padded to CONFIG_ENV_SIZE. So the
// search looks for the names every environment has (bootcmd=, bootargs=, bootdelay=), walks back entry by
// entry to where the data area starts, and accepts a candidate only when the CRC-32 of a power-of-two
// environment (4 KiB to 256 KiB) starting 4 or 5 bytes earlier matches, in either byte order. U-Boot's own
// binary carries its default environment without a CRC, and is rightly not reported.
import { crc32 } from 'node:zlib';
import type { ReadAt } from './uimage.ts';

export interface UbootEnvHit {
  offset: number;
  /** The environment's size, CONFIG_ENV_SIZE: CRC, flag byte if any, and data area. */
  size: number;
  redundant: boolean;
  endian: 'little' | 'big';
  description: string;
}

export interface UbootEnvOptions {
  /** Bytes read at a time. Default 4 MiB. */
  chunkSize?: number;
  /** Most environments reported. Default 16. */
  maxResults?: number;
  /** Most candidate starts whose CRCs are tried (each costs up to 2.5 MiB of CRC). Default 128. */
  maxCandidates?: number;
}

export const CARVED_ENV_SIZES = [4, 8, 16, 32, 64, 128, 256].map((k) => k * 1024);
const MAX_SIZE = CARVED_ENV_SIZES.at(-1) as number;
const NEEDLES = ['bootcmd=', 'bootargs=', 'bootdelay='].map((n) => Buffer.from(n, 'latin1'));
const OVERLAP = Math.max(...NEEDLES.map((n) => n.length));
/** Most entries walked back over from a hit. */
const MAX_ENTRIES_BACK = 4096;

function isEnvByte(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || b === 9 || b === 10 || b === 13;
}

/** `name=…` with a name of printable, non-space characters. */
function isEntry(bytes: Uint8Array): boolean {
  const eq = bytes.indexOf(0x3d);
  if (eq <= 0) return false;
  for (let i = 0; i < eq; i++) {
    const b = bytes[i] as number;
    if (b <= 0x20 || b >= 0x7f) return false;
  }
  return true;
}

function le32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}
function be32(b: Uint8Array, i: number): number {
  return (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;
}

/** Where the entries before the one at `hit` begin: the candidate start of the data area. */
function walkBack(read: ReadAt, hit: number): number {
  const low = Math.max(0, hit - MAX_SIZE);
  const window = read(low, hit - low);
  const byte = (at: number) => window[at - low] as number;
  let q = hit;
  for (let n = 0; n < MAX_ENTRIES_BACK && q > low; n++) {
    if (byte(q - 1) !== 0) break; // q is not after an entry's NUL: the data (or a glued CRC byte) starts here
    let r = q - 2;
    while (r >= low && byte(r) !== 0 && isEnvByte(byte(r))) r--;
    const start = r + 1;
    if (start > q - 2 || !isEntry(window.subarray(start - low, q - 1 - low))) break; // "\0\0", or not an entry
    q = start;
    if (r >= low && byte(r) !== 0) break; // preceded by a byte no entry has: the header
  }
  return q;
}

/** Tries the CRC of every carved size with the data area at `dataStart`, single and redundant. */
function tryAt(read: ReadAt, size: number, dataStart: number): Omit<UbootEnvHit, 'description'> | undefined {
  for (const headerSize of [4, 5] as const) {
    const offset = dataStart - headerSize;
    if (offset < 0) continue;
    const header = read(offset, headerSize);
    if (header.length < headerSize) continue;
    const little = le32(header, 0);
    const big = be32(header, 0);
    const region = read(dataStart, Math.min(MAX_SIZE - headerSize, size - dataStart));
    let running = 0;
    let done = 0;
    for (const envSize of CARVED_ENV_SIZES) {
      const end = envSize - headerSize;
      if (end > region.length) break;
      running = crc32(region.subarray(done, end), running);
      done = end;
      if (running === little || running === big)
        return { offset, size: envSize, redundant: headerSize === 5, endian: running === little ? 'little' : 'big' };
    }
  }
  return undefined;
}

/** Scans `size` bytes read through `read` for U-Boot environments whose CRC checks out. */
export function findUbootEnvironments(size: number, read: ReadAt, options: UbootEnvOptions = {}): UbootEnvHit[] {
  const chunkSize = Math.max(4096, options.chunkSize ?? 4 << 20);
  const maxResults = options.maxResults ?? 16;
  const maxCandidates = options.maxCandidates ?? 128;
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`findUbootEnvironments: bad size ${size}`);
  const results: UbootEnvHit[] = [];
  const tried = new Set<number>();
  let walks = 0;
  for (let chunkStart = 0; chunkStart < size; chunkStart += chunkSize) {
    const chunk = read(chunkStart, Math.min(chunkSize + OVERLAP, size - chunkStart));
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const hits: number[] = [];
    for (const needle of NEEDLES)
      for (let i = buf.indexOf(needle); i >= 0 && i < chunkSize; i = buf.indexOf(needle, i + 1)) hits.push(chunkStart + i);
    hits.sort((a, b) => a - b);
    for (const hit of hits) {
      if (results.some((r) => hit >= r.offset && hit < r.offset + r.size)) continue;
      if (++walks > 2 * maxCandidates) return results;
      const start = walkBack(read, hit);
      // A CRC byte that happens to be printable is taken for part of the first entry: try a few starts later.
      for (let dataStart = start; dataStart <= Math.min(hit, start + 4); dataStart++) {
        if (tried.has(dataStart)) continue;
        if (tried.size >= maxCandidates) return results;
        tried.add(dataStart);
        const found = tryAt(read, size, dataStart);
        if (!found) continue;
        const flags = found.redundant ? `, flag byte 0x${(read(found.offset + 4, 1)[0] ?? 0).toString(16).padStart(2, '0')}` : '';
        results.push({
          ...found,
          description: `U-Boot environment, ${found.size} bytes (${found.redundant ? `redundant variant${flags}` : 'single copy'}, ${found.endian}-endian CRC)`,
        });
        if (results.length >= maxResults) return results;
        break;
      }
    }
  }
  return results.sort((a, b) => a.offset - b.offset);
}
