// U-Boot legacy images ("uImage", include/image.h): a 64-byte big-endian header with two CRC32s, then the
// payload (optionally compressed), or for type 'multi' a zero-terminated list of sizes and the images one
// after another, each padded to 4 bytes.
import { crc32 } from 'node:zlib';
import { type Codec, decompress } from '../compression/index.ts';
import { ImageReadError } from '../image-fs.ts';

export const UIMAGE_MAGIC = 0x27051956;
export const UIMAGE_HEADER_SIZE = 64;

/** Reads up to `length` bytes at `position` (shorter only at the end of the source). */
export type ReadAt = (position: number, length: number) => Uint8Array;

const OS: Record<number, string> = {
  1: 'openbsd',
  2: 'netbsd',
  3: 'freebsd',
  5: 'linux',
  8: 'solaris',
  14: 'vxworks',
  16: 'qnx',
  17: 'u-boot',
  18: 'rtems',
  20: 'integrity',
  21: 'ose',
  23: 'arm-trusted-firmware',
  24: 'tee',
  25: 'opensbi',
  26: 'efi',
};
const ARCH: Record<number, string> = {
  1: 'alpha',
  2: 'arm',
  3: 'x86',
  4: 'ia64',
  5: 'mips',
  6: 'mips64',
  7: 'powerpc',
  8: 's390',
  9: 'sh',
  10: 'sparc',
  11: 'sparc64',
  12: 'm68k',
  14: 'microblaze',
  15: 'nios2',
  16: 'blackfin',
  17: 'avr32',
  18: 'st200',
  19: 'sandbox',
  20: 'nds32',
  21: 'openrisc',
  22: 'arm64',
  23: 'arc',
  24: 'x86_64',
  25: 'xtensa',
  26: 'riscv',
};
const TYPE: Record<number, string> = {
  1: 'standalone',
  2: 'kernel',
  3: 'ramdisk',
  4: 'multi',
  5: 'firmware',
  6: 'script',
  7: 'filesystem',
  8: 'flat_dt',
  14: 'kernel_noload',
  17: 'firmware_ivt',
  19: 'fpga',
  25: 'tee',
};
const COMPRESSION: Record<number, { name: string; codec?: Codec }> = {
  0: { name: 'none' },
  1: { name: 'gzip', codec: 'gzip' },
  2: { name: 'bzip2', codec: 'bzip2' },
  3: { name: 'lzma', codec: 'lzma' },
  4: { name: 'lzo', codec: 'lzop' },
  5: { name: 'lz4', codec: 'lz4-frame' },
  6: { name: 'zstd', codec: 'zstd' },
};

export interface UImageHeader {
  headerCrc: number;
  headerCrcValid: boolean;
  time: number;
  /** Bytes of payload after the header. */
  dataSize: number;
  load: number;
  entry: number;
  dataCrc: number;
  os: number;
  osName: string;
  arch: number;
  archName: string;
  type: number;
  typeName: string;
  compression: number;
  compressionName: string;
  name: string;
}

export interface UImage {
  offset: number;
  header: UImageHeader;
  /** Whether the payload is all there and its CRC32 matches; undefined when it was not checked. */
  dataCrcValid: boolean | undefined;
  /** The image's total length (header + payload). */
  length: number;
  /** For type 'multi': where each part's (still compressed) data starts, relative to the file, and its size. */
  parts: Array<{ offset: number; size: number }>;
  problems: string[];
}

