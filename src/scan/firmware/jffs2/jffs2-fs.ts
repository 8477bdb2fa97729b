// A JFFS2 image (a NOR or NAND flash partition, or mkfs.jffs2 output) read in process through ImageFs.
//
// JFFS2 has no superblock and no index: it is a log of nodes. Opening scans the whole image once, in 1 MiB
// windows, skipping erased flash (0xff words) and checking every node's header CRC; it keeps, per inode,
// the positions of its inode nodes and the newest one's metadata, and per (directory, name) the newest
// directory entry node (the highest version wins; a winner that points at inode 0 records an unlink and
// removes the name). The tree is then built from the root (inode 1) by those entries. File contents are
// read on demand: a file is the union of its inode nodes' data ranges, a newer version covering an older
// one where they overlap (the kernel's fragment tree), cut to the newest node's size; ranges no node covers
// are holes (zeros). Nodes are visited newest first and only the bytes still uncovered are decompressed.
//
// What is read: both byte orders (from the first valid node), dirent and inode nodes, compression none,
// zero, rtime, zlib and lzo; regular files, directories, symlinks (the target is the newest node's data), hard
// links (several names for one inode), devices, fifos and sockets (their device numbers are not kept:
// ImageFs has no field for them). Cleanmarkers, padding and summary nodes are skipped (the summary only
// speeds up mounting); extended attribute nodes (xattr, xref) are skipped and not read.
// What is not: the rubin compressors and OpenWrt's out-of-tree lzma (a file that needs them cannot be read,
// and the error names the compressor); inode nodes whose data CRC does not match are dropped, as the kernel
// drops them, so an older version shows through, and the problem is recorded.
//
// Hostile images: a header with a bad CRC is skipped 4 bytes at a time until the next node, and the run of
// unrecognised bytes is reported (counted once past 20 reports); a node whose body CRC does not match is
// skipped whole and reported; node sizes are bounded per node type, the number of nodes in all, and the data
// one node may claim; names with '/' or NUL, '.', '..' and empty names are reported and not listed;
// directory loops (a directory reached twice) are reported and not descended; depth and entries are
// bounded. Opening throws ImageReadError only when no JFFS2 node is found at all.
import { constants as bufferConstants } from 'node:buffer';
import { type ByteSource, FileSource } from '../byte-source.ts';
import { decompress } from '../compression/index.ts';
import { entryTypeOfMode, type FsEntry, ImageReadError } from '../image-fs.ts';
import { InodeTreeFs, posixEntry } from '../inode-tree.ts';
import { Lru } from '../lru.ts';
import {
  COMPAT_MASK,
  COMPR,
  comprName,
  crc32Raw,
  DIRENT_SIZE,
  type Endian,
  FEATURE_INCOMPAT,
  HEADER_SIZE,
  headerEndian,
  INODE_SIZE,
  type InodeNode,
  MAGIC,
  NODE_ACCURATE,
  NODETYPE,
  OLD_MAGIC,
  parseDirent,
  parseInode,
  parseNodeHeader,
} from './format.ts';
import { decodeRtime } from './rtime.ts';

export interface Jffs2Options {
  /** Most entries listed; past it the listing stops with a problem. Default 1,000,000. */
  maxEntries?: number;
  /** Deepest directory level descended. Default 256. */
  maxDepth?: number;
  /** Most nodes kept from the scan (each costs memory); past it the scan stops with a problem. Default 4,000,000. */
  maxNodes?: number;
  /** Most uncompressed bytes one inode node may claim (the kernel writes at most a page). Default 1 MiB. */
  maxNodeData?: number;
}

const DEFAULTS: Required<Jffs2Options> = {
  maxEntries: 1_000_000,
  maxDepth: 256,
  maxNodes: 4_000_000,
  maxNodeData: 1 << 20,
};

/** Bytes read from the image at a time while scanning. */
const WINDOW = 1 << 20;
const MAX_SYMLINK = 65536;
/** Corrupt nodes and unrecognised regions reported one by one; past this they are counted. */
const MAX_REPORTED = 20;
/** Largest node of a type this reader does not look into (a padding or summary node spans at most an erase block). */
const MAX_OTHER_NODE = 16 << 20;
const ROOT_INO = 1;

interface InodeInfo {
  /** The newest inode node: its metadata is the inode's. */
  latest: InodeNode;
  latestPos: number;
  /** Positions of all the inode's nodes. */
  nodes: number[];
}

interface DirentInfo {
  parent: number;
  version: number;
  ino: number;
  pos: number;
  /** The name's bytes as Latin-1 (one character per byte), decoded properly when listed. */
  rawName: string;
}

