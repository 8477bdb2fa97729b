// UBIFS on-disk layout (after the kernel's fs/ubifs/ubifs-media.h), all little-endian. Every node starts with
// a 24-byte common header (magic 0x06101831, CRC-32 seeded with ~0 over the rest of the node, sequence
// number, length, node type); nodes never cross a LEB. The superblock is at LEB 0, the master node (the root
// of the index among others) in LEBs 1 and 2, the log from LEB 3; the index is a B+tree of index nodes whose
// leaves are inode, directory entry and data nodes, ordered by 8-byte keys (inode number, then the key type
// in the top 3 bits of the second word and a name hash or block number below).
import { ImageReadError } from '../image-fs.ts';
import { crc32Raw } from '../jffs2/format.ts';

export const NODE_MAGIC = 0x06101831;
export const COMMON_HEADER_SIZE = 24;
export const SB_NODE_SIZE = 4096;
export const MST_NODE_SIZE = 512;
export const INO_NODE_SIZE = 160;
export const DENT_NODE_SIZE = 56;
export const DATA_NODE_SIZE = 48;
export const IDX_NODE_SIZE = 28;
export const PAD_NODE_SIZE = 28;
export const BLOCK_SIZE = 4096;
/** The largest data an inode node carries (a symlink's target, a device number). */
export const MAX_INO_DATA = 4096;
export const MAX_NAME = 255;
export const MAX_LEVELS = 512;
export const ROOT_INO = 1;
export const SB_LNUM = 0;
export const MST_LNUM = 1;

export const NODE = {
  ino: 0,
  data: 1,
  dent: 2,
  xent: 3,
  trun: 4,
  pad: 5,
  sb: 6,
  mst: 7,
  ref: 8,
  idx: 9,
  cs: 10,
  orph: 11,
  auth: 12,
  sig: 13,
} as const;

export const KEY = { ino: 0, data: 1, dent: 2, xent: 3 } as const;

export const COMPR_NAMES: Record<number, string> = { 0: 'none', 1: 'lzo', 2: 'zlib', 3: 'zstd' };

export const SB_FLAG = { bigLpt: 0x02, spaceFixup: 0x04, doubleHash: 0x08, encryption: 0x10, authentication: 0x20 } as const;
export const INODE_FLAG_CRYPT = 0x40;

export function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

export function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

/** A 64-bit count as a number; beyond 2^53 it is refused (no real size or inode number is that large). */
export function u64(b: Uint8Array, i: number, what: string): number {
  const hi = u32(b, i + 4);
  if (hi >= 0x200000) throw new ImageReadError(`${what} is beyond 2^53`);
  return hi * 0x100000000 + u32(b, i);
}

export function comprName(type: number): string {
  return COMPR_NAMES[type] ?? `unknown compressor ${type}`;
}

export interface CommonHeader {
  sqnum: number;
  length: number;
  nodeType: number;
}

/** The common header of b, without checking the CRC (which needs the whole node). */
export function parseCommonHeader(b: Uint8Array): CommonHeader | undefined {
  if (b.length < COMMON_HEADER_SIZE || u32(b, 0) !== NODE_MAGIC) return undefined;
  const hi = u32(b, 12);
  return { sqnum: hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + u32(b, 8), length: u32(b, 16), nodeType: b[20] as number };
}

/** Whether the whole node in b (its length as the header says) matches its CRC. */
export function nodeCrcValid(b: Uint8Array, length: number): boolean {
  return length >= COMMON_HEADER_SIZE && length <= b.length && crc32Raw(b.subarray(8, length), 0xffffffff) === u32(b, 4);
}

export interface Superblock {
  keyHash: number;
  keyFormat: number;
  flags: number;
  minIoSize: number;
  lebSize: number;
  lebCount: number;
  maxLebCount: number;
  logLebs: number;
  lptLebs: number;
  orphLebs: number;
  fanout: number;
  formatVersion: number;
  defaultCompressor: number;
  roCompatVersion: number;
}

export function parseSuperblock(b: Uint8Array): Superblock {
  if (b.length < SB_NODE_SIZE) throw new ImageReadError('ubifs: superblock node truncated');
  const sb: Superblock = {
    keyHash: b[26] as number,
    keyFormat: b[27] as number,
    flags: u32(b, 28),
    minIoSize: u32(b, 32),
    lebSize: u32(b, 36),
    lebCount: u32(b, 40),
    maxLebCount: u32(b, 44),
    logLebs: u32(b, 56),
    lptLebs: u32(b, 60),
    orphLebs: u32(b, 64),
    fanout: u32(b, 72),
    formatVersion: u32(b, 80),
    defaultCompressor: u16(b, 84),
    roCompatVersion: u32(b, 124),
  };
  // Sanity limits: the kernel takes LEBs of 15 KiB to 2 MiB (16 MiB are allowed here, for large NAND pages).
  if (sb.lebSize < 15 * 1024 || sb.lebSize > 16 << 20) throw new ImageReadError(`ubifs: LEB size ${sb.lebSize} out of range`);
  if (sb.minIoSize < 1 || sb.minIoSize > sb.lebSize || (sb.minIoSize & (sb.minIoSize - 1)) !== 0)
    throw new ImageReadError(`ubifs: minimum I/O size ${sb.minIoSize} is not a power of two below the LEB size`);
  if (sb.lebCount < 3 || sb.lebCount > 1 << 24) throw new ImageReadError(`ubifs: LEB count ${sb.lebCount} out of range`);
  return sb;
}

