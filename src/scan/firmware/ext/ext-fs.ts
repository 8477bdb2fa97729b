// ext2, ext3 and ext4 filesystems read in process through ImageFs, with positioned reads so that an image of
// hundreds of MB is never read whole: the directory tree is listed when the image is opened (inodes through a
// bounded cache of metadata blocks); file contents are read on demand, straight from their data blocks.
//
// Why hand-written and not libext2fs compiled to WebAssembly (the npm package ext2fs 4.2.5, balena): that
// package is asynchronous only (Emscripten Asyncify; its fs object has no *Sync methods, and every disk read
// is a Promise), while ImageFs is synchronous (entries(), entry(), read()) like every other reader here.
// Evaluated on Node 24.21: it installs without a native build (the .wasm is inlined in its JS) and lists a
// directory, but `readFile` of a 20 MB file in a 300 MB ext4 image aborted with "Aborted(OOM)" (its WASM heap
// starts at 16 MiB and could not grow), and a positioned read through its fd API failed with EBADF. A
// read-only ext reader is small (about 700 lines here), has no dependency, and is bounded exactly where
// hostile input needs bounds.
//
// What is read: the superblock (revision 0 and 1, any block size 1 KiB..64 KiB), group descriptors (32-byte,
// and 64-byte with the 64bit feature; flex_bg needs nothing special: each descriptor says where its inode
// table is), inodes (128, 256 or larger), ext4 extent trees of any depth (bounded), ext2/ext3 direct, indirect,
// double and triple indirect blocks, sparse files (holes and uninitialised extents read as zeros), linear
// directories (htree-indexed directories are read linearly: their index blocks look like empty entries),
// inline data (files and directories stored in the inode, with the rest in the in-inode "system.data"
// attribute), fast symlinks (target in the inode) and slow ones (target in a block).
// What is not: the journal (ext3/ext4) is ignored: a filesystem that was not cleanly unmounted (needs_recovery)
// is listed as its blocks stand, with a problem saying so; meta_bg group descriptor placement (images grown by
// resize2fs) is refused; checksums (metadata_csum) are not verified; extended attributes other than inline
// data are not read; encrypted files are listed but their contents are not readable; device numbers are read
// by nobody because ImageFs has no field for them.
//
// Hard links: ext stores one inode referenced from several directory entries. The first path met
// (depth-first, in directory order) is listed with the inode's type; each later one is a 'hardlink' entry
// whose linkTarget is that first path. `read` follows a hard link.
//
// Hostile images: every block number is checked against the filesystem's block count and the file's size;
// extent trees are bounded in depth and nodes, and a node met twice is a loop; directories are bounded in
// bytes, recursion depth and entry count; a directory inode met twice (a loop, or a directory hard link) is
// reported and not descended; names that contain '/' or are '.'/'..' in the wrong place are reported and
// skipped. A part that cannot be read becomes a ReadProblem (and `read` throws ImageReadError); opening throws
// ImageReadError only when the superblock, the group descriptors or the root directory cannot be read.
import { constants as bufferConstants } from 'node:buffer';
import { type FsEntry, ImageReadError } from '../image-fs.ts';
import { InodeTreeFs, posixEntry } from '../inode-tree.ts';
import { Lru } from '../lru.ts';
import { type ByteSource, FileSource } from '../byte-source.ts';
import {
  COMPAT,
  extFlavour,
  INCOMPAT,
  INCOMPAT_SUPPORTED,
  INODE_FLAG,
  parseSuperblock,
  ROOT_INODE,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
  SUPERBLOCK_OFFSET,
  SUPERBLOCK_SIZE,
  type Superblock,
  u16,
  u32,
} from './format.ts';

export interface ExtOptions {
  /** Where the filesystem starts in the file (an image carved from a flash dump starts mid-file). Default 0. */
  offset?: number;
  /** Most entries listed; past it the listing stops with a problem. Default 1,000,000. */
  maxEntries?: number;
  /** Deepest directory level descended. Default 256. */
  maxDepth?: number;
  /** Largest directory read, in bytes. Default 64 MiB. */
  maxDirectoryBytes?: number;
  /** Bytes of metadata blocks (inode tables, descriptors, extent and indirect blocks) kept. Default 16 MiB. */
  metadataCacheBytes?: number;
}