/** One inode node of a file, for reading its data. */
interface DataNode {
  pos: number;
  node: InodeNode;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A node whose data does not match its CRC: dropped, as the kernel drops it. */
class DataCrcError extends ImageReadError {}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** Sequential reads through a window of the source, so the scan is not one system call per node. */
class Window {
  private readonly source: ByteSource;
  private start = 0;
  private data: Uint8Array = new Uint8Array(0);

  constructor(source: ByteSource) {
    this.source = source;
  }

  /** Up to `length` bytes at `position` (shorter at the end of the source); valid until the next call. */
  get(position: number, length: number): Uint8Array {
    const rel = position - this.start;
    if (rel >= 0 && rel + length <= this.data.length) return this.data.subarray(rel, rel + length);
    const bytes = this.source.read(position, Math.max(length, WINDOW));
    this.data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    this.start = position;
    return this.data.subarray(0, Math.min(length, this.data.length));
  }
}

/**
 * Disjoint, sorted [start, end) ranges of a file already filled by newer nodes. Nodes are applied newest
 * first, so a range once covered is final.
 */
class Coverage {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Index of the first range whose end is after `at`. */
  private firstAfter(at: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.ends[mid] as number) <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The parts of [start, end) not covered yet. */
  gaps(start: number, end: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let at = start;
    for (let i = this.firstAfter(start); i < this.starts.length && at < end; i++) {
      const s = this.starts[i] as number;
      if (s >= end) break;
      if (s > at) out.push([at, s]);
      at = Math.max(at, this.ends[i] as number);
    }
    if (at < end) out.push([at, end]);
    return out;
  }

  add(start: number, end: number): void {
    const i = this.firstAfter(start - 1);
    let j = i;
    let s = start;
    let e = end;
    while (j < this.starts.length && (this.starts[j] as number) <= end) {
      s = Math.min(s, this.starts[j] as number);
      e = Math.max(e, this.ends[j] as number);
      j++;
    }
    this.starts.splice(i, j - i, s);
    this.ends.splice(i, j - i, e);
  }

  covers(start: number, end: number): boolean {
    const i = this.firstAfter(start);
    return i < this.starts.length && (this.starts[i] as number) <= start && (this.ends[i] as number) >= end;
  }
}

/** Opens the JFFS2 image in the file at `path` (closed again by `close`). */
export function openJffs2(path: string, options: Jffs2Options = {}): Jffs2Image {
  const source = FileSource.open(path);
  try {
    return new Jffs2Image(source, options);
  } catch (error) {
    source.close();
    throw error;
  }
}

export class Jffs2Image extends InodeTreeFs<number> {
  readonly format: string;
  /** Whether the image is little-endian. */
  readonly littleEndian: boolean;
  /** Counts from the scan, for people and tests. */
  readonly stats = { nodes: 0, dirents: 0, inodeNodes: 0, obsolete: 0, corrupt: 0, xattrNodes: 0 };

  private readonly source: ByteSource;
  private readonly options: Required<Jffs2Options>;
  private readonly window: Window;
  private endian: Endian | undefined;
  private readonly inodes = new Map<number, InodeInfo>();
  private readonly dirents = new Map<string, DirentInfo>();
  private readonly compressors = new Set<number>();
  private readonly plans: Lru<number, DataNode[]>;
  private reported = 0;

  constructor(source: ByteSource, options: Jffs2Options = {}) {
    super();
    this.source = source;
    this.options = { ...DEFAULTS, ...options };
    this.window = new Window(source);
    this.plans = new Lru(1 << 20);
    this.scan();
    if (!this.endian || this.stats.nodes === 0)
      throw new ImageReadError(
        this.problems.find((p) => /0x1984/.test(p.reason))
          ? 'jffs2: only nodes with the pre-2.4.10 magic 0x1984'
          : 'jffs2: no JFFS2 node found',
      );
    this.littleEndian = this.endian.little;
    const used = [...this.compressors].filter((c) => c !== COMPR.none && c !== COMPR.zero).map(comprName);
    this.format = `jffs2 (${this.endian.little ? 'little' : 'big'}-endian${used.length ? `; ${used.join(', ')}` : ''})`;
    this.list();
  }

  close(): void {
    this.plans.clear();
    this.source.close();
  }

  protected readFile(ino: number, path: string, maxBytes: number): Uint8Array {
    return this.content(ino, path, Math.max(0, Math.min(maxBytes, bufferConstants.MAX_LENGTH)));
  }

  // --- scanning --------------------------------------------------------------------------------------

