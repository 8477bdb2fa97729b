// Finds filesystems, archives, compressed streams and boot containers inside a raw flash dump or firmware blob
// by their magic numbers, as binwalk does, reading the file in chunks (bounded memory; chunks overlap by the
// longest magic so nothing is missed at an edge). Every candidate is validated (a header checksum where the
// format has one, sanity fields where it does not) so that random data rarely yields a false hit; the results
// are sorted by offset, with the length when the header says it, and a hit that lies inside an earlier one
// (a gzip stream inside an ext image) says so in `inside`.
import { crc32 } from 'node:zlib';
import { extFlavour, parseSuperblock } from '../ext/format.ts';
import { ImageReadError } from '../image-fs.ts';
import { parseFdtHeader } from './fit.ts';
import { parseUImageHeader, type ReadAt, UIMAGE_HEADER_SIZE } from './uimage.ts';
import { detectPebSize } from '../ubi/format.ts';

export type SignatureType =
  | 'squashfs'
  | 'ext'
  | 'cpio'
  | 'tar'
  | 'zip'
  | 'gzip'
  | 'xz'
  | 'zstd'
  | 'bzip2'
  | 'lzma'
  | 'uimage'
  | 'fit'
  | 'fdt'
  | 'ubi'
  | 'jffs2'
  | 'elf'
  | 'pe';

export interface Signature {
  offset: number;
  type: SignatureType;
  /** For people: "squashfs 4.0 (xz), 12345 bytes", "uImage linux arm kernel (gzip) \"name\"". */
  description: string;
  /** Bytes, when the header says it (JFFS2: to the end of the last node of a run; UBI: to the end of the last PEB). */
  length?: number;
  /** Whether Baseline can open it (a filesystem reader, an archive reader or a decompressor exists). */
  supported: boolean;
  /** The offset of an earlier hit, with a known length, that this one lies inside. */
  inside?: number;
}

export interface SignatureOptions {
  /** Bytes read at a time. Default 4 MiB. */
  chunkSize?: number;
  /** Most results; the scan stops there. Default 10,000. */
  maxResults?: number;
}

interface Magic {
  type: SignatureType;
  bytes: Uint8Array;
  /** Where the magic sits from the start of the thing it announces. */
  at: number;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const MAGICS: Magic[] = [
  { type: 'squashfs', bytes: ascii('hsqs'), at: 0 },
  { type: 'squashfs', bytes: ascii('sqsh'), at: 0 },
  { type: 'ext', bytes: Uint8Array.of(0x53, 0xef), at: 1080 },
  { type: 'cpio', bytes: ascii('07070'), at: 0 },
  { type: 'tar', bytes: ascii('ustar'), at: 257 },
  { type: 'zip', bytes: Uint8Array.of(0x50, 0x4b, 0x03, 0x04), at: 0 },
  { type: 'gzip', bytes: Uint8Array.of(0x1f, 0x8b, 0x08), at: 0 },
  { type: 'xz', bytes: Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), at: 0 },
  { type: 'zstd', bytes: Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd), at: 0 },
  { type: 'bzip2', bytes: ascii('BZh'), at: 0 },
  { type: 'lzma', bytes: Uint8Array.of(0x5d, 0x00, 0x00), at: 0 },
  { type: 'uimage', bytes: Uint8Array.of(0x27, 0x05, 0x19, 0x56), at: 0 },
  { type: 'fdt', bytes: Uint8Array.of(0xd0, 0x0d, 0xfe, 0xed), at: 0 },
  { type: 'ubi', bytes: ascii('UBI#'), at: 0 },
  { type: 'jffs2', bytes: Uint8Array.of(0x85, 0x19), at: 0 },
  { type: 'jffs2', bytes: Uint8Array.of(0x19, 0x85), at: 0 },
  { type: 'elf', bytes: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46), at: 0 },
  { type: 'pe', bytes: ascii('MZ'), at: 0 },
];
const OVERLAP = Math.max(...MAGICS.map((m) => m.bytes.length));

type Found = Omit<Signature, 'offset' | 'type' | 'inside'>;

