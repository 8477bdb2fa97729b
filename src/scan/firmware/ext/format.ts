// On-disk layout of ext2, ext3 and ext4 (the parts a read-only lister needs), after the kernel's
// Documentation/filesystems/ext4/ and e2fsprogs' lib/ext2fs/ext2_fs.h. All fields are little-endian.
import { ImageReadError } from '../image-fs.ts';

export const SUPERBLOCK_OFFSET = 1024;
export const SUPERBLOCK_SIZE = 1024;
export const EXT_MAGIC = 0xef53;
export const ROOT_INODE = 2;

export const COMPAT = { hasJournal: 0x4, dirIndex: 0x20 } as const;
export const INCOMPAT = {
  compression: 0x1,
  filetype: 0x2,
  recover: 0x4,
  journalDev: 0x8,
  metaBg: 0x10,
  extents: 0x40,
  bit64: 0x80,
  mmp: 0x100,
  flexBg: 0x200,
  eaInode: 0x400,
  dirData: 0x1000,
  csumSeed: 0x2000,
  largeDir: 0x4000,
  inlineData: 0x8000,
  encrypt: 0x10000,
  casefold: 0x20000,
} as const;
/** Incompatible features this reader understands (or can safely ignore when reading). */
export const INCOMPAT_SUPPORTED =
  INCOMPAT.filetype |
  INCOMPAT.recover |
  INCOMPAT.extents |
  INCOMPAT.bit64 |
  INCOMPAT.mmp |
  INCOMPAT.flexBg |
  INCOMPAT.csumSeed |
  INCOMPAT.largeDir |
  INCOMPAT.inlineData |
  INCOMPAT.encrypt |
  INCOMPAT.casefold |
  INCOMPAT.eaInode;
export const RO_COMPAT = { sparseSuper: 0x1, largeFile: 0x2, hugeFile: 0x8, metadataCsum: 0x400 } as const;

export const INODE_FLAG = {
  encrypt: 0x800,
  index: 0x1000,
  hugeFile: 0x40000,
  extents: 0x80000,
  eaInode: 0x200000,
  inlineData: 0x10000000,
} as const;

export const S_IFMT = 0xf000;
export const S_IFSOCK = 0xc000;
export const S_IFLNK = 0xa000;
export const S_IFREG = 0x8000;
export const S_IFBLK = 0x6000;
export const S_IFDIR = 0x4000;
export const S_IFCHR = 0x2000;
export const S_IFIFO = 0x1000;

export function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

export function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

export interface Superblock {
  inodesCount: number;
  blocksCount: number;
  firstDataBlock: number;
  blockSize: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  mtime: number;
  revLevel: number;
  firstIno: number;
  inodeSize: number;
  featureCompat: number;
  featureIncompat: number;
  featureRoCompat: number;
  volumeName: string;
  descSize: number;
  groupCount: number;
}

const latin1 = new TextDecoder('latin1');

/** Parses and sanity-checks a superblock (the 1024 bytes at offset 1024 of the filesystem). */
export function parseSuperblock(b: Uint8Array): Superblock {
  if (b.length < SUPERBLOCK_SIZE) throw new ImageReadError(`ext: superblock truncated (${b.length} of ${SUPERBLOCK_SIZE} bytes)`);
  const magic = u16(b, 0x38);
  if (magic !== EXT_MAGIC) throw new ImageReadError(`ext: bad superblock magic 0x${magic.toString(16)} (expected 0xef53)`);
  const logBlock = u32(b, 0x18);
  if (logBlock > 6) throw new ImageReadError(`ext: implausible block size 2^(10+${logBlock})`);
  const blockSize = 1024 << logBlock;
  const featureIncompat = u32(b, 0x60);
  const is64 = (featureIncompat & INCOMPAT.bit64) !== 0;
  const blocksHi = is64 ? u32(b, 0x150) : 0;
  if (blocksHi >= 0x200000) throw new ImageReadError('ext: block count beyond 2^53');
  const blocksCount = blocksHi * 0x100000000 + u32(b, 0x4);
  const revLevel = u32(b, 0x4c);
  const inodeSize = revLevel >= 1 ? u16(b, 0x58) : 128;
  const firstIno = revLevel >= 1 ? u32(b, 0x54) : 11;
  let descSize = 32;
  if (is64) {
    descSize = u16(b, 0xfe);
    if (descSize < 64 || descSize > 1024 || (descSize & (descSize - 1)) !== 0)
      throw new ImageReadError(`ext: implausible group descriptor size ${descSize} for a 64-bit filesystem`);
  }
  const sb: Superblock = {
    inodesCount: u32(b, 0x0),
    blocksCount,
    firstDataBlock: u32(b, 0x14),
    blockSize,
    blocksPerGroup: u32(b, 0x20),
    inodesPerGroup: u32(b, 0x28),
    mtime: u32(b, 0x2c),
    revLevel,
    firstIno,
    inodeSize,
    featureCompat: u32(b, 0x5c),
    featureIncompat,
    featureRoCompat: u32(b, 0x64),
    volumeName: latin1.decode(b.subarray(0x78, 0x88)).replace(/\0.*$/s, ''),
    descSize,
    groupCount: 0,
  };
  if (sb.inodeSize < 128 || sb.inodeSize > blockSize || (sb.inodeSize & (sb.inodeSize - 1)) !== 0)
    throw new ImageReadError(`ext: implausible inode size ${sb.inodeSize}`);
  if (sb.blocksPerGroup === 0 || sb.blocksPerGroup > blockSize * 8)
    throw new ImageReadError(`ext: implausible blocks per group ${sb.blocksPerGroup}`);
  if (sb.inodesPerGroup === 0 || sb.inodesPerGroup > blockSize * 8)
    throw new ImageReadError(`ext: implausible inodes per group ${sb.inodesPerGroup}`);
  if (sb.blocksCount === 0 || sb.firstDataBlock >= sb.blocksCount)
    throw new ImageReadError(`ext: implausible block count ${sb.blocksCount} (first data block ${sb.firstDataBlock})`);
  sb.groupCount = Math.ceil((sb.blocksCount - sb.firstDataBlock) / sb.blocksPerGroup);
  if (sb.inodesCount === 0 || sb.inodesCount > sb.groupCount * sb.inodesPerGroup)
    throw new ImageReadError(`ext: implausible inode count ${sb.inodesCount} for ${sb.groupCount} groups`);
  return sb;
}

/** "ext2", "ext3" or "ext4", as blkid names them: journal makes ext3, any ext4-only feature makes ext4. */
export function extFlavour(sb: Pick<Superblock, 'featureCompat' | 'featureIncompat' | 'featureRoCompat'>): 'ext2' | 'ext3' | 'ext4' {
  const ext4Incompat = INCOMPAT.extents | INCOMPAT.bit64 | INCOMPAT.flexBg | INCOMPAT.inlineData | INCOMPAT.mmp | INCOMPAT.csumSeed;
  const ext4RoCompat = RO_COMPAT.hugeFile | RO_COMPAT.metadataCsum | 0x20 /* dir_nlink */ | 0x40; /* extra_isize */
  if (sb.featureIncompat & ext4Incompat || sb.featureRoCompat & ext4RoCompat) return 'ext4';
  return sb.featureCompat & COMPAT.hasJournal ? 'ext3' : 'ext2';
}