  /** A corrupt node or region: reported one by one up to a bound, then only counted. */
  private corrupt(position: number, reason: string): void {
    this.stats.corrupt++;
    if (++this.reported <= MAX_REPORTED) this.problem(`jffs2@${hex(position)}`, reason);
  }

  private scan(): void {
    const size = this.source.size;
    let pos = 0;
    let garbage = -1;
    const endGarbage = (at: number): void => {
      if (garbage < 0) return;
      this.corrupt(garbage, `${at - garbage} bytes that are neither JFFS2 nodes nor erased flash (corrupt nodes or foreign data); skipped`);
      garbage = -1;
    };
    while (pos + HEADER_SIZE <= size) {
      const b = this.window.get(pos, HEADER_SIZE);
      if (b[0] === 0xff && b[1] === 0xff && b[2] === 0xff && b[3] === 0xff) {
        endGarbage(pos);
        pos = this.skipErased(pos, size);
        continue;
      }
      const e = this.endian ?? headerEndian(b);
      const magic = e?.u16(b, 0);
      // The magic first: the CRC is only worth computing where a node may start.
      const header = e && (magic === MAGIC || magic === OLD_MAGIC) ? parseNodeHeader(b, e) : undefined;
      if (!e || !header || !header.crcValid) {
        if (garbage < 0) garbage = pos;
        pos += 4;
        continue;
      }
      const total = header.totalLength;
      if (total < HEADER_SIZE || total > size - pos || total > this.maxNodeLength(header.nodeType)) {
        if (garbage < 0) garbage = pos;
        pos += 4;
        continue;
      }
      endGarbage(pos);
      if (header.magic === OLD_MAGIC) {
        this.problem('jffs2', 'nodes with the pre-2.4.10 magic 0x1984, which no current kernel mounts; skipped');
        pos += align4(total);
        continue;
      }
      this.endian ??= e;
      if (this.stats.nodes >= this.options.maxNodes) {
        this.problem('jffs2', `scan stopped at ${hex(pos)}: more than ${this.options.maxNodes} nodes (limit)`);
        break;
      }
      this.stats.nodes++;
      this.node(pos, header.nodeType, total, e);
      pos += align4(total);
    }
    endGarbage(Math.min(pos, size));
    if (this.reported > MAX_REPORTED)
      this.problem('jffs2', `${this.reported - MAX_REPORTED} more corrupt nodes or regions, not reported one by one`);
  }

  /** The position of the first 4-byte word at or after `pos` that is not erased (all 0xff). */
  private skipErased(pos: number, size: number): number {
    let at = pos;
    while (at + 4 <= size) {
      const chunk = this.window.get(at, Math.min(WINDOW, size - at));
      let i = 0;
      while (i + 4 <= chunk.length && chunk[i] === 0xff && chunk[i + 1] === 0xff && chunk[i + 2] === 0xff && chunk[i + 3] === 0xff) i += 4;
      at += i;
      if (i + 4 <= chunk.length || chunk.length < 4) return at;
    }
    return size;
  }

  private maxNodeLength(type: number): number {
    if (type === NODETYPE.dirent) return align4(DIRENT_SIZE + 255);
    // Compressed data is at most a little larger than the data (an incompressible page is stored as is).
    if (type === NODETYPE.inode) return INODE_SIZE + this.options.maxNodeData + 4096;
    return MAX_OTHER_NODE;
  }

  private node(pos: number, type: number, total: number, e: Endian): void {
    switch (type) {
      case NODETYPE.dirent: {
        const b = this.window.get(pos, Math.min(total, DIRENT_SIZE + 255));
        try {
          this.dirent(pos, parseDirent(b, e, total));
        } catch (error) {
          if (!(error instanceof ImageReadError)) throw error;
          this.corrupt(pos, `${error.message}; node skipped`);
        }
        return;
      }
      case NODETYPE.inode: {
        const b = this.window.get(pos, INODE_SIZE);
        try {
          this.inode(pos, parseInode(b, e, total));
        } catch (error) {
          if (!(error instanceof ImageReadError)) throw error;
          this.corrupt(pos, `${error.message}; node skipped`);
        }
        return;
      }
      case NODETYPE.cleanmarker:
      case NODETYPE.padding:
      case NODETYPE.summary:
        return;
      case NODETYPE.xattr:
      case NODETYPE.xref:
        this.stats.xattrNodes++;
        return;
      default:
        // The kernel obsoletes a node by clearing this bit in place: such a node is history, not damage.
        if ((type & NODE_ACCURATE) === 0) {
          this.stats.obsolete++;
          return;
        }
        if ((type & COMPAT_MASK) === FEATURE_INCOMPAT)
          this.problem(
            `jffs2@${hex(pos)}`,
            `unknown node type ${hex(type)} marked incompatible: the kernel would refuse the image; skipped, the listing may be incomplete`,
          );
    }
  }

