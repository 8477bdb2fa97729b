// A UBIFS filesystem read in process through ImageFs: on a UBI volume (its LEBs end to end, as UbiImage
// gives them) or a bare mkfs.ubifs image (the same layout in a file).
//
// Opening reads the superblock (LEB 0), the newest valid master node (LEBs 1 and 2), and walks the whole
// index B+tree from the master node's root, keeping where each leaf is by its key: inode nodes, directory
// entries (by parent inode) and data blocks (by inode and block number). The tree is then listed from the
// root inode (1) through the directory entries; file contents are read on demand, block by block (4 KiB
// each; a missing block is a hole), each data node decompressed with its own compressor.
//
// What is read: compression none, lzo, zlib (raw deflate, as UBIFS writes it) and zstd; regular files,
// directories, symlinks (the target is the inode's data), hard links (several entries for one inode),
// devices, fifos and sockets (device numbers not kept), authenticated images (their longer index branches;
// the hashes and HMACs are not checked). Every node read has its CRC checked.
// What is not: the journal. Changes written since the last commit are in the log's buds, not in the index:
// they are not replayed, and when the log refers to any bud that is reported (recent changes may be
// missing). Encrypted files and names (fscrypt) are listed as stored, and their contents are not readable.
// Extended attributes are not read.
//
// Hostile images: every node position is checked against the LEB size and count; the index walk is bounded
// in levels (children must be one level below their parent), in nodes, and an index node met twice is a
// loop; directory loops, names with '/' or NUL, '.', '..' and empty names are reported and not listed;
// depth and entries are bounded; a data block is at most 4 KiB decompressed. A part that cannot be read is a
// ReadProblem (and `read` throws ImageReadError); opening throws ImageReadError only when the superblock,
// the master node or the root of the index cannot be read.
import { constants as bufferConstants } from 'node:buffer';
import { type ByteSource, FileSource } from '../byte-source.ts';
import { type Codec, decompress } from '../compression/index.ts';
import { entryTypeOfMode, type FsEntry, ImageReadError } from '../image-fs.ts';
import { InodeTreeFs, posixEntry } from '../inode-tree.ts';
import {
  BLOCK_SIZE,
  COMMON_HEADER_SIZE,
  comprName,
  type DentNode,
  INODE_FLAG_CRYPT,
  type InodeNode,
  KEY,
  MAX_INO_DATA,
  MST_LNUM,
  MST_NODE_SIZE,
  NODE,
  nodeCrcValid,
  parseCommonHeader,
  parseDataNode,
  parseDentNode,
  parseIndexNode,
  parseInodeNode,
  parseMaster,
  parseSuperblock,
  type Master,
  ROOT_INO,
  SB_FLAG,
  SB_NODE_SIZE,
  type Superblock,
  u32,
} from './ubifs-format.ts';

export interface UbifsOptions {
  /** Most entries listed; past it the listing stops with a problem. Default 1,000,000. */
  maxEntries?: number;
  /** Deepest directory level descended. Default 256. */
  maxDepth?: number;
  /** Most index nodes and leaves kept from the index walk. Default 8,000,000. */
  maxIndexEntries?: number;
}

const DEFAULTS: Required<UbifsOptions> = {
  maxEntries: 1_000_000,
  maxDepth: 256,
  maxIndexEntries: 8_000_000,
};

const CODECS: Record<number, Codec | 'none'> = { 0: 'none', 1: 'lzo', 2: 'deflate', 3: 'zstd' };

/** Where a node is. */
interface Ref {
  lnum: number;
  offs: number;
  len: number;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Opens the bare UBIFS image (mkfs.ubifs output) in the file at `path` (closed again by `close`). */
export function openUbifs(path: string, options: UbifsOptions = {}): UbifsImage {
  const source = FileSource.open(path);
  try {
    return new UbifsImage(source, options);
  } catch (error) {
    source.close();
    throw error;
  }
}

export class UbifsImage extends InodeTreeFs<number> {
  readonly format: string;
  readonly superblock: Superblock;
  readonly master: Master;

  private readonly source: ByteSource;
  private readonly options: Required<UbifsOptions>;
  private readonly inodeRefs = new Map<number, Ref>();
  private readonly dentRefs = new Map<number, Ref[]>();
  /** Per inode: [block, lnum, offs, len] flattened, sorted by block once listed. */
  private readonly dataRefs = new Map<number, number[]>();
  private readonly inodes = new Map<number, InodeNode>();
  /** LEB size and count; only the superblock's first LEB until the superblock is read. */
  private geometry = { lebSize: SB_NODE_SIZE, lebCount: 1 };

