// A squashfs 4.0 image read in process through ImageFs, with positioned reads so that an image of hundreds
// of MB is never read whole: the directory tree is listed when the image is opened (inodes and directory
// entries through a bounded cache of decompressed metadata blocks); file contents are read on demand,
// straight from their data blocks, with tail ends from a bounded cache of decompressed fragment blocks.
//
// What is read: superblock, compressor options (checked, not needed), id table (uid/gid), inode table
// (basic and extended directories, files, symlinks, block and character devices, fifos, sockets),
// directory table, fragment table, data blocks (compressed, stored, and sparse blocks of size 0).
// What is not: extended attributes (xattrs, e.g. file capabilities) and the NFS export table; device
// numbers are read but ImageFs has no field for them.
//
// Hard links: squashfs stores one inode referenced from several directory entries. The first path met
// (depth-first, in directory order, as unsquashfs meets them) is listed with the inode's type; each later
// one is a 'hardlink' entry whose linkTarget is that first path. `read` follows a hard link.
//
// Hostile images: every position and length is checked against the image (the superblock's bytes_used
// from `offset`); directory loops and directories referenced twice are reported and not descended;
// depth, entry count and decompressed metadata are bounded by SquashfsOptions; names with '/' or '..'
// are normalised with normaliseImagePath, placed only where that path is free once the tree is listed,
// and reported. A part that cannot be read becomes a ReadProblem (and `read` throws ImageReadError);
// opening throws ImageReadError only when the superblock, the tables' positions or the root directory
// cannot be read.
import { decompress, type Codec } from '../compression/index.ts';
import { type FsEntry, ImageReadError, normaliseImagePath } from '../image-fs.ts';
import { InodeTreeFs } from '../inode-tree.ts';
import {
  COMPRESSORS,
  FLAG_COMPRESSOR_OPTIONS,
  INODE,
  METADATA_SIZE,
  NO_FRAGMENT,
  NO_TABLE,
  parseSuperblock,
  SUPERBLOCK_SIZE,
  type Superblock,
} from './format.ts';
import { Lru } from '../lru.ts';
import { type ByteSource, FileSource } from '../byte-source.ts';
import { type BlockJob, BlockPool, defaultPoolSize } from './parallel-blocks.ts';

export interface SquashfsOptions {
  /** Where the superblock starts in the file (an image carved from a flash dump starts mid-file). Default 0. */
  offset?: number;
  /** Most entries listed; past it the listing stops with a problem. Default 1,000,000. */
  maxEntries?: number;
  /** Deepest directory level descended. Default 256. */
  maxDepth?: number;
  /** Most bytes of metadata decompressed over the image's life (bounds a metadata bomb). Default 1 GiB. */
  maxMetadataBytes?: number;
  /** Decompressed metadata blocks kept (8 KiB each). Default 4096 (32 MiB). */
  metadataCacheBlocks?: number;
  /** Bytes of decompressed fragment blocks kept. Default 32 MiB. */
  fragmentCacheBytes?: number;
  /**
   * Decode data blocks on worker threads (see parallel-blocks.ts): the blocks of a file with several, and
   * the next files' fragment and data blocks ahead of a sequential read (in entries() order). The bytes
   * read and the errors are the same either way. Default: on when the machine has more than one core.
   */
  parallel?: boolean;
}

const DEFAULTS: Required<SquashfsOptions> = {
  offset: 0,
  maxEntries: 1_000_000,
  maxDepth: 256,
  maxMetadataBytes: 1 << 30,
  metadataCacheBlocks: 4096,
  fragmentCacheBytes: 32 << 20,
  parallel: true,
};

/** Decoded bytes of one parallel batch of data blocks, at most (bounds the shared output region). */
const PARALLEL_BATCH_BYTES = 16 << 20;
/**
 * Compressed blocks decoded ahead of a sequential read, per thread (measured: 8 in all on 2 cores, against
 * 2: 2.05 s, not 2.2 s, when only fragments were decoded ahead; 16 in all, against 8, leaves the worker
 * idle about 0.3 s, not 0.4 s, of the bench's 2.1 s of reads, as it keeps decoding while this thread
 * scans what it read).
 */
const BLOCKS_AHEAD = 8;
/** Data blocks of one file decoded ahead, at most (the rest are decoded when the file is read). */
const FILE_BLOCKS_AHEAD = 8;
/** Files looked at ahead of the one read, at most. */
const FILES_AHEAD = 256;