  private dirent(pos: number, d: ReturnType<typeof parseDirent>): void {
    this.stats.dirents++;
    let rawName = '';
    for (const byte of d.name) rawName += String.fromCharCode(byte);
    const key = `${d.parent}/${rawName}`;
    const previous = this.dirents.get(key);
    // The newest version wins; among equal versions (a corrupt image) the later node.
    if (!previous || d.version >= previous.version)
      this.dirents.set(key, { parent: d.parent, version: d.version, ino: d.ino, pos, rawName });
  }

  private inode(pos: number, node: InodeNode): void {
    this.stats.inodeNodes++;
    if (node.ino === 0) {
      this.corrupt(pos, 'inode node for inode 0; skipped');
      return;
    }
    if (node.dsize > 0) this.compressors.add(node.compr);
    const info = this.inodes.get(node.ino);
    if (!info) {
      this.inodes.set(node.ino, { latest: node, latestPos: pos, nodes: [pos] });
      return;
    }
    info.nodes.push(pos);
    if (node.version >= info.latest.version) {
      info.latest = node;
      info.latestPos = pos;
    }
  }

  // --- reading ---------------------------------------------------------------------------------------

  /** The inode's nodes, newest first, with their headers (cached). */
  private plan(ino: number): DataNode[] {
    const hit = this.plans.get(ino);
    if (hit) return hit;
    const info = this.inodes.get(ino);
    if (!info) throw new ImageReadError(`inode ${ino} has no inode node`);
    const e = this.endian as Endian;
    const plan: DataNode[] = [];
    for (const pos of info.nodes) {
      const b = this.window.get(pos, INODE_SIZE);
      const total = e.u32(b, 4);
      plan.push({ pos, node: parseInode(b, e, total) });
    }
    plan.sort((a, b) => b.node.version - a.node.version || b.pos - a.pos);
    this.plans.set(ino, plan, plan.length);
    return plan;
  }

  /** The uncompressed data of one inode node; throws ImageReadError when it cannot be had. */
  private nodeData(d: DataNode): Uint8Array {
    const { node } = d;
    if (node.dsize > this.options.maxNodeData)
      throw new ImageReadError(`node at ${hex(d.pos)} claims ${node.dsize} bytes of data (more than ${this.options.maxNodeData})`);
    if (node.compr === COMPR.zero) return new Uint8Array(node.dsize);
    // Straight from the source: nodes are read newest first, in no order the scan window would follow.
    const bytes = this.source.read(d.pos + INODE_SIZE, node.csize);
    const raw = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    if (raw.length !== node.csize) throw new ImageReadError(`node at ${hex(d.pos)}: data runs past the end of the image`);
    if (crc32Raw(raw, 0) !== node.dataCrc) throw new DataCrcError(`node at ${hex(d.pos)}: data CRC mismatch`);
    let data: Uint8Array;
    switch (node.compr) {
      case COMPR.none:
      case COMPR.copy:
        if (raw.length < node.dsize) throw new ImageReadError(`node at ${hex(d.pos)}: ${raw.length} stored bytes, ${node.dsize} claimed`);
        return raw.subarray(0, node.dsize);
      case COMPR.rtime:
        return decodeRtime(raw, node.dsize);
      case COMPR.zlib:
        // The kernel writes zlib streams; it also accepts raw deflate, which some writers produce.
        data = decompress(
          raw.length >= 2 && ((raw[0] as number) * 256 + (raw[1] as number)) % 31 === 0 ? 'zlib' : 'deflate',
          raw,
          node.dsize,
        );
        break;
      case COMPR.lzo:
        data = decompress('lzo', raw, node.dsize);
        break;
      default:
        throw new ImageReadError(`node at ${hex(d.pos)}: compressed with ${comprName(node.compr)}, which is not supported`);
    }
    if (data.length !== node.dsize)
      throw new ImageReadError(
        `node at ${hex(d.pos)}: ${comprName(node.compr)} data decompressed to ${data.length} bytes, not ${node.dsize}`,
      );
    return data;
  }

