// Squashfs 4.0 on-disk constants and the superblock (little-endian, 96 bytes at the start of the image).
// Every table position in it is relative to the start of the filesystem, which is `offset` in the file.
import type { Codec } from '../compression/index.ts';
import { ImageReadError } from '../image-fs.ts';

export const SUPERBLOCK_SIZE = 96;
export const MAGIC = 0x73717368; // "hsqs"
export const MAGIC_BIG_ENDIAN = 0x68737173; // "sqsh": squashfs 1.x-3.x big-endian images
export const METADATA_SIZE = 8192;
export const NO_FRAGMENT = 0xffffffff;
export const NO_TABLE = 2 ** 64 - 1;

export const FLAG_NO_FRAGMENTS = 0x0010;
export const FLAG_COMPRESSOR_OPTIONS = 0x0400;

export const INODE = {
  dir: 1,
  file: 2,
  symlink: 3,
  blockDevice: 4,
  charDevice: 5,
  fifo: 6,
  socket: 7,
  longDir: 8,
  longFile: 9,
  longSymlink: 10,
  longBlockDevice: 11,
  longCharDevice: 12,
  longFifo: 13,
  longSocket: 14,
} as const;

export const COMPRESSORS: ReadonlyMap<number, { name: string; codec: Codec }> = new Map([
  [1, { name: 'gzip', codec: 'zlib' }],
  [2, { name: 'lzma', codec: 'lzma' }],
  [3, { name: 'lzo', codec: 'lzo' }],
  [4, { name: 'xz', codec: 'xz' }],
  [5, { name: 'lz4', codec: 'lz4' }],
  [6, { name: 'zstd', codec: 'zstd' }],
]);

export interface Superblock {
  inodeCount: number;
  mtime: number;
  blockSize: number;
  fragmentCount: number;
  compressorId: number;
  blockLog: number;
  flags: number;
  idCount: number;
  versionMajor: number;
  versionMinor: number;
  rootInode: { block: number; offset: number };
  bytesUsed: number;
  idTable: number;
  xattrTable: number;
  inodeTable: number;
  directoryTable: number;
  fragmentTable: number;
  exportTable: number;
}

/** A 64-bit little-endian field as a number; past 2^53 (only "no table", all ones, is legitimate) as NO_TABLE. */
export function u64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  if (hi >= 0x200000) return NO_TABLE;
  return hi * 0x100000000 + lo;
}

export function parseSuperblock(bytes: Uint8Array): Superblock {
  if (bytes.length < SUPERBLOCK_SIZE) throw new ImageReadError(`squashfs: image too short for a superblock (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, SUPERBLOCK_SIZE);
  const magic = view.getUint32(0, true);
  if (magic === MAGIC_BIG_ENDIAN) throw new ImageReadError('squashfs: big-endian image (squashfs 3.x or older) is not supported');
  if (magic !== MAGIC) throw new ImageReadError('squashfs: bad magic (not a squashfs image)');
  const versionMajor = view.getUint16(28, true);
  const versionMinor = view.getUint16(30, true);
  if (versionMajor !== 4 || versionMinor !== 0)
    throw new ImageReadError(`squashfs: version ${versionMajor}.${versionMinor} is not supported (only 4.0)`);
  const blockSize = view.getUint32(12, true);
  const blockLog = view.getUint16(22, true);
  if (blockSize < 4096 || blockSize > 1 << 20 || (blockSize & (blockSize - 1)) !== 0 || 1 << blockLog !== blockSize)
    throw new ImageReadError(`squashfs: invalid block size ${blockSize} (log ${blockLog})`);
  const rootRef = u64(view, 32);
  return {
    inodeCount: view.getUint32(4, true),
    mtime: view.getUint32(8, true),
    blockSize,
    fragmentCount: view.getUint32(16, true),
    compressorId: view.getUint16(20, true),
    blockLog,
    flags: view.getUint16(24, true),
    idCount: view.getUint16(26, true),
    versionMajor,
    versionMinor,
    rootInode: { block: Math.floor(rootRef / 65536), offset: rootRef % 65536 },
    bytesUsed: u64(view, 40),
    idTable: u64(view, 48),
    xattrTable: u64(view, 56),
    inodeTable: u64(view, 64),
    directoryTable: u64(view, 72),
    fragmentTable: u64(view, 80),
    exportTable: u64(view, 88),
  };
}