/** Images at least this large start their worker threads when opened (measured: 0.05-0.1 s less on 2 cores). */
const WARM_POOL_BYTES = 8 << 20;

/** Data blocks read from the image in one positioned read, at most (several blocks at a time). */
const READ_CHUNK = 8 << 20;
const MAX_SYMLINK = 65536;
const MAX_NAME = 256;

interface Cursor {
  /** Absolute position in the source of a metadata block. */
  block: number;
  /** Offset in its decompressed bytes. */
  offset: number;
}

interface MetaBlock {
  data: Uint8Array;
  next: number;
}

interface FileData {
  blocksStart: number;
  size: number;
  fragment: number;
  fragmentOffset: number;
  blockList: Cursor;
}

interface DirData {
  block: number;
  offset: number;
  size: number;
}

interface Inode {
  type: number;
  mode: number;
  uidIndex: number;
  gidIndex: number;
  mtime: number;
  number: number;
  dir?: DirData;
  file?: FileData;
  target?: string;
  rdev?: number;
}

interface DirChild {
  name: string;
  ref: Cursor;
  type: number;
}

/** A compressed block being decoded ahead: its size word, and the last file (in read order) that needs it. */
interface AheadBlock {
  word: number;
  job: BlockJob;
  until: number;
}

/** Data blocks decoded ahead in parallel: those of [.., end) that were decoded, by block number. */
interface DecodedBatch {
  end: number;
  blocks: Map<number, Uint8Array>;
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

function u64(b: Uint8Array, i: number): number {
  const hi = u32(b, i + 4);
  return hi >= 0x200000 ? NO_TABLE : hi * 0x100000000 + u32(b, i);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function basicType(type: number): number {
  return type > 7 ? type - 7 : type;
}

const ENTRY_TYPE: Record<number, FsEntry['type']> = {
  [INODE.dir]: 'directory',
  [INODE.file]: 'file',
  [INODE.symlink]: 'symlink',
  [INODE.blockDevice]: 'block-device',
  [INODE.charDevice]: 'char-device',
  [INODE.fifo]: 'fifo',
  [INODE.socket]: 'socket',
};

export class SquashfsImage extends InodeTreeFs<FileData> {
  readonly format: string;
  readonly superblock: Superblock;
  /** The compressor options block, when the image has one (informational). */
  readonly compressorOptions: Uint8Array | undefined;

  private readonly source: ByteSource;
  private readonly options: Required<SquashfsOptions>;
  private readonly base: number;
  private readonly end: number;
  private readonly codec: Codec | undefined;
  private readonly metaCache: Lru<number, MetaBlock>;
  private readonly fragmentCache: Lru<number, Uint8Array>;
  private readonly fragmentIndex = new Map<number, number>();
  private ids: Uint32Array | undefined;
  private metadataBudget: number;
  /** Worker threads decoding data blocks, when parallel (started on first use, or when a large image is opened). */
  private readonly pool: BlockPool | undefined;
  /** Compressed blocks (fragments and data blocks) being decoded ahead, by absolute position. */
  private readonly ahead = new Map<number, AheadBlock>();
  /** The files in entries() order (the order a scan reads them in), and each one's place in it. */
  private readOrder: FileData[] | undefined;
  private readonly orderOf = new Map<FileData, number>();
  /** The file last read, the first file whose blocks are not yet decoded ahead, and the last read's byte limit. */
  private lastRead = -1;
  private aheadFrom = 0;
  private aheadBytes = 0;

  /** Opens the image at `path` (closed again by `close`). */
  static open(path: string, options: SquashfsOptions = {}): SquashfsImage {
    const source = FileSource.open(path);
    try {
      return new SquashfsImage(source, options);
    } catch (error) {
      source.close();
      throw error;
    }
  }

  constructor(source: ByteSource, options: SquashfsOptions = {}) {
    super();
    this.source = source;
    this.options = { ...DEFAULTS, ...options };
    this.metadataBudget = this.options.maxMetadataBytes;
    this.metaCache = new Lru(this.options.metadataCacheBlocks);
    this.fragmentCache = new Lru(this.options.fragmentCacheBytes);
    const poolSize = this.options.parallel ? defaultPoolSize() : 0;
    this.pool = poolSize > 0 ? new BlockPool(poolSize) : undefined;
    const base = this.options.offset;
    if (!Number.isSafeInteger(base) || base < 0 || base >= source.size)
      throw new ImageReadError(`squashfs: offset ${base} is outside the file (${source.size} bytes)`);
    this.base = base;
    const sb = parseSuperblock(source.read(base, SUPERBLOCK_SIZE));
    this.superblock = sb;
    const available = source.size - base;
    if (sb.bytesUsed > available)
      throw new ImageReadError(
        `squashfs: image truncated: the superblock says ${sb.bytesUsed} bytes, the file holds ${available} from offset ${base}`,
      );
    if (sb.bytesUsed < SUPERBLOCK_SIZE) throw new ImageReadError(`squashfs: implausible image size ${sb.bytesUsed} in the superblock`);
    this.end = base + sb.bytesUsed;
    for (const [name, at] of [
      ['inode table', sb.inodeTable],
      ['directory table', sb.directoryTable],
      ['id table', sb.idTable],
    ] as const) {
      if (at < SUPERBLOCK_SIZE || at >= sb.bytesUsed) throw new ImageReadError(`squashfs: ${name} position ${at} is outside the image`);
    }
    const compressor = COMPRESSORS.get(sb.compressorId);
    this.codec = compressor?.codec;
    this.format = `squashfs 4.0 (${compressor?.name ?? `compressor ${sb.compressorId}`})`;
    if (!compressor) this.problem('superblock', `unsupported compressor id ${sb.compressorId}: compressed blocks cannot be read`);

    if (sb.flags & FLAG_COMPRESSOR_OPTIONS) {
      try {
        this.compressorOptions = this.metaBlock(base + SUPERBLOCK_SIZE).data;
      } catch (error) {
        this.problem('compressor options', message(error));
      }
    }
    // In a large image, the workers start while the tree is listed (a small one may never need them); an
    // image that cannot be opened stops them again.
    if (sb.bytesUsed >= WARM_POOL_BYTES) this.pool?.warm();
    try {
      this.loadIds();
      this.list();
    } catch (error) {
      this.pool?.close();
      throw error;
    }
  }

  close(): void {
    this.pool?.close();
    this.ahead.clear();
    this.metaCache.clear();
    this.fragmentCache.clear();
    this.source.close();
  }

  protected readFile(file: FileData, _path: string, maxBytes: number): Uint8Array {
    this.aheadOf(file, maxBytes);
    return this.fileContent(file, maxBytes);
  }

  // --- reading ---------------------------------------------------------------------------------------

  private decompress(data: Uint8Array, max: number): Uint8Array {
    if (!this.codec) throw new ImageReadError(`unsupported compressor id ${this.superblock.compressorId}`);
    return decompress(this.codec, data, max);
  }

  /** Reads exactly `length` bytes at an absolute position inside the image. */
  private readAt(position: number, length: number, what: string): Uint8Array {
    if (position < this.base || position + length > this.end)
      throw new ImageReadError(`${what} at ${position - this.base} (+${length}) is outside the image (${this.end - this.base} bytes)`);
    const bytes = this.source.read(position, length);
    if (bytes.length !== length) throw new ImageReadError(`${what} at ${position - this.base}: short read`);
    return bytes;
  }

  /** One metadata block at an absolute position: a 2-byte header (bit 15: stored; low bits: size), then data. */
  private metaBlock(position: number): MetaBlock {
    const hit = this.metaCache.get(position);
    if (hit) return hit;
    const header = this.readAt(position, 2, 'metadata block');
    const word = u16(header, 0);
    const size = word & 0x7fff;
    if (size === 0 || size > METADATA_SIZE) throw new ImageReadError(`metadata block at ${position - this.base}: invalid size ${size}`);
    const raw = this.readAt(position + 2, size, 'metadata block');
    let data: Uint8Array;
    if (word & 0x8000) data = raw.slice();
    else {
      try {
        data = this.decompress(raw, METADATA_SIZE);
      } catch (error) {
        throw new ImageReadError(`metadata block at ${position - this.base}: ${message(error)}`);
      }
    }
    this.metadataBudget -= data.length + 2;
    if (this.metadataBudget < 0) throw new ImageReadError(`more than ${this.options.maxMetadataBytes} bytes of metadata (limit)`);
    const block = { data, next: position + 2 + size };
    this.metaCache.set(position, block);
    return block;
  }

  /** Reads n bytes of a metadata stream at cur, across block boundaries, advancing cur. */
  private readMeta(cur: Cursor, n: number): Uint8Array {
    let block = this.metaBlock(cur.block);
    if (cur.offset > block.data.length) throw new ImageReadError(`metadata offset ${cur.offset} is beyond its block`);
    if (cur.offset + n <= block.data.length) {
      const bytes = block.data.subarray(cur.offset, cur.offset + n);
      cur.offset += n;
      return bytes;
    }
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      if (cur.offset >= block.data.length) {
        cur.block = block.next;
        cur.offset = 0;
        block = this.metaBlock(cur.block);
      }
      const take = Math.min(n - done, block.data.length - cur.offset);
      out.set(block.data.subarray(cur.offset, cur.offset + take), done);
      done += take;
      cur.offset += take;
    }
    return out;
  }

  /** The entries of a table stored in metadata blocks whose positions are listed (u64 each) at indexAt. */
  private readLookupTable(indexAt: number, bytes: number, what: string): Uint8Array {
    const blocks = Math.ceil(bytes / METADATA_SIZE);
    const index = this.readAt(this.base + indexAt, blocks * 8, `${what} index`);
    const out = new Uint8Array(bytes);
    for (let i = 0; i < blocks; i++) {
      const length = Math.min(METADATA_SIZE, bytes - i * METADATA_SIZE);
      out.set(this.readMeta({ block: this.base + u64(index, i * 8), offset: 0 }, length), i * METADATA_SIZE);
    }
    return out;
  }

  private loadIds(): void {
    const count = this.superblock.idCount;
    if (count === 0) {
      this.problem('id table', 'the image has no uid/gid table; owners are shown as -1');
      return;
    }
    try {
      const table = this.readLookupTable(this.superblock.idTable, count * 4, 'id table');
      this.ids = new Uint32Array(count);
      for (let i = 0; i < count; i++) this.ids[i] = u32(table, i * 4);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      this.problem('id table', `${message(error)}; owners are shown as -1`);
    }
  }

  private id(index: number, path: string): number {
    const ids = this.ids;
    if (!ids) return -1;
    const id = ids[index];
    if (id === undefined) {
      this.problem(path, `uid/gid index ${index} is beyond the id table (${ids.length}); shown as -1`);
      return -1;
    }
    return id;
  }

  private readInode(ref: Cursor, where: string): Inode {
    const cur = { block: ref.block, offset: ref.offset };
    const h = this.readMeta(cur, 16);
    const inode: Inode = {
      type: u16(h, 0),
      mode: u16(h, 2) & 0o7777,
      uidIndex: u16(h, 4),
      gidIndex: u16(h, 6),
      mtime: u32(h, 8),
      number: u32(h, 12),
    };
    switch (inode.type) {
      case INODE.dir: {
        const b = this.readMeta(cur, 16);
        inode.dir = { block: u32(b, 0), size: u16(b, 8), offset: u16(b, 10) };
        break;
      }
      case INODE.longDir: {
        const b = this.readMeta(cur, 24);
        inode.dir = { size: u32(b, 4), block: u32(b, 8), offset: u16(b, 18) };
        break;
      }
      case INODE.file: {
        const b = this.readMeta(cur, 16);
        inode.file = { blocksStart: u32(b, 0), fragment: u32(b, 4), fragmentOffset: u32(b, 8), size: u32(b, 12), blockList: { ...cur } };
        break;
      }
      case INODE.longFile: {
        const b = this.readMeta(cur, 40);
        const size = u64(b, 8);
        if (size > Number.MAX_SAFE_INTEGER) throw new ImageReadError(`file size beyond 2^53 bytes`);
        inode.file = { blocksStart: u64(b, 0), size, fragment: u32(b, 28), fragmentOffset: u32(b, 32), blockList: { ...cur } };
        break;
      }
      case INODE.symlink:
      case INODE.longSymlink: {
        const b = this.readMeta(cur, 8);
        const length = u32(b, 4);
        if (length > MAX_SYMLINK) throw new ImageReadError(`symlink target of ${length} bytes (more than ${MAX_SYMLINK})`);
        inode.target = this.tree.decodeName(this.readMeta(cur, length), where);
        break;
      }
      case INODE.blockDevice:
      case INODE.charDevice:
      case INODE.longBlockDevice:
      case INODE.longCharDevice: {
        inode.rdev = u32(this.readMeta(cur, 8), 4);
        break;
      }
      case INODE.fifo:
      case INODE.socket:
      case INODE.longFifo:
      case INODE.longSocket:
        break;
      default:
        throw new ImageReadError(`unknown inode type ${inode.type}`);
    }
    if (inode.file) {
      const f = inode.file;
      if (f.fragment !== NO_FRAGMENT && f.fragmentOffset >= this.superblock.blockSize)
        throw new ImageReadError(`tail end offset ${f.fragmentOffset} is beyond a block`);
    }
    return inode;
  }

  /** A directory's entries, in stored order; on corruption, those read before it, and a problem. */
  private readDirectory(dir: DirData, path: string, room: number): DirChild[] {
    const children: DirChild[] = [];
    let remaining = dir.size - 3;
    const cur: Cursor = { block: this.base + this.superblock.directoryTable + dir.block, offset: dir.offset };
    try {
      while (remaining > 0) {
        if (remaining < 12) throw new ImageReadError('truncated directory header');
        const h = this.readMeta(cur, 12);
        remaining -= 12;
        const count = u32(h, 0) + 1;
        const start = u32(h, 4);
        if (count > 256) throw new ImageReadError(`directory header claims ${count} entries (at most 256)`);
        for (let i = 0; i < count; i++) {
          if (remaining < 8) throw new ImageReadError('truncated directory entry');
          const e = this.readMeta(cur, 8);
          const nameSize = u16(e, 6) + 1;
          if (nameSize > MAX_NAME) throw new ImageReadError(`directory entry name of ${nameSize} bytes (at most ${MAX_NAME})`);
          if (remaining < 8 + nameSize) throw new ImageReadError('truncated directory entry name');
          const name = this.tree.decodeName(this.readMeta(cur, nameSize), path);
          remaining -= 8 + nameSize;
          children.push({ name, ref: { block: this.base + this.superblock.inodeTable + start, offset: u16(e, 0) }, type: u16(e, 4) });
          if (children.length > room) return children;
        }
      }
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      this.problem(path, `directory listing cut short: ${message(error)}`);
    }
    return children;
  }

  // --- listing ---------------------------------------------------------------------------------------

  private list(): void {
    const sb = this.superblock;
    const rootRef: Cursor = { block: this.base + sb.inodeTable + sb.rootInode.block, offset: sb.rootInode.offset };
    let root: Inode;
    try {
      root = this.readInode(rootRef, '/');
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      throw new ImageReadError(`squashfs: cannot read the root directory: ${message(error)}`);
    }
    if (!root.dir) throw new ImageReadError(`squashfs: the root inode is not a directory (type ${root.type})`);

    // Names that had to be normalised go where they point once the real tree is listed, if that is free.
    const deferred: Array<{ child: DirChild; naive: string; path: string }> = [];
    const { maxEntries, maxDepth } = this.options;
    this.tree.list<DirChild, string, DirData>({
      root: { key: refKey(rootRef), dir: root.dir, entry: this.toEntry('/', root) },
      maxEntries,
      maxDepth,
      descendAtMaxDepth: false,
      children: (dir, path, room) => this.readDirectory(dir, path, room),
      inspect: (child, path) => {
        const inode = this.readInode(child.ref, path);
        if (basicType(inode.type) !== child.type)
          this.problem(path, `directory entry says type ${child.type}, the inode is type ${inode.type}; the inode is believed`);
        // The entry is made only when listed: not for a later hard link (whose owner ids are not looked up again).
        return { key: refKey(child.ref), entry: () => this.toEntry(path, inode), dir: inode.dir, file: inode.file };
      },
      unreadable: (_child, reason) => `cannot read inode: ${reason}`,
      isPlainName,
      badName: (child, naive) => deferred.push({ child, naive, path: normaliseImagePath(naive).path }),
      entryLimitReason: `listing stopped after ${maxEntries} entries (limit)`,
      duplicateReason: 'listed twice in its directory; the first is kept',
      countUnlisted: false,
      more: (add) => {
        const d = deferred.shift();
        if (!d) return false;
        const parentPath = d.path.slice(0, d.path.lastIndexOf('/')) || '/';
        const parent = this.tree.entry(parentPath);
        if (this.tree.entry(d.path)) this.problem(d.naive, `name escapes its directory; ${d.path} is taken, so not listed`);
        else if (parent?.type !== 'directory')
          this.problem(d.naive, `name escapes its directory; ${d.path} has no directory above it, so not listed`);
        else {
          this.problem(d.naive, `name escapes its directory; listed as ${d.path}`);
          add(d.child, d.path, d.path.split('/').length - 1);
        }
        return true;
      },
    });
  }

  private toEntry(path: string, inode: Inode): FsEntry {
    const entry: FsEntry = {
      path,
      type: ENTRY_TYPE[basicType(inode.type)] as FsEntry['type'],
      mode: inode.mode,
      uid: this.id(inode.uidIndex, path),
      gid: this.id(inode.gidIndex, path),
      size: inode.file ? inode.file.size : 0,
      mtime: inode.mtime,
    };
    if (inode.target !== undefined) entry.linkTarget = inode.target;
    return entry;
  }

  // --- file contents ---------------------------------------------------------------------------------

  private fragment(index: number): Uint8Array {
    const hit = this.fragmentCache.get(index);
    if (hit) return hit;
    const sb = this.superblock;
    if (index >= sb.fragmentCount) throw new ImageReadError(`fragment ${index} is beyond the fragment table (${sb.fragmentCount})`);
    const byteOffset = index * 16;
    const blockIndex = Math.floor(byteOffset / METADATA_SIZE);
    let location = this.fragmentIndex.get(blockIndex);
    if (location === undefined) {
      location = u64(this.readAt(this.base + sb.fragmentTable + blockIndex * 8, 8, 'fragment table index'), 0);
      this.fragmentIndex.set(blockIndex, location);
    }
    const e = this.readMeta({ block: this.base + location, offset: byteOffset % METADATA_SIZE }, 16);
    const start = u64(e, 0);
    const word = u32(e, 8);
    const size = word & 0xffffff;
    if (size === 0 || size > sb.blockSize || word & ~0x1ffffff)
      throw new ImageReadError(`fragment ${index}: invalid size field 0x${word.toString(16)}`);
    const raw = this.readAt(this.base + start, size, `fragment ${index}`);
    let data: Uint8Array;
    if (word & 0x1000000) data = raw.slice();
    else {
      // Decoded ahead on a worker (a private copy of the shared bytes), or here; a failure is decoded again here for its error.
      const decoded = this.takeAhead(this.base + start, word);
      data = decoded ? decoded.slice() : this.decompress(raw, sb.blockSize);
    }
    this.fragmentCache.set(index, data, data.length);
    return data;
  }

  /**
   * The block at `position` with size word `word` as decoded ahead (a view of shared memory), or undefined
   * when it was not (or failed there: the caller decodes it again, for the error the serial path reports).
   */
  private takeAhead(position: number, word: number): Uint8Array | undefined {
    const pending = this.ahead.get(position);
    if (!pending) return undefined;
    this.ahead.delete(position);
    if (pending.word !== word) {
      pending.job.cancel();
      return undefined;
    }
    return pending.job.collect()[0];
  }

  /**
   * Before `file` is read: drops the blocks decoded ahead for files now passed (or, when the read jumps
   * back or past the files looked at ahead, all of them, and then starts nothing), then starts decoding,
   * on the pool, the compressed fragment and data blocks of the files after it in entries() order (the
   * order a scan reads them in), at most BLOCKS_AHEAD per thread in flight and FILES_AHEAD files ahead.
   * Only what the metadata already decoded says is looked at, and nothing here reports a problem: a block
   * that cannot be read is left for the read that needs it to report.
   */
  private aheadOf(file: FileData, maxBytes: number): void {
    const pool = this.pool;
    if (!pool?.usable || !this.codec) return;
    if (!this.readOrder) {
      this.readOrder = [];
      for (const entry of this.tree.entries()) {
        const data = entry.type === 'file' ? this.tree.file(entry.path) : undefined;
        if (data && !this.orderOf.has(data)) {
          this.orderOf.set(data, this.readOrder.length);
          this.readOrder.push(data);
        }
      }
    }
    const at = this.orderOf.get(file);
    if (at === undefined) return;
    const sequential = at >= this.lastRead && at <= this.aheadFrom;
    for (const [position, pending] of this.ahead)
      if (!sequential || pending.until < at) {
        pending.job.cancel();
        this.ahead.delete(position);
      }
    this.lastRead = at;
    if (!sequential) {
      // Reads here and there (a few files picked out) decode nothing ahead; reading on from here does.
      this.aheadFrom = at + 1;
      return;
    }
    this.aheadBytes = Math.max(0, Math.floor(maxBytes));
    const limit = BLOCKS_AHEAD * (pool.size + 1);
    const order = this.readOrder;
    while (this.aheadFrom < order.length && this.aheadFrom <= at + FILES_AHEAD && this.ahead.size < limit) {
      const next = order[this.aheadFrom] as FileData;
      if (!this.startAhead(next, this.aheadFrom, pool)) return;
      this.aheadFrom++;
    }
  }

  /** Starts decoding the blocks of the file at `place` in read order ahead; false when the pool refused. */
  private startAhead(file: FileData, place: number, pool: BlockPool): boolean {
    const sb = this.superblock;
    const blockSize = sb.blockSize;
    const want = Math.min(file.size, this.aheadBytes);
    const hasFragment = file.fragment !== NO_FRAGMENT;
    const fullBlocks = hasFragment ? Math.floor(file.size / blockSize) : Math.ceil(file.size / blockSize);
    const needed = Math.min(fullBlocks, Math.ceil(want / blockSize), FILE_BLOCKS_AHEAD);
    if (needed > 0) {
      const meta = this.metaCache.get(file.blockList.block);
      if (!meta) return true;
      let position = this.base + file.blocksStart;
      for (let k = 0, at = file.blockList.offset; k < needed && at + 4 <= meta.data.length; k++, at += 4) {
        const word = u32(meta.data, at);
        const onDisk = word & 0xffffff;
        if (word & ~0x1ffffff || onDisk > blockSize) break;
        if (onDisk !== 0 && !(word & 0x1000000) && !this.queueAhead(position, word, place, pool)) return false;
        position += onDisk;
      }
    }
    if (hasFragment && want > fullBlocks * blockSize && !this.fragmentCache.get(file.fragment)) {
      const index = file.fragment;
      if (index >= sb.fragmentCount) return true;
      const byteOffset = index * 16;
      const location = this.fragmentIndex.get(Math.floor(byteOffset / METADATA_SIZE));
      if (location === undefined) return true;
      const meta = this.metaCache.get(this.base + location);
      const offset = byteOffset % METADATA_SIZE;
      if (!meta || offset + 16 > meta.data.length) return true;
      const word = u32(meta.data, offset + 8);
      const size = word & 0xffffff;
      if (size === 0 || size > blockSize || word & ~0x1ffffff || word & 0x1000000) return true;
      return this.queueAhead(this.base + u64(meta.data, offset), word, place, pool);
    }
    return true;
  }

  /** Starts decoding the compressed block at `position` (size word `word`), needed by the file at `place`. */
  private queueAhead(position: number, word: number, place: number, pool: BlockPool): boolean {
    const pending = this.ahead.get(position);
    if (pending && pending.word === word) {
      pending.until = Math.max(pending.until, place);
      return true;
    }
    const size = word & 0xffffff;
    if (pending || !Number.isSafeInteger(position) || position < this.base || position + size > this.end) return true;
    const raw = this.source.read(position, size);
    if (raw.length !== size) return true;
    const job = pool.start(this.codec as Codec, this.superblock.blockSize, [raw]);
    if (!job) return false;
    this.ahead.set(position, { word, job, until: place });
    return true;
  }

  /**
   * Decodes on the pool the compressed data blocks first..end-1 (at most a batch of them) whose size words
   * are in `sizes` (already checked) and bytes in `raw` (read at `disk`) from `p`, taking those decoded
   * ahead. A block missing from the result (the pool is not usable, or it failed there) is for the caller
   * to decode, as the serial path does.
   */
  private decodeBatch(sizes: Uint8Array, raw: Uint8Array, disk: number, p: number, first: number, end: number): DecodedBatch {
    const blockSize = this.superblock.blockSize;
    const limit = Math.max(2, Math.floor(PARALLEL_BATCH_BYTES / blockSize));
    const indexes: number[] = [];
    const inputs: Uint8Array[] = [];
    const aheadIndexes: number[] = [];
    const aheadJobs: BlockJob[] = [];
    let k = first;
    for (; k < end && inputs.length < limit; k++) {
      const word = u32(sizes, k * 4);
      const onDisk = word & 0xffffff;
      const pending = this.ahead.get(disk + p);
      if (pending && pending.word === word) {
        this.ahead.delete(disk + p);
        aheadIndexes.push(k);
        aheadJobs.push(pending.job);
      } else if (onDisk !== 0 && !(word & 0x1000000)) {
        indexes.push(k);
        inputs.push(raw.subarray(p, p + onDisk));
      }
      p += onDisk;
    }
    const blocks = new Map<number, Uint8Array>();
    // One block is decoded here as fast as it would be handed over.
    const decoded = inputs.length >= 2 && this.codec ? this.pool?.decode(this.codec, blockSize, inputs) : undefined;
    decoded?.forEach((block, n) => {
      if (block) blocks.set(indexes[n] as number, block);
    });
    aheadJobs.forEach((job, n) => {
      const block = job.collect()[0];
      if (block) blocks.set(aheadIndexes[n] as number, block);
    });
    return { end: k, blocks };
  }

  private fileContent(file: FileData, maxBytes: number): Uint8Array {
    const blockSize = this.superblock.blockSize;
    const size = file.size;
    const want = Math.min(size, Math.max(0, Math.floor(maxBytes)));
    if (want > 2 ** 32) throw new ImageReadError(`cannot read ${want} bytes at once`);
    const hasFragment = file.fragment !== NO_FRAGMENT;
    const fullBlocks = hasFragment ? Math.floor(size / blockSize) : Math.ceil(size / blockSize);
    const needed = Math.min(fullBlocks, Math.ceil(want / blockSize));
    // Check the block list before the output is allocated: a hostile size cannot make us allocate more
    // than the image's data could fill (sparse blocks aside, which are bounded by maxBytes).
    const sizes = needed > 0 ? this.readMeta({ ...file.blockList }, needed * 4) : new Uint8Array(0);
    let onDiskTotal = 0;
    for (let k = 0; k < needed; k++) onDiskTotal += u32(sizes, k * 4) & 0xffffff;
    if (needed > 0 && this.base + file.blocksStart + onDiskTotal > this.end)
      throw new ImageReadError(`data blocks (${onDiskTotal} bytes at ${file.blocksStart}) run past the end of the image`);
    const out = new Uint8Array(want);
    let disk = this.base + file.blocksStart;
    let i = 0;
    while (i < needed) {
      let j = i;
      let runBytes = 0;
      while (j < needed) {
        const word = u32(sizes, j * 4);
        if (word & ~0x1ffffff) throw new ImageReadError(`block ${j}: invalid size field 0x${word.toString(16)}`);
        const onDisk = word & 0xffffff;
        if (onDisk > blockSize) throw new ImageReadError(`block ${j}: ${onDisk} bytes on disk, more than the block size`);
        if (runBytes + onDisk > READ_CHUNK && j > i) break;
        runBytes += onDisk;
        j++;
      }
      const raw = runBytes > 0 ? this.readAt(disk, runBytes, 'data block') : new Uint8Array(0);
      let p = 0;
      let batch: DecodedBatch | undefined;
      for (let k = i; k < j; k++) {
        const word = u32(sizes, k * 4);
        const onDisk = word & 0xffffff;
        const expected = Math.min(blockSize, size - k * blockSize);
        const outStart = k * blockSize;
        const copy = Math.min(expected, want - outStart);
        if (onDisk !== 0) {
          const data = raw.subarray(p, p + onDisk);
          let block: Uint8Array;
          try {
            if (word & 0x1000000) block = data;
            else {
              if (this.pool && !(batch && k < batch.end)) batch = this.decodeBatch(sizes, raw, disk, p, k, j);
              block = batch?.blocks.get(k) ?? this.decompress(data, blockSize);
            }
          } catch (error) {
            throw new ImageReadError(`block ${k}: ${message(error)}`);
          }
          if (block.length !== expected) throw new ImageReadError(`block ${k}: ${block.length} bytes, expected ${expected}`);
          out.set(copy === block.length ? block : block.subarray(0, copy), outStart);
        }
        p += onDisk;
      }
      disk += runBytes;
      i = j;
    }
    const tailStart = fullBlocks * blockSize;
    if (hasFragment && want > tailStart) {
      const fragment = this.fragment(file.fragment);
      const tail = size - tailStart;
      if (file.fragmentOffset + tail > fragment.length)
        throw new ImageReadError(`tail end (${tail} bytes at ${file.fragmentOffset}) is outside fragment ${file.fragment}`);
      out.set(fragment.subarray(file.fragmentOffset, file.fragmentOffset + (want - tailStart)), tailStart);
    }
    return out;
  }
}

/** A name that is one path component: not empty, '.' or '..', and without separators ('/' or '\\'; NUL is listed as stored). */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\');
}

function refKey(ref: Cursor): string {
  return `${ref.block}:${ref.offset}`;
}

/** Opens a squashfs image file; the caller closes it with `close()`. */
export function openSquashfs(path: string, options: SquashfsOptions = {}): SquashfsImage {
  return SquashfsImage.open(path, options);
}