  /** The first `maxBytes` bytes (at most the size) of an inode's data. */
  private content(ino: number, where: string, maxBytes: number): Uint8Array {
    const info = this.inodes.get(ino);
    if (!info) throw new ImageReadError(`inode ${ino} has no inode node`);
    const want = Math.min(info.latest.isize, maxBytes);
    const out = new Uint8Array(want);
    if (want === 0) return out;
    const covered = new Coverage();
    for (const d of this.plan(ino)) {
      const start = d.node.offset;
      const end = Math.min(start + d.node.dsize, want);
      if (start >= end) continue;
      const gaps = covered.gaps(start, end);
      if (!gaps.length) continue;
      let data: Uint8Array;
      try {
        data = this.nodeData(d);
      } catch (error) {
        // As the kernel does: a node whose data CRC fails is dropped, and what it covered shows older data.
        if (!(error instanceof DataCrcError)) throw error;
        this.problem(where, `${error.message}; the node is ignored, older data (or zeros) shown in its place`);
        continue;
      }
      for (const [s, e] of gaps) out.set(data.subarray(s - start, e - start), s);
      covered.add(start, end);
      if (covered.covers(0, want)) break;
    }
    return out;
  }

  // --- listing ---------------------------------------------------------------------------------------

  private decodeName(raw: string, where: string): string {
    const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
    try {
      return utf8.decode(bytes);
    } catch {
      this.problem(where, `name ${JSON.stringify(raw)} is not UTF-8; its bytes are shown as Latin-1`);
      return raw;
    }
  }

  private toEntry(path: string, ino: number): FsEntry {
    const info = this.inodes.get(ino);
    if (!info) throw new ImageReadError(`inode ${ino} has no inode node`);
    const node = info.latest;
    const entry = posixEntry(path, node.mode, node.uid, node.gid, node.isize, node.mtime);
    if (entry.type === 'symlink') {
      // As the kernel reads it: the newest node's data, stored uncompressed, whatever isize says.
      if (node.csize > MAX_SYMLINK) throw new ImageReadError(`symlink target of ${node.csize} bytes (more than ${MAX_SYMLINK})`);
      if (node.compr !== COMPR.none) throw new ImageReadError(`symlink target compressed with ${comprName(node.compr)}`);
      const target = this.nodeData({ pos: info.latestPos, node: { ...node, dsize: node.csize } });
      let raw = '';
      for (const byte of target) raw += String.fromCharCode(byte);
      entry.linkTarget = this.decodeName(raw, path);
    }
    return entry;
  }

  private list(): void {
    const children = new Map<number, DirentInfo[]>();
    let live = 0;
    for (const d of this.dirents.values()) {
      if (d.ino === 0) continue;
      live++;
      let list = children.get(d.parent);
      if (!list) children.set(d.parent, (list = []));
      list.push(d);
    }
    const rootInfo = this.inodes.get(ROOT_INO);
    // mkfs.jffs2 writes no inode node for the root: it is a directory the kernel makes up (0755, root's).
    const root: FsEntry =
      rootInfo && entryTypeOfMode(rootInfo.latest.mode) === 'directory'
        ? {
            path: '/',
            type: 'directory',
            mode: rootInfo.latest.mode & 0o7777,
            uid: rootInfo.latest.uid,
            gid: rootInfo.latest.gid,
            size: 0,
            mtime: rootInfo.latest.mtime,
          }
        : { path: '/', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0 };
    const { maxEntries, maxDepth } = this.options;
    let reached = 0;
    const unlisted = this.tree.list<{ d: DirentInfo; name: string }, number, number>({
      root: { key: ROOT_INO, dir: ROOT_INO, entry: root },
      maxEntries,
      maxDepth,
      descendAtMaxDepth: true,
      children: (ino, path) => {
        const list = (children.get(ino) ?? []).map((d) => ({ d, name: this.decodeName(d.rawName, path) }));
        reached += list.length;
        return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      },
      inspect: ({ d }, path) => {
        const entry = this.toEntry(path, d.ino);
        return {
          key: d.ino,
          entry,
          dir: entry.type === 'directory' ? d.ino : undefined,
          file: entry.type === 'file' ? d.ino : undefined,
        };
      },
      unreadable: ({ d }, reason) => `cannot read inode ${d.ino}: ${reason}`,
      badName: ({ d, name }, _path, parentPath) =>
        this.problem(
          parentPath,
          `entry named ${JSON.stringify(name)} (dirent at ${hex(d.pos)}) would escape or break the path; not listed`,
        ),
      // Not checked, as before the walk was shared: dirents are kept by (parent, stored name), so names in one
      // directory differ as stored. Two could still decode alike (one as UTF-8, one as Latin-1); the later
      // one then replaces the first.
      duplicateReason: false,
    });
    if (unlisted === 0 && reached < live)
      this.problem('jffs2', `${live - reached} directory entries lie in directories not reachable from the root; not listed`);
  }
}
