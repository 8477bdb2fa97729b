// The one view every firmware reader gives of a filesystem inside an image (squashfs, ext, tar, cpio,
// zip, a directory): entries with their metadata, and bounded reads of file contents. Analyzers see only
// this, so they never touch the host's own files and never care which container the files came from.

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo' | 'socket';

export interface FsEntry {
  /** Absolute, normalised path inside the image: starts with '/', no '.', '..' or empty components. */
  path: string;
  type: EntryType;
  /** Permission bits including setuid, setgid and sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Size of a regular file's content in bytes; 0 for everything else. */
  size: number;
  /** Modification time in seconds since the epoch, when the format stores one. */
  mtime?: number;
  /** A symlink's target exactly as stored, or the path a hard link points at. */
  linkTarget?: string;
}

const MODE_TYPES: Record<number, EntryType> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'symlink',
  0o020000: 'char-device',
  0o060000: 'block-device',
  0o010000: 'fifo',
  0o140000: 'socket',
};

/** The type a POSIX mode's file type bits (mode & 0o170000, S_IFMT) give, as most formats store it; undefined when unknown. */
export function entryTypeOfMode(mode: number): EntryType | undefined {
  return MODE_TYPES[mode & 0o170000];
}

/** A part of the image that could not be read, named so that no scan ever looks complete when it is not. */
export interface ReadProblem {
  /** Where: a path inside the image, or a container and offset. */
  part: string;
  reason: string;
}

export interface ImageFs {
  /** What this filesystem is, for people: "squashfs 4.0 (xz)", "tar (gzip)", "cpio (newc)". */
  format: string;
  /** Every entry, each path once, parents before children. */
  entries(): Iterable<FsEntry>;
  /** The entry at a normalised path, without following links. */
  entry(path: string): FsEntry | undefined;
  /** The content of a regular file, at most maxBytes of it; throws ImageReadError when it cannot be read. */
  read(path: string, maxBytes: number): Uint8Array;
  /** Problems met so far: corrupt blocks, unsupported compressors, names that tried to escape. */
  problems: ReadProblem[];
}

/** A part of an image that cannot be read; the scan records it as a ReadProblem and goes on. */
export class ImageReadError extends Error {
  override readonly name = 'ImageReadError';
}

/**
 * Normalises a path from an image so it can only ever name something inside the image: a leading '/'
 * is added, '.' and empty components dropped, and '..' never climbs above the root. Returns the path
 * and whether it had to be clamped (a traversal attempt worth reporting).
 */
export function normaliseImagePath(raw: string): { path: string; escaped: boolean } {
  const parts: string[] = [];
  let escaped = false;
  for (const part of raw.replaceAll('\\', '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) escaped = true;
      else parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { path: `/${parts.join('/')}`, escaped };
}

/**
 * Resolves a path inside the image, following symlinks (absolute ones against the image's root, never the
 * host's) up to a bounded depth so that link loops end. Returns undefined for a dangling or looping path.
 */
export function resolveInImage(fs: Pick<ImageFs, 'entry'>, path: string, maxLinks = 40): FsEntry | undefined {
  let current = normaliseImagePath(path).path;
  for (let hops = 0; hops <= maxLinks; hops++) {
    const parts = current.split('/').filter(Boolean);
    let resolved = '';
    let restart = false;
    for (let i = 0; i < parts.length; i++) {
      const candidate = `${resolved}/${parts[i]}`;
      const entry = fs.entry(candidate);
      if (!entry) return undefined;
      if (entry.type === 'symlink' && entry.linkTarget !== undefined) {
        const rest = parts.slice(i + 1).join('/');
        const base = entry.linkTarget.startsWith('/') ? entry.linkTarget : `${resolved}/${entry.linkTarget}`;
        current = normaliseImagePath(rest ? `${base}/${rest}` : base).path;
        restart = true;
        break;
      }
      if (entry.type === 'hardlink' && entry.linkTarget !== undefined && i === parts.length - 1) {
        current = normaliseImagePath(entry.linkTarget).path;
        restart = true;
        break;
      }
      resolved = candidate;
    }
    if (!restart) return fs.entry(current);
  }
  return undefined;
}