const DEFAULTS: Required<ExtOptions> = {
  offset: 0,
  maxEntries: 1_000_000,
  maxDepth: 256,
  maxDirectoryBytes: 64 << 20,
  metadataCacheBytes: 16 << 20,
};

/** Data read from the image in one positioned read, at most. */
const READ_CHUNK = 8 << 20;
const MAX_SYMLINK = 65536;
/** Deepest extent tree accepted (the kernel's limit is 5). */
const MAX_EXTENT_DEPTH = 5;
const EXTENT_MAGIC = 0xf30a;

/** A run of logical blocks of a file: at `physical` (-1 for a hole or an uninitialised extent: zeros). */
interface Run {
  logical: number;
  length: number;
  physical: number;
}

interface Inode {
  number: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  flags: number;
  /** The 60 bytes of i_block: block pointers, extent tree root, fast symlink target or inline data. */
  iBlock: Uint8Array;
  /** The whole on-disk inode (for in-inode extended attributes). */
  raw: Uint8Array;
}

interface DirChild {
  name: string;
  inode: number;
}

const latin1 = new TextDecoder('latin1');

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Opens the ext2/3/4 filesystem in the file at `path` (closed again by `close`). */
export function openExt(path: string, options: ExtOptions = {}): ExtImage {
  return ExtImage.open(path, options);
}

export class ExtImage extends InodeTreeFs<number> {
  readonly format: string;
  readonly superblock: Superblock;

  private readonly source: ByteSource;
  private readonly options: Required<ExtOptions>;
  private readonly base: number;
  private readonly blockSize: number;
  private readonly cache: Lru<number, Uint8Array>;

  static open(path: string, options: ExtOptions = {}): ExtImage {
    const source = FileSource.open(path);
    try {
      return new ExtImage(source, options);
    } catch (error) {
      source.close();
      throw error;
    }
  }

  constructor(source: ByteSource, options: ExtOptions = {}) {
    super();
    this.source = source;
    this.options = { ...DEFAULTS, ...options };
    this.cache = new Lru(this.options.metadataCacheBytes);
    const base = this.options.offset;
    if (!Number.isSafeInteger(base) || base < 0 || base >= source.size)
      throw new ImageReadError(`ext: offset ${base} is outside the file (${source.size} bytes)`);
    this.base = base;
    const sb = parseSuperblock(source.read(base + SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE));
    this.superblock = sb;
    this.blockSize = sb.blockSize;
    const flavour = extFlavour(sb);
    this.format = `${flavour} (${sb.blockSize}-byte blocks${sb.featureIncompat & INCOMPAT.bit64 ? ', 64bit' : ''})`;

    const unsupported = sb.featureIncompat & ~INCOMPAT_SUPPORTED;
    if (sb.featureIncompat & INCOMPAT.metaBg)
      throw new ImageReadError('ext: the meta_bg feature (group descriptors spread over the filesystem) is not supported');
    if (sb.featureIncompat & INCOMPAT.journalDev) throw new ImageReadError('ext: this is an external journal device, not a filesystem');
    if (unsupported) this.problem('superblock', `unknown incompatible features 0x${unsupported.toString(16)}; the listing may be wrong`);
    if (sb.featureIncompat & INCOMPAT.recover)
      this.problem('journal', 'the filesystem was not cleanly unmounted and its journal is not replayed: recent changes may be missing');
    else if (sb.featureCompat & COMPAT.hasJournal)
      this.problem('journal', 'the journal is ignored (the filesystem is read as its blocks stand)');
    const need = sb.blocksCount * sb.blockSize;
    const available = source.size - base;
    if (need > available)
      this.problem(
        'image',
        `truncated: the superblock says ${need} bytes, the file holds ${available} from offset ${base}; blocks past the end cannot be read`,
      );

    let root: Inode;
    try {
      root = this.readInode(ROOT_INODE);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      throw new ImageReadError(`ext: cannot read the root directory: ${message(error)}`);
    }
    if ((root.mode & S_IFMT) !== S_IFDIR)
      throw new ImageReadError(`ext: the root inode is not a directory (mode 0o${root.mode.toString(8)})`);
    this.list(root);
  }

