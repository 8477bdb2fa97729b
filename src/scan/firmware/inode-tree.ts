// The directory tree of an inode filesystem (ext, jffs2, ubifs, squashfs), as their in-process readers list
// it and serve it through ImageFs. It exists so that the four readers share one walk with one set of bounds
// for hostile images, rather than four copies that drift apart: names that are not one plain path component,
// directory loops (a directory inode met twice), depth, the entry limit, hard links (an inode met again is a
// 'hardlink' entry whose linkTarget is the first path met), and the problems each of these records. What
// differs between the formats (how a directory is read, what identifies an inode, a few problem texts, the
// depth counted, what squashfs does with names that escape) is passed in, not guessed.
//
// The tree also keeps the reader's problems (each part and reason once), since both listing and reading
// record them; InodeTreeFs gives the ImageFs over it, so a reader writes only how a file's bytes are read.
import { entryTypeOfMode, type FsEntry, type ImageFs, ImageReadError, normaliseImagePath, type ReadProblem } from './image-fs.ts';

/** What a reader found for one directory entry: its inode, as the walk needs it. */
export interface FoundInode<K, D, F> {
  /** Identifies the inode: met again under the same key it is the same directory, or a hard link. */
  key: K;
  /**
   * The entry listed at the path inspected, or a function making it when needed: it is not made for a later
   * hard link to the inode (squashfs then does not look the owner ids up again).
   */
  entry: FsEntry | (() => FsEntry);
  /** Present for a directory: what `children` needs to read it. */
  dir?: D;
  /** Present for a regular file: what `read` needs to read it. */
  file?: F;
}

/** How to list one image's tree; C is a directory entry as read, K an inode's identity, D a directory, F a file. */
export interface TreeListing<C extends { name: string }, K, D, F> {
  root: { key: K; dir: D; entry: FsEntry };
  /** Most entries listed; past it the listing stops with a problem. */
  maxEntries: number;
  /** Deepest directory level descended (the root is level 0). */
  maxDepth: number;
  /**
   * Whether a directory exactly maxDepth levels down is still descended (ext, jffs2, ubifs), or only listed
   * (squashfs, whose entries are then at most maxDepth levels down).
   */
  descendAtMaxDepth: boolean;
  /** A directory's entries in listing order; `room` is how many more may be listed (more are not needed). */
  children(dir: D, path: string, room: number): Iterable<C>;
  /** Reads the inode of `child`, to be listed at `path`; throws ImageReadError when it cannot be read. */
  inspect(child: C, path: string): FoundInode<K, D, F>;
  /** The problem recorded at the child's path when `inspect` threw `reason`. */
  unreadable(child: C, reason: string): string;
  /** Whether a name is one plain path component. Default: not empty, '.' or '..', and without '/' or NUL. */
  isPlainName?: (name: string) => boolean;
  /** A name that is not plain: not listed by the walk; the reader reports it (or keeps it for `more`). */
  badName(child: C, path: string, parentPath: string): void;
  /** The problem when the entry limit stops the listing. Default: "listing stopped: more than N entries (limit)". */
  entryLimitReason?: string;
  /**
   * The problem when a name appears twice in one directory (the second is not listed), or false to not
   * check. Default: "the same name appears twice in its directory; the second is not listed".
   */
  duplicateReason?: string | false;
  /** Whether the directories the entry limit left unlisted are counted in a problem at '/'. Default true. */
  countUnlisted?: boolean;
  /**
   * Called when every directory met so far is listed: may list more entries with `add` (at `path`, `depth`
   * levels down, not counted against the entry limit) and returns whether there may be more to add; false
   * ends the listing.
   */
  more?: (add: (child: C, path: string, depth: number) => void) => boolean;
}

/**
 * The entry of an inode whose mode holds POSIX file type bits (ext, jffs2, ubifs); throws ImageReadError for
 * an unknown type. A symlink's target is the reader's to add.
 */
export function posixEntry(path: string, mode: number, uid: number, gid: number, size: number, mtime: number): FsEntry {
  const type = entryTypeOfMode(mode);
  if (!type) throw new ImageReadError(`unknown file type in mode 0o${mode.toString(8)}`);
  return { path, type, mode: mode & 0o7777, uid, gid, size: type === 'file' ? size : 0, mtime };
}

/** Not empty, '.' or '..', and without '/' or NUL: a name that can only ever be one path component. */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

interface Pending<D> {
  path: string;
  dir: D;
  depth: number;
}

/** An image's entries by path (parents before children) and, for each regular file, what reading it needs. */
export class InodeTree<F> {
  readonly problems: ReadProblem[] = [];
  private readonly problemKeys = new Set<string>();
  private readonly byPath = new Map<string, FsEntry>();
  private readonly files = new Map<string, F>();

  /** Records a problem, once per part and reason. */
  problem(part: string, reason: string): void {
    const key = `${part}\u0000${reason}`;
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problems.push({ part, reason });
  }

  /** A name as stored: UTF-8 when it is, else its bytes as Latin-1, with a problem at `where`. */
  decodeName(bytes: Uint8Array, where: string): string {
    try {
      return utf8.decode(bytes);
    } catch {
      const name = latin1.decode(bytes);
      this.problem(where, `name ${JSON.stringify(name)} is not UTF-8; its bytes are shown as Latin-1`);
      return name;
    }
  }

  entries(): Iterable<FsEntry> {
    return this.byPath.values();
  }

