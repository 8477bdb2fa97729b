// Zip archives read in process through ImageFs. Hand-written: the zip libraries on npm are asynchronous
// (callbacks or streams) and ImageFs is synchronous; a zip needs only its end record, its central
// directory and one positioned read per member, and its deflate is node:zlib's (the `deflate` codec).
//
// What is read: the end of central directory record (searched for in the last 64 KiB + 22 bytes, as the
// comment may be that long) and its zip64 form, the central directory (names, sizes, methods, external
// attributes, zip64 and Info-ZIP extra fields: Unicode path, UT timestamps, Unix uid/gid), and each local
// header, to find the data. Methods: stored (0) and deflate (8); any other method, and encrypted members,
// are listed with a problem and cannot be read. Unix modes come from the external attributes when the
// archive was made on Unix (symlinks are S_IFLNK members whose content is the target); otherwise a name
// ending in '/' is a directory. Times come from the UT extra field, else the DOS date and time, taken as UTC.
//
// Hostile archives: every offset and size is checked against the file; the member count is bounded by
// what the central directory's size can hold; a deflated member's output is bounded by its declared
// size (and maxTotalBytes) and its CRC-32 is checked when it is read whole.
import { crc32 } from 'node:zlib';
import { decompress } from '../compression/index.ts';
import { entryTypeOfMode, type FsEntry, ImageReadError, normaliseImagePath } from '../image-fs.ts';
import { type ByteSource, FileSource } from '../byte-source.ts';
import { type ArchiveOptions, ArchiveFs, decodeName, type NewEntry, readExactly } from './common.ts';