  close(): void {
    this.cache.clear();
    this.source.close();
  }

  /** Regular files are kept by inode number: the inode is read again here. */
  protected readFile(ino: number, _path: string, maxBytes: number): Uint8Array {
    const inode = this.readInode(ino);
    if (inode.flags & INODE_FLAG.encrypt) throw new ImageReadError('the file is encrypted (fscrypt); its contents cannot be read');
    return this.content(inode, Math.max(0, Math.min(maxBytes, bufferConstants.MAX_LENGTH)));
  }

  // --- reading ---------------------------------------------------------------------------------------

  private checkBlock(block: number, count: number, what: string): void {
    if (!Number.isSafeInteger(block) || block < 0 || count < 0 || block + count > this.superblock.blocksCount)
      throw new ImageReadError(
        `${what}: block ${block}${count > 1 ? ` (+${count})` : ''} is beyond the filesystem (${this.superblock.blocksCount} blocks)`,
      );
  }

  /** Reads exactly `length` bytes at a byte position inside the filesystem. */
  private readAt(position: number, length: number, what: string): Uint8Array {
    const bytes = this.source.read(this.base + position, length);
    if (bytes.length !== length) throw new ImageReadError(`${what} at ${position}: beyond the end of the image file`);
    return bytes;
  }

  /** One metadata block, through the cache. */
  private metaBlock(block: number, what: string): Uint8Array {
    const hit = this.cache.get(block);
    if (hit) return hit;
    this.checkBlock(block, 1, what);
    // A copy (a Buffer's slice() would be a view of the source's memory).
    const data = new Uint8Array(this.readAt(block * this.blockSize, this.blockSize, what));
    this.cache.set(block, data, data.length);
    return data;
  }

  private inodeTable(group: number): number {
    const sb = this.superblock;
    const perBlock = this.blockSize / sb.descSize;
    const descBlock = sb.firstDataBlock + 1 + Math.floor(group / perBlock);
    const d = this.metaBlock(descBlock, `group descriptor ${group}`);
    const at = (group % perBlock) * sb.descSize;
    const lo = u32(d, at + 8);
    const hi = sb.descSize >= 64 ? u32(d, at + 0x28) : 0;
    if (hi >= 0x200000) throw new ImageReadError(`group ${group}: inode table beyond 2^53`);
    return hi * 0x100000000 + lo;
  }

  private readInode(ino: number): Inode {
    const sb = this.superblock;
    if (!Number.isSafeInteger(ino) || ino < 1 || ino > sb.inodesCount)
      throw new ImageReadError(`inode ${ino} is outside 1..${sb.inodesCount}`);
    const group = Math.floor((ino - 1) / sb.inodesPerGroup);
    const index = (ino - 1) % sb.inodesPerGroup;
    const table = this.inodeTable(group);
    const tableBlocks = Math.ceil((sb.inodesPerGroup * sb.inodeSize) / this.blockSize);
    this.checkBlock(table, tableBlocks, `inode table of group ${group}`);
    const byteInTable = index * sb.inodeSize;
    const block = table + Math.floor(byteInTable / this.blockSize);
    const data = this.metaBlock(block, `inode ${ino}`);
    const at = byteInTable % this.blockSize;
    const raw = data.subarray(at, at + sb.inodeSize);
    const sizeHi = u32(raw, 0x6c);
    const flags = u32(raw, 0x20);
    const mode = u16(raw, 0);
    // Before the large_file feature, size_high of a directory was i_dir_acl; only regular files use it then.
    const hi = (mode & S_IFMT) === S_IFREG || (mode & S_IFMT) === S_IFDIR ? sizeHi : 0;
    if (hi >= 0x200000) throw new ImageReadError(`inode ${ino}: size beyond 2^53 bytes`);
    return {
      number: ino,
      mode,
      uid: u16(raw, 0x2) | (u16(raw, 0x78) << 16),
      gid: u16(raw, 0x18) | (u16(raw, 0x7a) << 16),
      size: hi * 0x100000000 + u32(raw, 0x4),
      mtime: u32(raw, 0x10),
      flags,
      iBlock: new Uint8Array(raw.subarray(0x28, 0x28 + 60)),
      raw: new Uint8Array(raw),
    };
  }