  constructor(source: ByteSource, options: UbifsOptions = {}) {
    super();
    this.source = source;
    this.options = { ...DEFAULTS, ...options };
    const sbNode = this.readNode({ lnum: 0, offs: 0, len: SB_NODE_SIZE }, NODE.sb, 'superblock', true);
    const sb = parseSuperblock(sbNode);
    this.superblock = sb;
    this.geometry = { lebSize: sb.lebSize, lebCount: sb.lebCount };
    if (sb.keyFormat !== 0) throw new ImageReadError(`ubifs: key format ${sb.keyFormat} is not supported (only the simple one exists)`);
    this.master = this.findMaster();
    const flags = [
      sb.flags & SB_FLAG.authentication ? 'authenticated' : '',
      sb.flags & SB_FLAG.encryption ? 'encryption enabled' : '',
    ].filter(Boolean);
    this.format = `ubifs (${comprName(sb.defaultCompressor)}, LEB ${kib(sb.lebSize)}${flags.length ? `, ${flags.join(', ')}` : ''})`;
    if (sb.flags & SB_FLAG.authentication) this.problem('ubifs', 'the image is authenticated: its index hashes and HMACs are not checked');
    this.checkLog();
    this.walkIndex();
    if (!this.inodeRefs.has(ROOT_INO)) throw new ImageReadError('ubifs: the index has no root directory inode');
    this.list();
  }

  close(): void {
    this.source.close();
  }

  protected readFile(inum: number, _path: string, maxBytes: number): Uint8Array {
    return this.content(inum, Math.max(0, Math.min(maxBytes, bufferConstants.MAX_LENGTH)));
  }

  // --- nodes -----------------------------------------------------------------------------------------

  /** The node at `ref`, checked: inside the filesystem, magic, length, type and CRC. */
  private readNode(ref: Ref, type: number, what: string, opening = false): Uint8Array {
    const where = `${what} at LEB ${ref.lnum}:${ref.offs}`;
    const fail = (reason: string): ImageReadError => new ImageReadError(`${opening ? 'ubifs: ' : ''}${where}: ${reason}`);
    const { lebSize, lebCount } = this.geometry;
    if (ref.lnum >= lebCount || ref.len < COMMON_HEADER_SIZE || ref.offs + ref.len > lebSize || ref.offs % 8 !== 0)
      throw fail(`position or length ${ref.len} outside the filesystem (${lebCount} LEBs of ${lebSize} bytes)`);
    const bytes = this.source.read(ref.lnum * lebSize + ref.offs, ref.len);
    if (bytes.length !== ref.len) throw fail('beyond the end of the image');
    const header = parseCommonHeader(bytes);
    if (!header) throw fail('no node there (bad magic)');
    if (header.nodeType !== type) throw fail(`a node of type ${header.nodeType}, not ${type}`);
    if (header.length !== ref.len) throw fail(`node of ${header.length} bytes, expected ${ref.len}`);
    if (!nodeCrcValid(bytes, header.length)) throw fail('CRC mismatch');
    return bytes;
  }

  /** The newest valid master node in LEB 1 or its copy in LEB 2 (nodes are appended at min-I/O-aligned places). */
  private findMaster(): Master {
    const sb = this.superblock;
    const step = align(MST_NODE_SIZE, Math.max(8, sb.minIoSize));
    let best: Master | undefined;
    for (const lnum of [MST_LNUM, MST_LNUM + 1]) {
      for (let offs = 0; offs + MST_NODE_SIZE <= sb.lebSize; offs += step) {
        const bytes = this.source.read(lnum * sb.lebSize + offs, MST_NODE_SIZE);
        const header = parseCommonHeader(bytes);
        // Erased flash: no master node was written past here.
        if (!header && bytes.subarray(0, COMMON_HEADER_SIZE).every((b) => b === 0xff)) break;
        if (!header) continue;
        if (header.nodeType !== NODE.mst || header.length !== MST_NODE_SIZE || !nodeCrcValid(bytes, MST_NODE_SIZE)) continue;
        try {
          const master = parseMaster(bytes, header.sqnum);
          if (!best || master.sqnum > best.sqnum) best = master;
        } catch (error) {
          if (!(error instanceof ImageReadError)) throw error;
        }
      }
    }
    if (!best) throw new ImageReadError('ubifs: no valid master node in LEBs 1 and 2');
    return best;
  }