function be32(b: Uint8Array, i: number): number {
  return (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;
}
function le32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}
function le16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}
function be16(b: Uint8Array, i: number): number {
  return ((b[i] as number) << 8) | (b[i + 1] as number);
}

const latin1 = new TextDecoder('latin1');
const text = (b: Uint8Array, from: number, to: number): string => latin1.decode(b.subarray(from, to));
const cstr = (b: Uint8Array, from: number, max: number): string => {
  const end = b.indexOf(0, from);
  return text(b, from, end < 0 || end > from + max ? Math.min(b.length, from + max) : end);
};

/** The CRC-32 without the final inversion (Linux's crc32_le), with a given seed, as JFFS2 and UBI use it. */
function crc32Raw(data: Uint8Array, seed: number): number {
  return ~crc32(data, ~seed >>> 0) >>> 0;
}

const SQUASHFS_COMPRESSORS: Record<number, string> = { 1: 'gzip', 2: 'lzma', 3: 'lzo', 4: 'xz', 5: 'lz4', 6: 'zstd' };

function validate(
  type: SignatureType,
  start: number,
  size: number,
  at: (position: number, length: number) => Uint8Array,
): Found | undefined {
  const left = size - start;
  switch (type) {
    case 'squashfs': {
      const b = at(start, 96);
      if (b.length < 96) return undefined;
      const little = b[0] === 0x68;
      const major = little ? le16(b, 28) : be16(b, 28);
      const minor = little ? le16(b, 30) : be16(b, 30);
      if (!little) {
        if (major < 1 || major > 4) return undefined;
        return { description: `squashfs ${major}.${minor} big-endian (not supported)`, supported: false };
      }
      if (major === 4 && minor === 0) {
        const blockSize = le32(b, 12);
        const blockLog = le16(b, 22);
        const compressor = le16(b, 20);
        if (blockSize < 4096 || blockSize > 1 << 20 || 1 << blockLog !== blockSize || !SQUASHFS_COMPRESSORS[compressor]) return undefined;
        const hi = le32(b, 44);
        const used = hi * 0x100000000 + le32(b, 40);
        if (hi >= 0x200000 || used < 96 || used > left) return undefined;
        return { description: `squashfs 4.0 (${SQUASHFS_COMPRESSORS[compressor]}), ${used} bytes`, length: used, supported: true };
      }
      if (major >= 1 && major <= 3) return { description: `squashfs ${major}.${minor} (not supported)`, supported: false };
      return undefined;
    }
    case 'ext': {
      if (start < 0) return undefined;
      let sb;
      try {
        sb = parseSuperblock(at(start + 1024, 1024));
      } catch (error) {
        if (error instanceof ImageReadError) return undefined;
        throw error;
      }
      if (sb.firstDataBlock !== (sb.blockSize === 1024 ? 1 : 0) || sb.revLevel > 1) return undefined;
      const length = sb.blocksCount * sb.blockSize;
      const name = sb.volumeName ? ` "${sb.volumeName}"` : '';
      const truncated = length > left ? ` (truncated: ${left} bytes present)` : '';
      return { description: `${extFlavour(sb)} filesystem${name}, ${length} bytes${truncated}`, length, supported: true };
    }
    case 'cpio': {
      const b = at(start, 110);
      const kind = text(b, 0, 6);
      if (kind === '070701' || kind === '070702') {
        if (b.length < 110 || !/^[0-9A-Fa-f]{104}$/.test(text(b, 6, 110))) return undefined;
        const nameSize = parseInt(text(b, 94, 102), 16);
        if (nameSize < 2 || nameSize > 4096) return undefined;
        const name = at(start + 110, nameSize);
        if (name.length < nameSize || name[nameSize - 1] !== 0) return undefined;
        const fileSize = parseInt(text(b, 54, 62), 16);
        // This entry's length: the next header (or the trailer) follows at once, and extends the archive.
        const length = ((110 + nameSize + 3) & ~3) + ((fileSize + 3) & ~3);
        return {
          description: `cpio (${kind === '070701' ? 'newc' : 'crc'}), first entry "${text(name, 0, nameSize - 1)}"`,
          length,
          supported: true,
        };
      }
      if (kind === '070707') {
        if (b.length < 76 || !/^[0-7]{70}$/.test(text(b, 6, 76))) return undefined;
        const nameSize = parseInt(text(b, 59, 65), 8);
        if (nameSize < 2 || nameSize > 4096) return undefined;
        const name = at(start + 76, nameSize);
        if (name.length < nameSize || name[nameSize - 1] !== 0) return undefined;
        const length = 76 + nameSize + parseInt(text(b, 65, 76), 8);
        return { description: `cpio (odc), first entry "${text(name, 0, nameSize - 1)}"`, length, supported: true };
      }
      return undefined;
    }
    case 'tar': {
      if (start < 0) return undefined;
      const b = at(start, 512);
      if (b.length < 512) return undefined;
      const field = text(b, 148, 156)
        .replace(/[\0 ]+$/, '')
        .trim();
      if (!/^[0-7]{1,7}$/.test(field)) return undefined;
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (b[i] as number);
      if (sum !== parseInt(field, 8)) return undefined;
      return {
        description: `tar (${text(b, 257, 262) === 'ustar' && b[262] === 0x20 ? 'gnu' : 'ustar'}), first entry "${cstr(b, 0, 100)}"`,
        supported: true,
      };
    }
    case 'zip': {
      const b = at(start, 30);
      if (b.length < 30) return undefined;
      const version = le16(b, 4);
      const method = le16(b, 8);
      const nameLength = le16(b, 26);
      if (version > 100 || ![0, 1, 6, 8, 9, 12, 14, 93, 95, 98, 99].includes(method) || nameLength === 0 || nameLength > 1024)
        return undefined;
      const name = at(start + 30, nameLength);
      if (name.length < nameLength || name.includes(0)) return undefined;
      return { description: `zip, first entry "${text(name, 0, nameLength)}"`, supported: true };
    }
    case 'gzip': {
      const b = at(start, 10 + 256);
      if (b.length < 18) return undefined;
      const flags = b[3] as number;
      const xfl = b[8] as number;
      const os = b[9] as number;
      if (flags & 0xe0 || (xfl !== 0 && xfl !== 2 && xfl !== 4) || (os > 13 && os !== 255)) return undefined;
      const name = flags & 0x08 && !(flags & 0x04) ? ` "${cstr(b, 10, 200)}"` : '';
      return { description: `gzip${name}`, supported: true };
    }
    case 'xz': {
      const b = at(start, 12);
      if (b.length < 12 || b[6] !== 0 || (b[7] as number) > 0x0f) return undefined;
      if (crc32(b.subarray(6, 8)) !== le32(b, 8)) return undefined;
      return { description: 'xz', supported: true };
    }
    case 'zstd': {
      const b = at(start, 6);
      if (b.length < 6 || (b[4] as number) & 0x08) return undefined;
      const singleSegment = ((b[4] as number) & 0x20) !== 0;
      if (!singleSegment && (b[5] as number) >> 3 > 31) return undefined;
      return { description: 'zstd', supported: true };
    }
    case 'bzip2': {
      const b = at(start, 10);
      if (b.length < 10 || (b[3] as number) < 0x31 || (b[3] as number) > 0x39) return undefined;
      const block = text(b, 4, 10);
      if (block !== '1AY&SY' && block !== '\x17rE8P\x90') return undefined;
      return { description: `bzip2 (${String.fromCharCode(b[3] as number)}00k blocks)`, supported: true };
    }
    case 'lzma': {
      const b = at(start, 13);
      if (b.length < 13) return undefined;
      const dict = le32(b, 1);
      const log = Math.log2(dict);
      const log2 = Math.log2(dict / 3) + 1;
      const plausibleDict = (Number.isInteger(log) && log >= 12 && log <= 30) || (Number.isInteger(log2) && log2 >= 12 && log2 <= 30);
      const sizeLo = le32(b, 5);
      const sizeHi = le32(b, 9);
      const unknownSize = sizeLo === 0xffffffff && sizeHi === 0xffffffff;
      if (!plausibleDict || (!unknownSize && (sizeHi > 0xff || (sizeHi === 0 && sizeLo === 0)))) return undefined;
      const size = unknownSize ? 'unknown size' : `${sizeHi * 0x100000000 + sizeLo} bytes uncompressed`;
      return { description: `lzma (dictionary ${dict}, ${size})`, supported: true };
    }
    case 'uimage': {
      const b = at(start, UIMAGE_HEADER_SIZE);
      let h;
      try {
        h = parseUImageHeader(b);
      } catch (error) {
        if (error instanceof ImageReadError) return undefined;
        throw error;
      }
      if (!h.headerCrcValid) return undefined;
      const length = UIMAGE_HEADER_SIZE + h.dataSize;
      const truncated = length > left ? ', truncated' : '';
      return {
        description: `uImage ${h.osName} ${h.archName} ${h.typeName} (${h.compressionName}) "${h.name}", ${h.dataSize} bytes of data${truncated}`,
        length,
        supported: true,
      };
    }
    case 'fdt': {
      const b = at(start, 40);
      let h;
      try {
        h = parseFdtHeader(b, left);
      } catch (error) {
        if (error instanceof ImageReadError) return undefined;
        throw error;
      }
      // A FIT has an /images node: its name appears near the start of the structure block.
      const head = at(start + h.offStruct, Math.min(h.sizeStruct, 64 << 10));
      const isFit = Buffer.from(head.buffer, head.byteOffset, head.length).includes('\0\0\0\x01images\0', 0, 'latin1');
      return {
        description: `${isFit ? 'FIT image' : 'flattened device tree'} (version ${h.version}), ${h.totalSize} bytes`,
        length: h.totalSize,
        supported: true,
      };
    }
    case 'ubi': {
      const b = at(start, 64);
      if (b.length < 64 || b[4] !== 1 || crc32Raw(b.subarray(0, 60), 0xffffffff) !== be32(b, 60)) return undefined;
      // The PEB size, and so the length, is worked out when a run of these headers starts (findSignatures).
      return { description: 'UBI', supported: true };
    }
    case 'jffs2': {
      const b = at(start, 12);
      if (b.length < 12) return undefined;
      const little = b[0] === 0x85;
      const nodeType = little ? le16(b, 2) : be16(b, 2);
      const totalLength = little ? le32(b, 4) : be32(b, 4);
      const headerCrc = little ? le32(b, 8) : be32(b, 8);
      if (![0xe001, 0xe002, 0x2003, 0x2004, 0x2006, 0xe008, 0xe009].includes(nodeType) || totalLength < 12) return undefined;
      if (crc32Raw(b.subarray(0, 8), 0) !== headerCrc) return undefined;
      return { description: `JFFS2 (${little ? 'little' : 'big'}-endian)`, length: totalLength, supported: true };
    }
    case 'elf': {
      const b = at(start, 20);
      if (b.length < 20 || (b[4] !== 1 && b[4] !== 2) || (b[5] !== 1 && b[5] !== 2) || b[6] !== 1) return undefined;
      const machine = b[5] === 1 ? le16(b, 18) : be16(b, 18);
      return { description: `ELF ${b[4] === 1 ? 32 : 64}-bit ${b[5] === 1 ? 'LSB' : 'MSB'}, machine ${machine}`, supported: false };
    }
    case 'pe': {
      const b = at(start, 64);
      if (b.length < 64) return undefined;
      const lfanew = le32(b, 0x3c);
      if (lfanew < 64 || lfanew > 4096) return undefined;
      const pe = at(start + lfanew, 6);
      if (pe.length < 6 || text(pe, 0, 4) !== 'PE\0\0') return undefined;
      return { description: `PE executable, machine 0x${le16(pe, 4).toString(16)}`, supported: false };
    }
  }
}