  /** The value of the in-inode extended attribute "system.data" (the rest of inline data), or empty. */
  private inlineDataAttribute(inode: Inode): Uint8Array {
    const raw = inode.raw;
    if (raw.length <= 128 + 4) return new Uint8Array(0);
    const extra = u16(raw, 0x80);
    const start = 128 + extra;
    if (extra < 4 || start + 4 > raw.length || u32(raw, start) !== 0xea020000) return new Uint8Array(0);
    const first = start + 4;
    let at = first;
    for (let n = 0; n < 256 && at + 16 <= raw.length; n++) {
      const nameLen = raw[at] as number;
      const nameIndex = raw[at + 1] as number;
      const valueOffset = u16(raw, at + 2);
      const valueInum = u32(raw, at + 4);
      const valueSize = u32(raw, at + 8);
      if (nameLen === 0 && nameIndex === 0 && valueOffset === 0 && valueInum === 0) break;
      if (at + 16 + nameLen > raw.length) break;
      const name = latin1.decode(raw.subarray(at + 16, at + 16 + nameLen));
      if (nameIndex === 7 && name === 'data') {
        if (valueInum !== 0) throw new ImageReadError('inline data stored in an attribute inode is not supported');
        if (first + valueOffset + valueSize > raw.length) throw new ImageReadError('inline data attribute runs past the inode');
        return raw.subarray(first + valueOffset, first + valueOffset + valueSize);
      }
      at += (16 + nameLen + 3) & ~3;
    }
    return new Uint8Array(0);
  }

  /** The block runs covering logical blocks [0, blocks) of a file, sorted by logical block. */
  private blockMap(inode: Inode, blocks: number): Run[] {
    if (blocks === 0) return [];
    return inode.flags & INODE_FLAG.extents ? this.extentMap(inode, blocks) : this.indirectMap(inode, blocks);
  }

  private extentMap(inode: Inode, blocks: number): Run[] {
    const runs: Run[] = [];
    const visited = new Set<number>();
    let nodes = 0;
    const walk = (node: Uint8Array, where: string, expectDepth: number | undefined): void => {
      if (u16(node, 0) !== EXTENT_MAGIC) throw new ImageReadError(`${where}: bad extent header magic 0x${u16(node, 0).toString(16)}`);
      const entries = u16(node, 2);
      const max = u16(node, 4);
      const depth = u16(node, 6);
      if (entries > max || 12 + max * 12 > node.length)
        throw new ImageReadError(`${where}: extent header claims ${entries}/${max} entries`);
      if (depth > MAX_EXTENT_DEPTH) throw new ImageReadError(`${where}: extent tree depth ${depth} (more than ${MAX_EXTENT_DEPTH})`);
      if (expectDepth !== undefined && depth !== expectDepth)
        throw new ImageReadError(`${where}: extent node of depth ${depth}, expected ${expectDepth}`);
      for (let i = 0; i < entries; i++) {
        const e = 12 + i * 12;
        const logical = u32(node, e);
        if (logical >= blocks) break;
        if (depth === 0) {
          let length = u16(node, e + 4);
          const uninitialised = length > 32768;
          if (uninitialised) length -= 32768;
          const physical = u16(node, e + 6) * 0x100000000 + u32(node, e + 8);
          if (length === 0) continue;
          if (!uninitialised) this.checkBlock(physical, length, `${where}: extent`);
          runs.push({ logical, length: Math.min(length, blocks - logical), physical: uninitialised ? -1 : physical });
        } else {
          const child = u16(node, e + 8) * 0x100000000 + u32(node, e + 4);
          if (visited.has(child)) throw new ImageReadError(`${where}: extent tree loop (block ${child} met twice)`);
          visited.add(child);
          if (++nodes > blocks + 1024) throw new ImageReadError(`${where}: more extent nodes than the file has blocks`);
          walk(this.metaBlock(child, `${where}: extent node`), `${where}: extent node ${child}`, depth - 1);
        }
      }
    };
    walk(inode.iBlock, `inode ${inode.number}`, undefined);
    runs.sort((a, b) => a.logical - b.logical);
    return runs;
  }