export interface Master {
  sqnum: number;
  highestInum: number;
  commitNumber: number;
  flags: number;
  logLnum: number;
  rootLnum: number;
  rootOffs: number;
  rootLen: number;
  indexSize: number;
}

export function parseMaster(b: Uint8Array, sqnum: number): Master {
  if (b.length < MST_NODE_SIZE) throw new ImageReadError('ubifs: master node truncated');
  return {
    sqnum,
    highestInum: u64(b, 24, 'highest inode number'),
    commitNumber: u64(b, 32, 'commit number'),
    flags: u32(b, 40),
    logLnum: u32(b, 44),
    rootLnum: u32(b, 48),
    rootOffs: u32(b, 52),
    rootLen: u32(b, 56),
    indexSize: u64(b, 72, 'index size'),
  };
}

export interface Key {
  inum: number;
  type: number;
  /** The name hash (entries) or block number (data). */
  value: number;
}

export function parseKey(b: Uint8Array, at: number): Key {
  const second = u32(b, at + 4);
  return { inum: u32(b, at), type: second >>> 29, value: second & 0x1fffffff };
}

export interface Branch {
  lnum: number;
  offs: number;
  len: number;
  key: Key;
}

export interface IndexNode {
  level: number;
  branches: Branch[];
}

/** An index node (whole, CRC checked by the caller). Branches are 20 bytes, more with authentication hashes. */
export function parseIndexNode(b: Uint8Array, length: number): IndexNode {
  if (length < IDX_NODE_SIZE) throw new ImageReadError('index node too short');
  const count = u16(b, 24);
  const level = u16(b, 26);
  if (count === 0) throw new ImageReadError('index node with no branches');
  const branchSize = (length - IDX_NODE_SIZE) / count;
  if (!Number.isInteger(branchSize) || branchSize < 20 || branchSize > 20 + 64)
    throw new ImageReadError(`index node of ${length} bytes cannot hold ${count} branches`);
  if (level >= MAX_LEVELS) throw new ImageReadError(`index node of level ${level} (more than ${MAX_LEVELS - 1})`);
  const branches: Branch[] = [];
  for (let i = 0; i < count; i++) {
    const at = IDX_NODE_SIZE + i * branchSize;
    branches.push({ lnum: u32(b, at), offs: u32(b, at + 4), len: u32(b, at + 8), key: parseKey(b, at + 12) });
  }
  return { level, branches };
}

export interface InodeNode {
  key: Key;
  size: number;
  mtime: number;
  nlink: number;
  uid: number;
  gid: number;
  mode: number;
  flags: number;
  dataLength: number;
  /** A symlink's target or a device's number. */
  data: Uint8Array;
}

export function parseInodeNode(b: Uint8Array, length: number): InodeNode {
  if (length < INO_NODE_SIZE) throw new ImageReadError('inode node too short');
  const dataLength = u32(b, 112);
  if (dataLength > MAX_INO_DATA || INO_NODE_SIZE + dataLength > length)
    throw new ImageReadError(`inode node data of ${dataLength} bytes does not fit its node`);
  return {
    key: parseKey(b, 24),
    size: u64(b, 48, 'file size'),
    mtime: u64(b, 72, 'modification time'),
    nlink: u32(b, 92),
    uid: u32(b, 96),
    gid: u32(b, 100),
    mode: u32(b, 104),
    flags: u32(b, 108),
    dataLength,
    data: b.subarray(INO_NODE_SIZE, INO_NODE_SIZE + dataLength),
  };
}

export interface DentNode {
  key: Key;
  inum: number;
  type: number;
  name: Uint8Array;
}

export function parseDentNode(b: Uint8Array, length: number): DentNode {
  if (length < DENT_NODE_SIZE) throw new ImageReadError('directory entry node too short');
  const nameLength = u16(b, 50);
  if (nameLength > MAX_NAME || DENT_NODE_SIZE + nameLength > length)
    throw new ImageReadError(`directory entry name of ${nameLength} bytes does not fit its node`);
  return {
    key: parseKey(b, 24),
    inum: u64(b, 40, 'inode number'),
    type: b[49] as number,
    name: b.subarray(DENT_NODE_SIZE, DENT_NODE_SIZE + nameLength),
  };
}

export interface DataNode {
  key: Key;
  /** Uncompressed bytes. */
  size: number;
  compressor: number;
  /** Compressed bytes of an encrypted block (0 otherwise). */
  comprSize: number;
  data: Uint8Array;
}

export function parseDataNode(b: Uint8Array, length: number): DataNode {
  if (length < DATA_NODE_SIZE) throw new ImageReadError('data node too short');
  const size = u32(b, 40);
  if (size > BLOCK_SIZE) throw new ImageReadError(`data node of ${size} bytes (a block is ${BLOCK_SIZE})`);
  return { key: parseKey(b, 24), size, compressor: u16(b, 44), comprSize: u16(b, 46), data: b.subarray(DATA_NODE_SIZE, length) };
}