  entry(path: string): FsEntry | undefined {
    return this.byPath.get(path) ?? this.byPath.get(normaliseImagePath(path).path);
  }

  /** What reading the regular file listed at exactly `path` needs (no hard link followed). */
  file(path: string): F | undefined {
    return this.files.get(path);
  }

  /**
   * Lists the tree from the root, depth-first in directory order (the first subdirectory is listed next).
   * Returns how many directories the entry limit left unlisted.
   */
  list<C extends { name: string }, K, D>(how: TreeListing<C, K, D, F>): number {
    const { root, maxEntries, maxDepth, descendAtMaxDepth } = how;
    const plain = how.isPlainName ?? isPlainName;
    const duplicateReason = how.duplicateReason ?? 'the same name appears twice in its directory; the second is not listed';
    const byPath = this.byPath;
    byPath.set('/', root.entry);
    const visitedDirs = new Map<K, string>([[root.key, '/']]);
    const firstPath = new Map<K, string>();
    const stack: Array<Pending<D>> = [{ path: '/', dir: root.dir, depth: 0 }];

    const add = (child: C, path: string, depth: number, subdirs: Array<Pending<D>>): void => {
      let found: FoundInode<K, D, F>;
      try {
        found = how.inspect(child, path);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
        this.problem(path, how.unreadable(child, error.message));
        return;
      }
      const { key, dir, file } = found;
      if (dir !== undefined) {
        byPath.set(path, entryOf(found));
        const seen = visitedDirs.get(key);
        if (seen !== undefined) {
          const loop = seen === '/' || path.startsWith(`${seen}/`);
          this.problem(path, loop ? `directory loop: refers back to ${seen}; not descended` : `same directory as ${seen}; not descended`);
          return;
        }
        visitedDirs.set(key, path);
        if (depth > maxDepth || (depth === maxDepth && !descendAtMaxDepth))
          this.problem(path, `not descended: deeper than ${maxDepth} levels (limit)`);
        else subdirs.push({ path, dir, depth });
        return;
      }
      const first = firstPath.get(key);
      if (first !== undefined) {
        const target = byPath.get(first) ?? entryOf(found);
        byPath.set(path, { ...target, path, type: 'hardlink', size: 0, linkTarget: first });
        return;
      }
      firstPath.set(key, path);
      byPath.set(path, entryOf(found));
      if (file !== undefined) this.files.set(path, file);
    };
    const addLater = (child: C, path: string, depth: number): void => {
      const subdirs: Array<Pending<D>> = [];
      add(child, path, depth, subdirs);
      stack.push(...subdirs);
    };

    let full = false;
    while (!full) {
      const frame = stack.pop();
      if (!frame) {
        if (how.more?.(addLater)) continue;
        break;
      }
      const subdirs: Array<Pending<D>> = [];
      for (const child of how.children(frame.dir, frame.path, maxEntries - byPath.size)) {
        if (byPath.size >= maxEntries) {
          this.problem(frame.path, how.entryLimitReason ?? `listing stopped: more than ${maxEntries} entries (limit)`);
          full = true;
          break;
        }
        const path = frame.path === '/' ? `/${child.name}` : `${frame.path}/${child.name}`;
        if (!plain(child.name)) {
          how.badName(child, path, frame.path);
          continue;
        }
        if (duplicateReason !== false && byPath.has(path)) {
          this.problem(path, duplicateReason);
          continue;
        }
        add(child, path, frame.depth + 1, subdirs);
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as Pending<D>);
    }
    const unlisted = full ? stack.length : 0;
    if (unlisted > 0 && how.countUnlisted !== false) this.problem('/', `${unlisted} directories not listed (entry limit)`);
    return unlisted;
  }
}

function entryOf(found: FoundInode<unknown, unknown, unknown>): FsEntry {
  return typeof found.entry === 'function' ? found.entry() : found.entry;
}

/** The ImageFs of an inode filesystem reader: the tree's entries, and file bytes through the reader's `readFile`. */
export abstract class InodeTreeFs<F> implements ImageFs {
  abstract readonly format: string;
  protected readonly tree = new InodeTree<F>();
  readonly problems: ReadProblem[] = this.tree.problems;

  entries(): Iterable<FsEntry> {
    return this.tree.entries();
  }

  entry(path: string): FsEntry | undefined {
    return this.tree.entry(path);
  }

  /**
   * The regular file at `path` (a hard link followed) read by `readFile`; an ImageReadError from it is
   * recorded as a problem at the file's path and thrown again, naming it.
   */
  read(path: string, maxBytes: number): Uint8Array {
    let entry = this.entry(path);
    if (!entry) throw new ImageReadError(`${path}: no such entry in the image`);
    if (entry.type === 'hardlink' && entry.linkTarget !== undefined) entry = this.tree.entry(entry.linkTarget) ?? entry;
    const file = this.tree.file(entry.path);
    if (file === undefined) throw new ImageReadError(`${path}: not a regular file`);
    try {
      return this.readFile(file, entry.path, maxBytes);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      this.problem(entry.path, error.message);
      throw new ImageReadError(`${entry.path}: ${error.message}`);
    }
  }

  /** At most the first `maxBytes` bytes (as asked: not clamped) of the regular file listed at `path`. */
  protected abstract readFile(file: F, path: string, maxBytes: number): Uint8Array;

  protected problem(part: string, reason: string): void {
    this.tree.problem(part, reason);
  }
}