  private indirectMap(inode: Inode, blocks: number): Run[] {
    const runs: Run[] = [];
    const where = `inode ${inode.number}`;
    const perBlock = this.blockSize / 4;
    const add = (logical: number, physical: number): void => {
      if (physical === 0) return;
      this.checkBlock(physical, 1, `${where}: data block`);
      const last = runs[runs.length - 1];
      if (last && last.logical + last.length === logical && last.physical + last.length === physical) last.length++;
      else runs.push({ logical, length: 1, physical });
    };
    // level 0: `pointer` is a data block; level n: a block of pointers to level n-1. Returns blocks spanned.
    const walk = (pointer: number, level: number, logical: number): void => {
      if (logical >= blocks) return;
      if (level === 0) {
        add(logical, pointer);
        return;
      }
      if (pointer === 0) return;
      const table = this.metaBlock(pointer, `${where}: indirect block`);
      const span = perBlock ** (level - 1);
      for (let i = 0; i < perBlock; i++) {
        const at = logical + i * span;
        if (at >= blocks) break;
        walk(u32(table, i * 4), level - 1, at);
      }
    };
    for (let i = 0; i < 12; i++) walk(u32(inode.iBlock, i * 4), 0, i);
    walk(u32(inode.iBlock, 48), 1, 12);
    walk(u32(inode.iBlock, 52), 2, 12 + perBlock);
    walk(u32(inode.iBlock, 56), 3, 12 + perBlock + perBlock * perBlock);
    return runs;
  }

  /** The first `want` bytes (at most the file's size) of an inode's data. */
  private content(inode: Inode, maxBytes: number): Uint8Array {
    const want = Math.min(inode.size, maxBytes);
    if (inode.flags & INODE_FLAG.inlineData) {
      const inline = new Uint8Array(want);
      const first = inode.iBlock.subarray(0, Math.min(60, want));
      inline.set(first);
      if (want > 60) {
        const rest = this.inlineDataAttribute(inode);
        if (rest.length < want - 60) throw new ImageReadError(`inline data holds ${60 + rest.length} bytes, the inode says ${inode.size}`);
        inline.set(rest.subarray(0, want - 60), 60);
      }
      return inline;
    }
    const out = new Uint8Array(want);
    const bs = this.blockSize;
    const blocks = Math.ceil(want / bs);
    for (const run of this.blockMap(inode, blocks)) {
      if (run.physical < 0) continue;
      for (let done = 0; done < run.length;) {
        const count = Math.min(run.length - done, Math.max(1, Math.floor(READ_CHUNK / bs)));
        const startByte = (run.logical + done) * bs;
        const length = Math.min(count * bs, want - startByte);
        if (length <= 0) break;
        out.set(this.readAt((run.physical + done) * bs, length, `inode ${inode.number}: data`), startByte);
        done += count;
      }
    }
    return out;
  }

  private symlinkTarget(inode: Inode, where: string): string {
    if (inode.size > MAX_SYMLINK) throw new ImageReadError(`symlink target of ${inode.size} bytes (more than ${MAX_SYMLINK})`);
    const fast = inode.size < 60 && !(inode.flags & INODE_FLAG.inlineData) && !(inode.flags & INODE_FLAG.extents);
    const bytes = fast ? inode.iBlock.subarray(0, inode.size) : this.content(inode, inode.size);
    return this.tree.decodeName(bytes, where);
  }