interface ZipData {
  /** Where the member's (compressed) bytes start, or undefined when its local header is bad. */
  dataAt: number;
  compressedSize: number;
  method: number;
  crc: number;
  encrypted: boolean;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

function u16(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}
function u32(b: Uint8Array, i: number): number {
  return (u16(b, i) | (u16(b, i + 2) << 16)) >>> 0;
}
/** A 64-bit field; values beyond 2^53 come back as Infinity (and fail every bounds check). */
function u64(b: Uint8Array, i: number): number {
  const value = u32(b, i + 4) * 2 ** 32 + u32(b, i);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

/** The extra fields of a header, by id (the first of each id). */
function extraFields(extra: Uint8Array): Map<number, Uint8Array> {
  const fields = new Map<number, Uint8Array>();
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const size = u16(extra, p + 2);
    if (p + 4 + size > extra.length) break;
    if (!fields.has(id)) fields.set(id, extra.subarray(p + 4, p + 4 + size));
    p += 4 + size;
  }
  return fields;
}

/** A DOS date and time, taken as UTC (the zone it was written in is not recorded). */
function dosTime(date: number, time: number): number {
  const ms = Date.UTC(1980 + (date >>> 9), ((date >>> 5) & 15) - 1, date & 31, time >>> 11, (time >>> 5) & 63, (time & 31) * 2);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

export class ZipFs extends ArchiveFs<ZipData> {
  private readonly source: ByteSource;

  /** Lists the zip in `source` (whose closing is then this reader's). Throws ImageReadError when it is not a zip. */
  constructor(source: ByteSource, options: ArchiveOptions = {}) {
    super('zip', options);
    this.source = source;
    this.list();
    this.table.finish();
  }

  override close(): void {
    this.source.close();
  }

  protected readData(entry: FsEntry, data: ZipData, want: number): Uint8Array {
    if (data.encrypted) throw new ImageReadError('encrypted member');
    if (data.method === 0) {
      if (data.compressedSize < entry.size)
        throw new ImageReadError(`stored member of ${entry.size} bytes has ${data.compressedSize} in the archive`);
      const bytes = readExactly(this.source, data.dataAt, want, 'member data');
      if (want === entry.size) this.checkCrc(bytes, data);
      return this.source instanceof FileSource ? bytes : bytes.slice();
    }
    if (data.method !== 8) throw new ImageReadError(`compression method ${data.method} is not supported (only stored and deflate)`);
    if (entry.size > this.limits.maxTotalBytes)
      throw new ImageReadError(`member of ${entry.size} bytes, more than ${this.limits.maxTotalBytes} (limit)`);
    const raw = readExactly(this.source, data.dataAt, data.compressedSize, 'member data');
    const out = decompress('deflate', raw, entry.size);
    if (out.length !== entry.size) throw new ImageReadError(`deflate data gives ${out.length} bytes, the directory says ${entry.size}`);
    this.checkCrc(out, data);
    return want === out.length ? out : out.subarray(0, want);
  }

  private checkCrc(bytes: Uint8Array, data: ZipData): void {
    const crc = crc32(bytes) >>> 0;
    if (crc !== data.crc) throw new ImageReadError(`CRC-32 mismatch (stored ${data.crc.toString(16)}, computed ${crc.toString(16)})`);
  }

  /** The end of central directory record: the last signature whose comment ends exactly at the end of the file. */
  private findEnd(): { at: number; record: Uint8Array } {
    const size = this.source.size;
    if (size < 22) throw new ImageReadError('zip: too short for an end of central directory record');
    const from = Math.max(0, size - 22 - MAX_COMMENT);
    const tail = this.source.read(from, size - from);
    let fallback: number | undefined;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (u32(tail, i) !== EOCD) continue;
      if (i + 22 + u16(tail, i + 20) === tail.length) return { at: from + i, record: tail.subarray(i, i + 22) };
      fallback ??= i;
    }
    if (fallback !== undefined) {
      this.log.add('end of central directory', 'its comment length does not match the end of the file (data appended?)');
      return { at: from + fallback, record: tail.subarray(fallback, fallback + 22) };
    }
    throw new ImageReadError('zip: no end of central directory record (not a zip, or truncated)');
  }

  private list(): void {
    const source = this.source;
    const log = this.log;
    const end = this.findEnd();
    let count = u16(end.record, 10);
    let cdSize = u32(end.record, 12);
    let cdOffset = u32(end.record, 16);
    let cdEnd = end.at;
    if (u16(end.record, 4) !== 0 || u16(end.record, 6) !== 0)
      log.add('end of central directory', 'multi-disk (spanned) archive; only this part is read');
    if (end.at >= 20) {
      const locator = source.read(end.at - 20, 20);
      if (u32(locator, 0) === EOCD64_LOCATOR) {
        const at = u64(locator, 8);
        const record = at + 56 <= end.at ? source.read(at, 56) : new Uint8Array(0);
        if (record.length === 56 && u32(record, 0) === EOCD64) {
          count = u64(record, 32);
          cdSize = u64(record, 40);
          cdOffset = u64(record, 48);
          cdEnd = at;
        } else log.add('zip64 end of central directory', `not found at ${at}; the 32-bit record is used`);
      }
    }
    // The central directory ends where the end record starts; when its stated offset disagrees, the
    // archive has data before it (a self-extractor's stub, a firmware header), and offsets are shifted.
    let bias = 0;
    if (cdSize > cdEnd) throw new ImageReadError(`zip: central directory of ${cdSize} bytes does not fit before its end record`);
    const expected = cdEnd - cdSize;
    if (cdOffset !== expected) {
      const at = cdOffset + 4 <= source.size ? source.read(cdOffset, 4) : new Uint8Array(0);
      if (at.length === 4 && u32(at, 0) === CENTRAL && cdOffset + cdSize <= cdEnd) {
        /* the stated offset is good; data between the directory and the end record */
      } else {
        bias = expected - cdOffset;
        log.add('central directory', `stated at ${cdOffset}, found at ${expected}: offsets shifted by ${bias} bytes`);
        cdOffset = expected;
      }
    }
    const directory = readExactly(source, cdOffset, cdSize, 'central directory');
    if (count > Math.floor(cdSize / 46)) {
      log.add('central directory', `claims ${count} members, room for at most ${Math.floor(cdSize / 46)}`);
      count = Math.floor(cdSize / 46);
    }
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > directory.length || u32(directory, p) !== CENTRAL) {
        log.add(
          `central directory offset ${cdOffset + p}`,
          `member ${n + 1} of ${count}: no central directory header; the listing stops there`,
        );
        break;
      }
      const h = directory.subarray(p, p + 46);
      const nameLength = u16(h, 28);
      const extraLength = u16(h, 30);
      const commentLength = u16(h, 32);
      const next = p + 46 + nameLength + extraLength + commentLength;
      if (next > directory.length) {
        log.add(`central directory offset ${cdOffset + p}`, 'a header runs past the end of the central directory; the listing stops there');
        break;
      }
      const nameBytes = directory.subarray(p + 46, p + 46 + nameLength);
      const extras = extraFields(directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
      p = next;
      this.member(h, nameBytes, extras, bias);
      if (this.table.isFull()) {
        log.add('central directory', `listing stopped after ${this.limits.maxEntries} entries (limit)`);
        break;
      }
    }
  }