  /** Reports a journal that holds changes the index does not (reference nodes after the commit start node). */
  private checkLog(): void {
    const sb = this.superblock;
    const lnum = this.master.logLnum;
    if (lnum >= sb.lebCount) {
      this.problem('ubifs', `the master node's log LEB ${lnum} is outside the filesystem`);
      return;
    }
    let refs = 0;
    let offs = 0;
    const unit = Math.max(8, sb.minIoSize);
    while (offs + COMMON_HEADER_SIZE <= sb.lebSize) {
      const head = this.source.read(lnum * sb.lebSize + offs, COMMON_HEADER_SIZE);
      const header = parseCommonHeader(head);
      if (!header) {
        if (head.every((b) => b === 0xff)) break;
        offs = align(offs + 1, unit);
        continue;
      }
      if (header.length < COMMON_HEADER_SIZE || offs + header.length > sb.lebSize) break;
      if (header.nodeType === NODE.ref) refs++;
      // A padding node is followed by its padding (pad_len bytes) up to the next write unit.
      const padding = header.nodeType === NODE.pad ? u32(this.source.read(lnum * sb.lebSize + offs + 24, 4), 0) : 0;
      offs = align(offs + header.length + padding, 8);
    }
    if (refs > 0)
      this.problem(
        'ubifs',
        `the journal refers to ${refs} bud${refs === 1 ? '' : 's'} written since the last commit; ${refs === 1 ? 'it is' : 'they are'} not replayed, so the most recent changes may be missing`,
      );
  }

  private walkIndex(): void {
    const root: Ref & { level?: number } = { lnum: this.master.rootLnum, offs: this.master.rootOffs, len: this.master.rootLen };
    const stack: Array<Ref & { level?: number }> = [root];
    const lebSize = this.superblock.lebSize;
    const visited = new Set<number>();
    let kept = 0;
    let first = true;
    while (stack.length > 0) {
      const ref = stack.pop() as Ref & { level?: number };
      let index;
      try {
        const bytes = this.readNode(ref, NODE.idx, 'index node', first);
        index = parseIndexNode(bytes, ref.len);
        if (ref.level !== undefined && index.level !== ref.level)
          throw new ImageReadError(`index node of level ${index.level} where level ${ref.level} was expected`);
      } catch (error) {
        if (!(error instanceof ImageReadError) || first) throw error;
        this.problem('ubifs index', `${message(error)}; the entries under it are missing`);
        continue;
      }
      first = false;
      for (const branch of index.branches) {
        if (++kept > this.options.maxIndexEntries) {
          this.problem('ubifs index', `walk stopped: more than ${this.options.maxIndexEntries} index entries (limit)`);
          return;
        }
        const child: Ref = { lnum: branch.lnum, offs: branch.offs, len: branch.len };
        if (index.level > 0) {
          const at = branch.lnum * lebSize + branch.offs;
          if (visited.has(at)) {
            this.problem('ubifs index', `index node at LEB ${branch.lnum}:${branch.offs} is referred to twice (a loop); followed once`);
            continue;
          }
          visited.add(at);
          stack.push({ ...child, level: index.level - 1 });
          continue;
        }
        const { inum, type, value } = branch.key;
        if (type === KEY.ino) this.inodeRefs.set(inum, child);
        else if (type === KEY.dent) {
          let list = this.dentRefs.get(inum);
          if (!list) this.dentRefs.set(inum, (list = []));
          list.push(child);
        } else if (type === KEY.data) {
          let list = this.dataRefs.get(inum);
          if (!list) this.dataRefs.set(inum, (list = []));
          list.push(value, child.lnum, child.offs, child.len);
        }
        // Extended attribute entries (KEY.xent) are not read.
      }
    }
  }

  private inode(inum: number): InodeNode {
    const hit = this.inodes.get(inum);
    if (hit) return hit;
    const ref = this.inodeRefs.get(inum);
    if (!ref) throw new ImageReadError(`inode ${inum} is not in the index`);
    const bytes = this.readNode(ref, NODE.ino, `inode ${inum}`);
    const node = parseInodeNode(bytes, ref.len);
    if (node.key.inum !== inum || node.key.type !== KEY.ino)
      throw new ImageReadError(`the index's inode ${inum} leads to the node of inode ${node.key.inum}`);
    // Keep only what is needed: the target of a symlink is at most 4 KiB; a copy so the read buffer is not pinned.
    const kept = { ...node, data: new Uint8Array(node.data.subarray(0, Math.min(node.dataLength, MAX_INO_DATA))) };
    this.inodes.set(inum, kept);
    return kept;
  }