  /** Parses directory entries in `data`, one block (or the whole inline area) at a time. */
  private parseDirectory(data: Uint8Array, unit: number, path: string, children: DirChild[], room: number): void {
    const hasFiletype = (this.superblock.featureIncompat & INCOMPAT.filetype) !== 0;
    for (let blockStart = 0; blockStart < data.length; blockStart += unit) {
      const end = Math.min(data.length, blockStart + unit);
      let at = blockStart;
      while (at + 8 <= end) {
        const ino = u32(data, at);
        let recLen = u16(data, at + 4);
        if (unit >= 65536 && (recLen === 65535 || recLen === 0)) recLen = 65536;
        const nameLen = hasFiletype ? (data[at + 6] as number) : u16(data, at + 6);
        if (recLen < 8 || recLen % 4 !== 0 || at + recLen > end || 8 + nameLen > recLen) {
          this.problem(
            path,
            `corrupt directory entry at byte ${at} (record length ${recLen}, name length ${nameLen}); rest of the block skipped`,
          );
          break;
        }
        if (ino !== 0 && nameLen > 0) {
          const name = this.tree.decodeName(data.subarray(at + 8, at + 8 + nameLen), path);
          if (name !== '.' && name !== '..') {
            children.push({ name, inode: ino });
            if (children.length > room) return;
          }
        }
        at += recLen;
      }
    }
  }

  private readDirectory(inode: Inode, path: string, room: number): DirChild[] {
    const children: DirChild[] = [];
    try {
      if (inode.flags & INODE_FLAG.encrypt) throw new ImageReadError('the directory is encrypted (fscrypt); its names cannot be read');
      if (inode.flags & INODE_FLAG.inlineData) {
        // The first 4 bytes are the parent's inode number; entries follow, then more in "system.data".
        this.parseDirectory(inode.iBlock.subarray(4), 56, path, children, room);
        const rest = this.inlineDataAttribute(inode);
        if (rest.length > 0) this.parseDirectory(rest, rest.length, path, children, room);
        return children;
      }
      if (inode.size > this.options.maxDirectoryBytes) {
        this.problem(path, `directory of ${inode.size} bytes (more than ${this.options.maxDirectoryBytes}); only that much is read`);
      }
      const data = this.content(inode, this.options.maxDirectoryBytes);
      this.parseDirectory(data, this.blockSize, path, children, room);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      this.problem(path, `directory listing cut short: ${message(error)}`);
    }
    return children;
  }

  // --- listing ---------------------------------------------------------------------------------------

  private toEntry(path: string, inode: Inode): FsEntry {
    const entry = posixEntry(path, inode.mode, inode.uid, inode.gid, inode.size, inode.mtime);
    if (entry.type === 'symlink') entry.linkTarget = this.symlinkTarget(inode, path);
    return entry;
  }

  private list(root: Inode): void {
    const { maxEntries, maxDepth } = this.options;
    this.tree.list<DirChild, number, Inode>({
      root: { key: ROOT_INODE, dir: root, entry: this.toEntry('/', root) },
      maxEntries,
      maxDepth,
      descendAtMaxDepth: true,
      children: (dir, path, room) => this.readDirectory(dir, path, room),
      inspect: (child, path) => {
        const inode = this.readInode(child.inode);
        const entry = this.toEntry(path, inode);
        return {
          key: child.inode,
          entry,
          dir: entry.type === 'directory' ? inode : undefined,
          file: entry.type === 'file' ? child.inode : undefined,
        };
      },
      unreadable: (child, reason) => `cannot read inode ${child.inode}: ${reason}`,
      // '.' and '..' are skipped as the directory is read, and a name is never empty: only '/' and NUL remain.
      badName: (child, path) => this.problem(path, `name ${JSON.stringify(child.name)} contains '/' or NUL; not listed`),
    });
  }
}