/**
 * Scans `size` bytes read through `read` for known signatures. `source` names the file in descriptions of
 * problems; the scan reads `chunkSize` bytes at a time plus a few of overlap, and small headers around each hit.
 */
export function findSignatures(source: string, size: number, read: ReadAt, options: SignatureOptions = {}): Signature[] {
  const chunkSize = Math.max(4096, options.chunkSize ?? 4 << 20);
  const maxResults = options.maxResults ?? 10_000;
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`findSignatures(${source}): bad size ${size}`);
  const results: Signature[] = [];
  /**
   * The last run of UBI or JFFS2 headers, extended while further headers follow: `last` is where the last
   * JFFS2 node ended, or the last UBI PEB started; `unit` is the UBI PEB size.
   */
  const runs = new Map<SignatureType, { result: Signature; last: number; unit?: number }>();

  for (let chunkStart = 0; chunkStart < size && results.length < maxResults; chunkStart += chunkSize) {
    const chunk = read(chunkStart, Math.min(chunkSize + OVERLAP, size - chunkStart));
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const at = (position: number, length: number): Uint8Array => {
      if (position < 0) return new Uint8Array(0);
      const rel = position - chunkStart;
      if (rel >= 0 && rel + length <= chunk.length) return chunk.subarray(rel, rel + length);
      return read(position, Math.max(0, Math.min(length, size - position)));
    };
    const hits: Array<{ offset: number; type: SignatureType }> = [];
    for (const magic of MAGICS) {
      for (let i = buf.indexOf(magic.bytes); i >= 0 && i < chunkSize; i = buf.indexOf(magic.bytes, i + 1)) {
        const offset = chunkStart + i - magic.at;
        if (offset >= 0) hits.push({ offset, type: magic.type });
      }
    }
    hits.sort((a, b) => a.offset - b.offset);
    for (const hit of hits) {
      if (results.length >= maxResults) break;
      const found = validate(hit.type, hit.offset, size, at);
      if (!found) continue;
      if (hit.type === 'cpio') {
        // The entries of one archive follow each other: the archive is reported once, and grows.
        const run = runs.get('cpio');
        if (run && run.result.length !== undefined && hit.offset === run.result.offset + run.result.length) {
          run.result.length += found.length ?? 0;
          continue;
        }
      }
      if (hit.type === 'jffs2') {
        // Nodes of one JFFS2 follow each other, with erased flash between them (an erase block at most, on NOR,
        // where every erased block starts with a cleanmarker node).
        const run = runs.get('jffs2');
        if (run && hit.offset < run.last) continue; // in the data of the run's last node
        if (run && hit.offset - run.last <= 1 << 20) {
          run.last = hit.offset + (found.length ?? 12);
          run.result.length = run.last - run.result.offset;
          continue;
        }
      }
      if (hit.type === 'ubi') {
        // The PEBs of one UBI image are on one grid; a few may be erased or bad.
        const run = runs.get('ubi');
        const unit = run?.unit ?? 0;
        if (run && unit > 0) {
          const onGrid = (hit.offset - run.result.offset) % unit === 0;
          if (!onGrid && hit.offset < run.last + unit) continue; // in the data of one of its PEBs
          if (onGrid && hit.offset - run.last <= Math.max(1 << 20, 4 * unit)) {
            run.last = hit.offset;
            run.result.length = hit.offset - run.result.offset + unit;
            continue;
          }
        }
      }
      const result: Signature = { offset: hit.offset, type: hit.type, ...found };
      if (hit.type === 'fdt' && found.description.startsWith('FIT')) result.type = 'fit';
      if (hit.type === 'cpio') runs.set('cpio', { result, last: hit.offset });
      if (hit.type === 'jffs2') runs.set('jffs2', { result, last: hit.offset + (found.length ?? 12) });
      if (hit.type === 'ubi') {
        const unit = detectPebSize(at, size, hit.offset);
        result.length = unit ?? 64;
        result.description = unit ? `UBI (${unit / 1024} KiB PEBs)` : 'UBI erase counter header (the PEB size cannot be told; not opened)';
        result.supported = unit !== undefined;
        runs.set('ubi', { result, last: hit.offset, ...(unit ? { unit } : {}) });
      }
      results.push(result);
    }
  }
  results.sort((a, b) => a.offset - b.offset || a.type.localeCompare(b.type));
  const containers: Signature[] = [];
  for (const r of results) {
    const outer = containers.find(
      (c) =>
        c !== r &&
        c.length !== undefined &&
        r.offset >= c.offset &&
        r.offset < c.offset + c.length &&
        !(r.offset === c.offset && r.type === c.type),
    );
    if (outer && outer.offset !== r.offset) r.inside = outer.offset;
    if (r.length !== undefined) containers.push(r);
  }
  return results;
}