  private member(h: Uint8Array, nameBytes: Uint8Array, extras: Map<number, Uint8Array>, bias: number): void {
    const log = this.log;
    const flags = u16(h, 8);
    const method = u16(h, 10);
    let compressedSize = u32(h, 20);
    let size = u32(h, 24);
    let localAt = u32(h, 42);
    // zip64: each 32-bit field that is all ones is in the extra field, in this order.
    const z64 = extras.get(0x0001);
    if (z64) {
      let q = 0;
      const take = (): number | undefined => (q + 8 <= z64.length ? ((q += 8), u64(z64, q - 8)) : undefined);
      if (size === 0xffffffff) size = take() ?? size;
      if (compressedSize === 0xffffffff) compressedSize = take() ?? compressedSize;
      if (localAt === 0xffffffff) localAt = take() ?? localAt;
    }
    localAt += bias;
    let name = decodeName(nameBytes, log, `member ${JSON.stringify(String.fromCharCode(...nameBytes.subarray(0, 200)))}`);
    const unicode = extras.get(0x7075);
    if (unicode && unicode.length > 5 && unicode[0] === 1 && u32(unicode, 1) === crc32(nameBytes) >>> 0)
      name = decodeName(unicode.subarray(5), log, name);
    if (name.length > this.limits.maxNameLength) {
      log.add(name.slice(0, 200), `member name longer than ${this.limits.maxNameLength} bytes (limit); skipped`);
      return;
    }
    const part = normaliseImagePath(name).path;
    const madeOnUnix = h[5] === 3 || h[5] === 19; // Unix, or OS X (Info-ZIP puts Unix modes there too)
    const external = u32(h, 38);
    let type: FsEntry['type'];
    let mode: number;
    if (madeOnUnix && external >>> 16 !== 0) {
      mode = external >>> 16;
      type = entryTypeOfMode(mode) ?? (name.endsWith('/') ? 'directory' : 'file');
    } else {
      type = name.endsWith('/') || external & 0x10 ? 'directory' : 'file';
      mode = type === 'directory' ? 0o755 : 0o644;
    }
    let mtime = dosTime(u16(h, 14), u16(h, 12));
    const ut = extras.get(0x5455);
    if (ut && ut.length >= 5 && (ut[0] as number) & 1) mtime = u32(ut, 1) | 0;
    let uid = 0;
    let gid = 0;
    const fields: NewEntry = { type, mode, uid, gid, size: type === 'file' ? size : 0, mtime };
    const data: ZipData = { dataAt: -1, compressedSize, method, crc: u32(h, 16), encrypted: (flags & 1) !== 0 };
    // The local header: where the data starts, and the Unix owner (Info-ZIP's "ux" field, local only).
    try {
      const local = readExactly(this.source, localAt, 30, 'local header');
      if (u32(local, 0) !== LOCAL) throw new ImageReadError(`no local header at ${localAt}`);
      const localName = u16(local, 26);
      const localExtra = u16(local, 28);
      const extra = extraFields(readExactly(this.source, localAt + 30 + localName, localExtra, 'local extra field'));
      const ux = extra.get(0x7875) ?? extras.get(0x7875);
      if (ux && ux.length >= 3 && ux[0] === 1) {
        const read = (at: number, n: number): number | undefined =>
          at + n <= ux.length ? (n === 4 ? u32(ux, at) : n === 2 ? u16(ux, at) : n === 1 ? (ux[at] as number) : undefined) : undefined;
        const uidSize = ux[1] as number;
        uid = read(2, uidSize) ?? 0;
        gid = read(3 + uidSize, ux[2 + uidSize] ?? 0) ?? 0;
      }
      data.dataAt = localAt + 30 + localName + localExtra;
      if (data.dataAt + compressedSize > this.source.size)
        throw new ImageReadError(`its data (${compressedSize} bytes at ${data.dataAt}) runs past the end of the archive`);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      log.add(part, `${error.message}; its contents cannot be read`);
      data.dataAt = -1;
    }
    fields.uid = uid;
    fields.gid = gid;
    if (data.encrypted && type === 'file') log.add(part, 'encrypted member; its contents cannot be read');
    else if (method !== 0 && method !== 8 && type === 'file')
      log.add(part, `compression method ${method} is not supported; its contents cannot be read`);
    if (type === 'symlink') {
      fields.linkTarget = '';
      if (size > this.limits.maxNameLength) log.add(part, `symlink target of ${size} bytes (limit ${this.limits.maxNameLength}); not read`);
      else if (data.dataAt >= 0) {
        try {
          const target = this.readData({ path: name, type: 'file', mode, uid, gid, size }, data, size);
          fields.linkTarget = decodeName(target, log, part);
        } catch (error) {
          if (!(error instanceof ImageReadError)) throw error;
          log.add(part, `symlink target cannot be read: ${error.message}`);
        }
      }
    }
    this.table.add(name, fields, type === 'file' && data.dataAt >= 0 ? data : undefined);
  }
}

/** Opens the zip at `path` (closed by `close`). Throws ImageReadError when it is not a zip. */
export function openZip(path: string, options: ArchiveOptions = {}): ZipFs {
  const source = FileSource.open(path);
  try {
    return new ZipFs(source, options);
  } catch (error) {
    source.close();
    throw error;
  }
}