  /** The first `maxBytes` bytes (at most the size) of an inode's data. */
  private content(inum: number, maxBytes: number): Uint8Array {
    const inode = this.inode(inum);
    const want = Math.min(inode.size, maxBytes);
    const out = new Uint8Array(want);
    if (want === 0) return out;
    if (inode.flags & INODE_FLAG_CRYPT) throw new ImageReadError('the file is encrypted (fscrypt); its contents cannot be read');
    const refs = this.dataRefs.get(inum) ?? [];
    const blocks = Math.ceil(want / BLOCK_SIZE);
    for (let i = 0; i < refs.length; i += 4) {
      const block = refs[i] as number;
      if (block >= blocks) continue;
      const ref = { lnum: refs[i + 1] as number, offs: refs[i + 2] as number, len: refs[i + 3] as number };
      const bytes = this.readNode(ref, NODE.data, `inode ${inum} block ${block}`);
      const node = parseDataNode(bytes, ref.len);
      if (node.key.inum !== inum || node.key.value !== block)
        throw new ImageReadError(`the index's block ${block} of inode ${inum} leads to block ${node.key.value} of inode ${node.key.inum}`);
      const codec = CODECS[node.compressor];
      if (!codec) throw new ImageReadError(`block ${block}: compressed with ${comprName(node.compressor)}, which is not supported`);
      let data: Uint8Array;
      try {
        data = codec === 'none' ? node.data : decompress(codec, node.data, BLOCK_SIZE);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
        throw new ImageReadError(`block ${block} (${comprName(node.compressor)}): ${error.message}`);
      }
      if (data.length < node.size) throw new ImageReadError(`block ${block}: ${data.length} bytes of data, the node says ${node.size}`);
      const start = block * BLOCK_SIZE;
      out.set(data.subarray(0, Math.min(node.size, want - start)), start);
    }
    return out;
  }

  // --- listing ---------------------------------------------------------------------------------------

  private toEntry(path: string, inum: number): FsEntry {
    const node = this.inode(inum);
    const entry = posixEntry(path, node.mode, node.uid, node.gid, node.size, node.mtime);
    if (entry.type === 'symlink') {
      if (node.flags & INODE_FLAG_CRYPT) this.problem(path, 'the symlink is encrypted (fscrypt); its target is shown as stored');
      entry.linkTarget = this.tree.decodeName(node.data, path);
    }
    return entry;
  }

  private children(inum: number, where: string): Array<{ name: string; dent: DentNode }> {
    const out: Array<{ name: string; dent: DentNode }> = [];
    for (const ref of this.dentRefs.get(inum) ?? []) {
      try {
        const bytes = this.readNode(ref, NODE.dent, `directory entry of inode ${inum}`);
        const dent = parseDentNode(bytes, ref.len);
        if (dent.key.inum !== inum || dent.key.type !== KEY.dent)
          throw new ImageReadError(`entry keyed to inode ${dent.key.inum}, listed under ${inum}`);
        if (dent.inum === 0) continue;
        out.push({ name: this.tree.decodeName(dent.name, where), dent: { ...dent, name: new Uint8Array(dent.name) } });
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
        this.problem(where, `directory entry unreadable: ${message(error)}`);
      }
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out;
  }

  private list(): void {
    const rootInode = this.inode(ROOT_INO);
    if (entryTypeOfMode(rootInode.mode) !== 'directory')
      throw new ImageReadError(`ubifs: the root inode is not a directory (mode 0o${rootInode.mode.toString(8)})`);
    const { maxEntries, maxDepth } = this.options;
    this.tree.list<{ name: string; dent: DentNode }, number, number>({
      root: { key: ROOT_INO, dir: ROOT_INO, entry: this.toEntry('/', ROOT_INO) },
      maxEntries,
      maxDepth,
      descendAtMaxDepth: true,
      children: (inum, path) => this.children(inum, path),
      inspect: ({ dent }, path) => {
        const entry = this.toEntry(path, dent.inum);
        return {
          key: dent.inum,
          entry,
          dir: entry.type === 'directory' ? dent.inum : undefined,
          file: entry.type === 'file' ? dent.inum : undefined,
        };
      },
      unreadable: ({ dent }, reason) => `cannot read inode ${dent.inum}: ${reason}`,
      badName: ({ name }, _path, parentPath) =>
        this.problem(parentPath, `entry named ${JSON.stringify(name)} would escape or break the path; not listed`),
    });
    // Metadata of inodes other than directories is no longer needed once listed (symlink targets are in the entries).
    for (const [inum, node] of this.inodes) if (entryTypeOfMode(node.mode) !== 'file') this.inodes.delete(inum);
  }
}
