// JFFS2 on-disk layout (after the kernel's include/uapi/linux/jffs2.h): a log of nodes, each 4-byte aligned,
// with a 12-byte common header (magic 0x1985, node type, total length, header CRC) in the byte order of the
// machine that wrote it. Erased flash (0xff) lies between nodes and at the end of erase blocks.
import { crc32 } from 'node:zlib';
import { ImageReadError } from '../image-fs.ts';

export const MAGIC = 0x1985;
/** The magic of JFFS2 images older than Linux 2.4.10, which no kernel mounts any more. */
export const OLD_MAGIC = 0x1984;
export const HEADER_SIZE = 12;
export const DIRENT_SIZE = 40;
export const INODE_SIZE = 68;

/** Set in every node type that is still valid; the kernel clears it in place to obsolete a node. */
export const NODE_ACCURATE = 0x2000;
export const COMPAT_MASK = 0xc000;
export const FEATURE_INCOMPAT = 0xc000;

export const NODETYPE = {
  dirent: 0xe001,
  inode: 0xe002,
  cleanmarker: 0x2003,
  padding: 0x2004,
  summary: 0x2006,
  xattr: 0xe008,
  xref: 0xe009,
} as const;

export const COMPR = {
  none: 0x00,
  zero: 0x01,
  rtime: 0x02,
  rubinmips: 0x03,
  copy: 0x04,
  dynrubin: 0x05,
  zlib: 0x06,
  lzo: 0x07,
  /** OpenWrt's out-of-tree LZMA compressor. */
  lzma: 0x08,
} as const;

export const COMPR_NAMES: Record<number, string> = {
  0: 'none',
  1: 'zero',
  2: 'rtime',
  3: 'rubinmips',
  4: 'copy',
  5: 'dynrubin',
  6: 'zlib',
  7: 'lzo',
  8: 'lzma',
};

export function comprName(compr: number): string {
  return COMPR_NAMES[compr] ?? `unknown compressor ${compr}`;
}

/** Linux's crc32_le with a seed and no final inversion, as JFFS2 (seed 0) and UBI (seed ~0) compute it. */
export function crc32Raw(data: Uint8Array, seed: number): number {
  return ~crc32(data, ~seed >>> 0) >>> 0;
}

/** Reads unsigned integers in one byte order. */
export interface Endian {
  little: boolean;
  u16(b: Uint8Array, i: number): number;
  u32(b: Uint8Array, i: number): number;
}

export const LITTLE: Endian = {
  little: true,
  u16: (b, i) => (b[i] as number) | ((b[i + 1] as number) << 8),
  u32: (b, i) => ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0,
};

export const BIG: Endian = {
  little: false,
  u16: (b, i) => ((b[i] as number) << 8) | (b[i + 1] as number),
  u32: (b, i) => (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0,
};

export interface NodeHeader {
  magic: number;
  nodeType: number;
  totalLength: number;
  /** Whether the stored header CRC matches the first 8 bytes. */
  crcValid: boolean;
}

/**
 * The common header of the node at b[0..12) in byte order `e`. The header CRC is checked as the kernel
 * checks it, with the ACCURATE bit set: obsoleting a node clears that bit in place (flash bits only go
 * from 1 to 0) and leaves the CRC as written.
 */
export function parseNodeHeader(b: Uint8Array, e: Endian): NodeHeader {
  if (b.length < HEADER_SIZE) throw new ImageReadError('jffs2: node header truncated');
  const nodeType = e.u16(b, 2);
  const written = new Uint8Array(b.subarray(0, 8));
  written[e.little ? 3 : 2] = (written[e.little ? 3 : 2] as number) | (NODE_ACCURATE >> 8);
  return { magic: e.u16(b, 0), nodeType, totalLength: e.u32(b, 4), crcValid: crc32Raw(written, 0) === e.u32(b, 8) };
}

/**
 * The byte order of a node header at b[0..12), when it is one with a valid CRC (either magic, either order),
 * else undefined.
 */
export function headerEndian(b: Uint8Array): Endian | undefined {
  if (b.length < HEADER_SIZE) return undefined;
  for (const e of [LITTLE, BIG]) {
    const magic = e.u16(b, 0);
    if ((magic === MAGIC || magic === OLD_MAGIC) && parseNodeHeader(b, e).crcValid) return e;
  }
  return undefined;
}

export interface Dirent {
  parent: number;
  version: number;
  /** 0 when the dirent records an unlink. */
  ino: number;
  mctime: number;
  type: number;
  name: Uint8Array;
}

/**
 * A directory entry node at b (the whole node, or at least its 40-byte header and name). Throws
 * ImageReadError when the node or name CRC does not match or the name does not fit.
 */
export function parseDirent(b: Uint8Array, e: Endian, totalLength: number): Dirent {
  if (totalLength < DIRENT_SIZE || b.length < DIRENT_SIZE) throw new ImageReadError(`dirent node of ${totalLength} bytes is too short`);
  if (crc32Raw(b.subarray(0, DIRENT_SIZE - 8), 0) !== e.u32(b, 32)) throw new ImageReadError('dirent node CRC mismatch');
  const nameLength = b[28] as number;
  if (DIRENT_SIZE + nameLength > totalLength || DIRENT_SIZE + nameLength > b.length)
    throw new ImageReadError(`dirent name of ${nameLength} bytes runs past its node (${totalLength} bytes)`);
  const name = b.subarray(DIRENT_SIZE, DIRENT_SIZE + nameLength);
  if (crc32Raw(name, 0) !== e.u32(b, 36)) throw new ImageReadError('dirent name CRC mismatch');
  return { parent: e.u32(b, 12), version: e.u32(b, 16), ino: e.u32(b, 20), mctime: e.u32(b, 24), type: b[29] as number, name };
}

export interface InodeNode {
  ino: number;
  version: number;
  mode: number;
  uid: number;
  gid: number;
  /** The file's size after this node is applied. */
  isize: number;
  mtime: number;
  /** Where this node's data goes in the file. */
  offset: number;
  csize: number;
  dsize: number;
  compr: number;
  dataCrc: number;
}

/** An inode node's 68-byte header. Throws ImageReadError when its CRC does not match or csize overflows the node. */
export function parseInode(b: Uint8Array, e: Endian, totalLength: number): InodeNode {
  if (totalLength < INODE_SIZE || b.length < INODE_SIZE) throw new ImageReadError(`inode node of ${totalLength} bytes is too short`);
  if (crc32Raw(b.subarray(0, INODE_SIZE - 8), 0) !== e.u32(b, 64)) throw new ImageReadError('inode node CRC mismatch');
  const node: InodeNode = {
    ino: e.u32(b, 12),
    version: e.u32(b, 16),
    mode: e.u32(b, 20),
    uid: e.u16(b, 24),
    gid: e.u16(b, 26),
    isize: e.u32(b, 28),
    mtime: e.u32(b, 36),
    offset: e.u32(b, 44),
    csize: e.u32(b, 48),
    dsize: e.u32(b, 52),
    compr: b[56] as number,
    dataCrc: e.u32(b, 60),
  };
  if (INODE_SIZE + node.csize > totalLength)
    throw new ImageReadError(`inode node data of ${node.csize} bytes runs past its node (${totalLength} bytes)`);
  return node;
}
