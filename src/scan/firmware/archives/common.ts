// What the tar, cpio and zip readers share: their limits, the table of entries they fill (names
// normalised and kept inside the image, later duplicates winning as extraction would, implicit parent
// directories made, hard links checked) and the ImageFs they give, which reads a file's bytes through
// the reader's own `readData`.
import { type FsEntry, type ImageFs, ImageReadError, normaliseImagePath, type ReadProblem } from '../image-fs.ts';
import type { ByteSource } from '../byte-source.ts';

export interface ArchiveOptions {
  /** Most entries listed; past it the listing stops with a problem. Default 1,000,000. */
  maxEntries?: number;
  /** Most bytes a compressed archive may decompress to (a bomb stops there, with a problem). Default 4 GiB. */
  maxTotalBytes?: number;
  /** Most bytes decompressed in memory (codecs without a stream API, compressed parts of a cpio). Default 1 GiB. */
  maxInMemoryBytes?: number;
  /** Longest member name or link target, in bytes. Default 4096 (PATH_MAX). */
  maxNameLength?: number;
  /** Folder for the temporary file a compressed archive is decompressed into. Default: the OS's temporary folder. */
  workDir?: string;
}

export type ArchiveLimits = Required<Omit<ArchiveOptions, 'workDir'>> & { workDir: string | undefined };

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxEntries: 1_000_000,
  maxTotalBytes: 4 * 2 ** 30,
  maxInMemoryBytes: 2 ** 30,
  maxNameLength: 4096,
  workDir: undefined,
};

export function limitsOf(options: ArchiveOptions): ArchiveLimits {
  const limits = { ...DEFAULT_LIMITS, ...options };
  for (const key of ['maxEntries', 'maxTotalBytes', 'maxInMemoryBytes', 'maxNameLength'] as const) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] < 0)
      throw new RangeError(`${key} must be a non-negative integer, not ${limits[key]}`);
  }
  return limits;
}

/** Problems are capped so that a hostile archive cannot make the report itself huge. */
const MAX_PROBLEMS = 10_000;

export class Problems {
  readonly list: ReadProblem[] = [];
  private readonly keys = new Set<string>();