function be32(b: Uint8Array, i: number): number {
  return (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;
}

const latin1 = new TextDecoder('latin1');

/** Parses and checks a 64-byte uImage header; throws ImageReadError when the magic or its CRC is wrong. */
export function parseUImageHeader(h: Uint8Array): UImageHeader {
  if (h.length < UIMAGE_HEADER_SIZE) throw new ImageReadError(`uImage: header truncated (${h.length} of 64 bytes)`);
  if (be32(h, 0) !== UIMAGE_MAGIC) throw new ImageReadError('uImage: bad magic');
  const headerCrc = be32(h, 4);
  // A copy: h may be a Buffer, whose slice() is a view of the caller's memory.
  const copy = new Uint8Array(h.subarray(0, UIMAGE_HEADER_SIZE));
  copy.fill(0, 4, 8);
  const os = h[28] as number;
  const arch = h[29] as number;
  const type = h[30] as number;
  const compression = h[31] as number;
  return {
    headerCrc,
    headerCrcValid: crc32(copy) === headerCrc,
    time: be32(h, 8),
    dataSize: be32(h, 12),
    load: be32(h, 16),
    entry: be32(h, 20),
    dataCrc: be32(h, 24),
    os,
    osName: OS[os] ?? `os ${os}`,
    arch,
    archName: ARCH[arch] ?? `arch ${arch}`,
    type,
    typeName: TYPE[type] ?? `type ${type}`,
    compression,
    compressionName: COMPRESSION[compression]?.name ?? `compression ${compression}`,
    name: latin1.decode(h.subarray(32, 64)).replace(/\0.*$/s, ''),
  };
}

export interface UImageOptions {
  /** Verify the data CRC (reads the whole payload, in chunks). Default true. */
  verifyData?: boolean;
}

/**
 * Reads the uImage at `offset` of a source of `size` bytes: header (its CRC must match, or ImageReadError),
 * data CRC, and for multi-file images the parts. Problems (a truncated payload, a wrong data CRC) are listed.
 */
export function readUImage(read: ReadAt, size: number, offset: number, options: UImageOptions = {}): UImage {
  const header = parseUImageHeader(read(offset, UIMAGE_HEADER_SIZE));
  if (!header.headerCrcValid) throw new ImageReadError(`uImage at ${offset}: header CRC mismatch`);
  const problems: string[] = [];
  const dataStart = offset + UIMAGE_HEADER_SIZE;
  const available = Math.max(0, size - dataStart);
  let dataCrcValid: boolean | undefined;
  if (header.dataSize > available) {
    problems.push(`payload truncated: the header says ${header.dataSize} bytes, ${available} follow`);
    dataCrcValid = false;
  } else if (options.verifyData !== false) {
    let crc = 0;
    for (let done = 0; done < header.dataSize;) {
      const chunk = read(dataStart + done, Math.min(8 << 20, header.dataSize - done));
      if (chunk.length === 0) break;
      crc = crc32(chunk, crc);
      done += chunk.length;
    }
    dataCrcValid = crc === header.dataCrc;
    if (!dataCrcValid) problems.push('data CRC mismatch');
  }
  const parts: Array<{ offset: number; size: number }> = [];
  if (header.type === 4 && header.dataSize <= available) {
    const sizes: number[] = [];
    for (let i = 0; i < 256; i++) {
      const word = read(dataStart + i * 4, 4);
      if (word.length < 4) break;
      const n = be32(word, 0);
      if (n === 0) break;
      sizes.push(n);
    }
    let at = dataStart + (sizes.length + 1) * 4;
    for (const n of sizes) {
      if (at + n > dataStart + header.dataSize) {
        problems.push(`multi-file part of ${n} bytes runs past the payload`);
        break;
      }
      parts.push({ offset: at, size: n });
      at += (n + 3) & ~3;
    }
  }
  return { offset, header, dataCrcValid, length: UIMAGE_HEADER_SIZE + header.dataSize, parts, problems };
}

/**
 * The payload of a uImage (or of one part of a multi-file image), decompressed as the header says, at most
 * maxOutput bytes; throws ImageReadError when it cannot be.
 */
export function uImagePayload(read: ReadAt, image: UImage, maxOutput: number, part?: number): Uint8Array {
  const where = part === undefined ? { offset: image.offset + UIMAGE_HEADER_SIZE, size: image.header.dataSize } : image.parts[part];
  if (!where) throw new ImageReadError(`uImage at ${image.offset}: no part ${String(part)}`);
  const compression = COMPRESSION[image.header.compression];
  if (!compression) throw new ImageReadError(`uImage at ${image.offset}: unknown compression ${image.header.compression}`);
  // A multi-file image's parts are stored as they are; the header's compression names the kernel's.
  const codec = image.header.type === 4 && part !== undefined && part > 0 ? undefined : compression.codec;
  const limit = codec ? where.size : Math.min(where.size, maxOutput);
  const data = read(where.offset, limit);
  if (data.length < limit) throw new ImageReadError(`uImage at ${image.offset}: payload truncated`);
  return codec ? decompress(codec, data, maxOutput) : data;
}