  add(part: string, reason: string): void {
    const key = `${part}\u0000${reason}`;
    if (this.keys.has(key) || this.list.length > MAX_PROBLEMS) return;
    this.keys.add(key);
    if (this.list.length === MAX_PROBLEMS)
      this.list.push({ part: 'archive', reason: `more than ${MAX_PROBLEMS} problems; the rest are not recorded` });
    else this.list.push({ part, reason });
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Bytes up to the first NUL. */
export function cString(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** A name from an archive: UTF-8 when it is, else its bytes as Latin-1 (with a problem). */
export function decodeName(bytes: Uint8Array, problems: Problems, where: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const name = latin1.decode(bytes);
    problems.add(where, `name ${JSON.stringify(name)} is not UTF-8; its bytes are shown as Latin-1`);
    return name;
  }
}

export interface NewEntry {
  type: FsEntry['type'];
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime?: number;
  linkTarget?: string;
}

/**
 * The entries of an archive as they are met, with where each file's data is (`D`, the reader's own
 * locator). Archives list members in any order, with or without their directories, and may list a path
 * twice: parents are made when missing, a later member replaces an earlier one at the same path (as
 * extracting the archive would), and names that climb out are clamped inside and reported.
 */
export class EntryTable<D> {
  readonly byPath = new Map<string, FsEntry>();
  readonly data = new Map<string, D>();
  private readonly implicit = new Set<string>(['/']);
  private readonly problems: Problems;
  private readonly maxEntries: number;

  constructor(problems: Problems, maxEntries: number) {
    this.problems = problems;
    this.maxEntries = maxEntries;
    this.byPath.set('/', { path: '/', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0 });
  }

  /** Whether the entry limit has been reached (the caller stops listing). */
  isFull(): boolean {
    return this.byPath.size >= this.maxEntries;
  }

  /** Adds a member named `raw`; returns the entry, or undefined when the entry limit stops it. */
  add(raw: string, fields: NewEntry, data?: D): FsEntry | undefined {
    const { path, escaped } = normaliseImagePath(raw);
    if (escaped || raw.startsWith('/') || raw.startsWith('\\'))
      this.problems.add(
        path,
        `member name ${JSON.stringify(raw)} ${escaped ? 'climbs out of the archive (path traversal)' : 'is absolute'}; kept as ${path}`,
      );
    if (path === '/' && fields.type !== 'directory') {
      this.problems.add('/', `a ${fields.type} member named ${JSON.stringify(raw)} would replace the root; ignored`);
      return undefined;
    }
    if (!this.makeParents(path)) return undefined;
    const existing = this.byPath.get(path);
    if (existing) {
      if (!this.implicit.has(path))
        this.problems.add(
          path,
          `listed more than once (${existing.type}, then ${fields.type}); the later one is kept, as extraction would`,
        );
    } else if (this.isFull()) {
      this.problems.add(path, `listing stopped after ${this.maxEntries} entries (limit)`);
      return undefined;
    }
    this.implicit.delete(path);
    const entry: FsEntry = { path, type: fields.type, mode: fields.mode & 0o7777, uid: fields.uid, gid: fields.gid, size: fields.size };
    if (fields.mtime !== undefined && Number.isFinite(fields.mtime)) entry.mtime = fields.mtime;
    if (fields.linkTarget !== undefined) entry.linkTarget = fields.linkTarget;
    this.byPath.set(path, entry);
    if (data !== undefined) this.data.set(path, data);
    else this.data.delete(path);
    return entry;
  }

  private makeParents(path: string): boolean {
    const parts = path.split('/').filter(Boolean);
    let at = '';
    for (let i = 0; i < parts.length - 1; i++) {
      at = `${at}/${parts[i]}`;
      const parent = this.byPath.get(at);
      if (parent) {
        if (parent.type === 'symlink')
          this.problems.add(
            path,
            `written through the symlink ${at} -> ${parent.linkTarget ?? '?'} (extracting would write wherever it points); recorded, not followed`,
          );
        else if (parent.type !== 'directory') this.problems.add(path, `its parent ${at} is a ${parent.type}, not a directory`);
        continue;
      }
      if (this.isFull()) {
        this.problems.add(path, `listing stopped after ${this.maxEntries} entries (limit)`);
        return false;
      }
      this.byPath.set(at, { path: at, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0 });
      this.implicit.add(at);
    }
    return true;
  }

  /** Hard links: the target is normalised like a name, and must be a member. */
  hardLinkTarget(raw: string, where: string): string {
    const { path, escaped } = normaliseImagePath(raw);
    if (escaped || raw.startsWith('/'))
      this.problems.add(
        where,
        `hard link target ${JSON.stringify(raw)} ${escaped ? 'climbs out of the archive' : 'is absolute'}; taken as ${path}`,
      );
    return path;
  }

  /** Checks, once listed, that every hard link names a file. */
  finish(): void {
    for (const entry of this.byPath.values()) {
      if (entry.type !== 'hardlink' || entry.linkTarget === undefined) continue;
      const target = this.byPath.get(entry.linkTarget);
      if (!target) this.problems.add(entry.path, `hard link to ${entry.linkTarget}, which is not in the archive`);
      else if (target.type === 'directory') this.problems.add(entry.path, `hard link to the directory ${entry.linkTarget}`);
    }
  }
}

/** The ImageFs of an archive: the table's entries, and file bytes through the reader's `readData`. */
export abstract class ArchiveFs<D> implements ImageFs {
  format: string;
  readonly problems: ReadProblem[];
  protected readonly log: Problems;
  protected readonly table: EntryTable<D>;
  protected readonly limits: ArchiveLimits;

  constructor(format: string, options: ArchiveOptions, log = new Problems()) {
    this.format = format;
    this.limits = limitsOf(options);
    this.log = log;
    this.problems = log.list;
    this.table = new EntryTable<D>(log, this.limits.maxEntries);
  }

  entries(): Iterable<FsEntry> {
    return this.table.byPath.values();
  }

  entry(path: string): FsEntry | undefined {
    return this.table.byPath.get(path) ?? this.table.byPath.get(normaliseImagePath(path).path);
  }

  read(path: string, maxBytes: number): Uint8Array {
    let entry = this.entry(path);
    if (!entry) throw new ImageReadError(`${path}: no such entry in the archive`);
    // A hard link reads as the file it names (a chain of them is followed a few steps, never in a loop).
    for (let hops = 0; entry.type === 'hardlink' && hops < 8; hops++) {
      const target: FsEntry | undefined = entry.linkTarget === undefined ? undefined : this.table.byPath.get(entry.linkTarget);
      if (!target) throw new ImageReadError(`${path}: hard link to ${entry.linkTarget ?? '?'}, which is not in the archive`);
      entry = target;
    }
    if (entry.type !== 'file') throw new ImageReadError(`${path}: not a regular file`);
    const data = this.table.data.get(entry.path);
    if (data === undefined) throw new ImageReadError(`${path}: its data is not in the archive`);
    const want = Math.min(entry.size, Math.max(0, Math.floor(maxBytes)));
    try {
      return this.readData(entry, data, want);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      this.log.add(entry.path, error.message);
      throw new ImageReadError(`${entry.path}: ${error.message}`);
    }
  }

  /** The first `want` bytes (want <= entry.size) of a file's content. */
  protected abstract readData(entry: FsEntry, data: D, want: number): Uint8Array;

  close(): void {}
}

/** Exactly `length` bytes at `position` of a source, or an ImageReadError. */
export function readExactly(source: ByteSource, position: number, length: number, what: string): Uint8Array {
  if (position < 0 || length < 0 || position + length > source.size)
    throw new ImageReadError(`${what} at ${position} (+${length}) is outside the archive (${source.size} bytes)`);
  const bytes = source.read(position, length);
  if (bytes.length !== length) throw new ImageReadError(`${what} at ${position}: short read`);
  return bytes;
}

/** Octal digits as GNU tar and cpio odc write them (leading spaces, NUL or space terminated); NaN when not. */
export function parseOctal(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0)) i++;
  let value = 0;
  let digits = 0;
  for (; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return Number.NaN;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  for (; i < bytes.length; i++) if (bytes[i] !== 0 && bytes[i] !== 0x20) return Number.NaN;
  if (!Number.isSafeInteger(value)) return Number.NaN;
  return digits === 0 ? 0 : value;
}
