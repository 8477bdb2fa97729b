// cpio archives read in process through ImageFs: "new ASCII" (newc, 070701) and its checksummed variant
// (crc, 070702), the old portable ASCII format (odc, 070707 in octal), and the old binary format (the
// 16-bit word 070707, in either byte order). This is what initramfs images are: the kernel accepts several
// archives back to back (an uncompressed one with CPU microcode, then the compressed main one), with zero
// padding between, and so does this reader. A compressed whole (an initramfs.cpio.gz) is decompressed
// into the work folder first (work-file.ts); a compressed archive that follows an uncompressed one is
// decompressed in memory with the bounded API (initramfs are small; maxInMemoryBytes bounds it).
//
// Hard links: cpio stores each link as a member; members with the same device and inode number (and a
// link count above 1) are one file. The first path met is listed as the file, each later one as a
// 'hardlink' to it; in newc the data travels with the last link, and wherever it is, it is the file's.
//
// Hostile archives: names longer than maxNameLength, unreadable header fields, or data running past the
// end stop the listing with a problem and keep what was read; every step advances by at least a header.
import { entryTypeOfMode, type FsEntry, ImageReadError, normaliseImagePath } from '../image-fs.ts';
import { decompress } from '../compression/index.ts';
import { BufferSource, type ByteSource, FileSource } from '../byte-source.ts';
import { type ArchiveOptions, ArchiveFs, cString, decodeName, message, parseOctal, Problems, readExactly } from './common.ts';
import { compressionOf } from './detect.ts';

type Kind = 'newc' | 'crc' | 'odc' | 'bin';

interface CpioData {
  source: number;
  offset: number;
  /** The crc format's checksum: the sum of the data bytes, mod 2^32. */
  check?: number;
}

interface Header {
  ino: number;
  dev: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  fileSize: number;
  nameSize: number;
  check: number;
  /** Where the name starts, the data starts and the next header starts (the last two once sizes are known). */
  nameAt: number;
  dataAt: number;
  next: number;
}

const TRAILER = 'TRAILER!!!';
function hex(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let i = at; i < at + 8; i++) {
    const c = bytes[i] as number;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;
    if (d < 0) return Number.NaN;
    value = value * 16 + d;
  }
  return value;
}

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

function kindAt(head: Uint8Array): Kind | undefined {
  const text = String.fromCharCode(...head.subarray(0, 6));
  if (text === '070701') return 'newc';
  if (text === '070702') return 'crc';
  if (text === '070707') return 'odc';
  if ((head[0] === 0xc7 && head[1] === 0x71) || (head[0] === 0x71 && head[1] === 0xc7)) return 'bin';
  return undefined;
}

/** Parses the header at `pos` (its magic already seen); NaN fields make the caller stop. */
function parseHeader(kind: Kind, source: ByteSource, pos: number): Header | undefined {
  if (kind === 'newc' || kind === 'crc') {
    const h = source.read(pos, 110);
    if (h.length < 110) return undefined;
    const f = (i: number): number => hex(h, 6 + 8 * i);
    const nameSize = f(11);
    const fileSize = f(6);
    const nameAt = pos + 110;
    const dataAt = align(nameAt + nameSize, 4);
    return {
      ino: f(0),
      mode: f(1),
      uid: f(2),
      gid: f(3),
      nlink: f(4),
      mtime: f(5),
      fileSize,
      dev: `${f(7)}:${f(8)}`,
      nameSize,
      check: f(12),
      nameAt,
      dataAt,
      next: align(dataAt + fileSize, 4),
    };
  }
  if (kind === 'odc') {
    const h = source.read(pos, 76);
    if (h.length < 76) return undefined;
    const o = (at: number, len: number): number => parseOctal(h.subarray(at, at + len));
    const nameSize = o(59, 6);
    const fileSize = o(65, 11);
    const nameAt = pos + 76;
    return {
      dev: String(o(6, 6)),
      ino: o(12, 6),
      mode: o(18, 6),
      uid: o(24, 6),
      gid: o(30, 6),
      nlink: o(36, 6),
      mtime: o(48, 11),
      nameSize,
      fileSize,
      check: 0,
      nameAt,
      dataAt: nameAt + nameSize,
      next: nameAt + nameSize + fileSize,
    };
  }
  const h = source.read(pos, 26);
  if (h.length < 26) return undefined;
  const little = h[0] === 0xc7;
  const w = (i: number): number =>
    little ? (h[2 * i] as number) | ((h[2 * i + 1] as number) << 8) : ((h[2 * i] as number) << 8) | (h[2 * i + 1] as number);
  const nameSize = w(10);
  const fileSize = w(11) * 65536 + w(12);
  const nameAt = pos + 26;
  const dataAt = nameAt + align(nameSize, 2);
  return {
    dev: String(w(1)),
    ino: w(2),
    mode: w(3),
    uid: w(4),
    gid: w(5),
    nlink: w(6),
    mtime: w(8) * 65536 + w(9),
    nameSize,
    fileSize,
    check: 0,
    nameAt,
    dataAt,
    next: dataAt + align(fileSize, 2),
  };
}

/** Reading runs of zeros (the padding between concatenated archives) this many bytes at a time. */
const ZERO_CHUNK = 64 * 1024;

export class CpioFs extends ArchiveFs<CpioData> {
  private readonly sources: ByteSource[];
  private readonly kinds = new Set<Kind>();
  private readonly codecs: string[] = [];

  /** Lists the cpio archive(s) in `source` (whose closing is then this reader's). */
  constructor(source: ByteSource, options: ArchiveOptions = {}, compression?: string, log = new Problems()) {
    super('cpio', options, log);
    this.sources = [source];
    if (compression) this.codecs.push(compression);
    this.parse(0);
    this.table.finish();
    this.format = `cpio (${[[...this.kinds].join(' + '), ...this.codecs].filter(Boolean).join(', ')})`;
  }

  override close(): void {
    for (const source of this.sources) source.close();
  }

  protected readData(entry: FsEntry, data: CpioData, want: number): Uint8Array {
    const source = this.sources[data.source] as ByteSource;
    const bytes = readExactly(source, data.offset, want, 'member data');
    if (data.check !== undefined && want === entry.size) {
      let sum = 0;
      for (let i = 0; i < bytes.length; i++) sum = (sum + (bytes[i] as number)) >>> 0;
      if (sum !== data.check) throw new ImageReadError(`crc format checksum mismatch (stored ${data.check}, computed ${sum})`);
    }
    return source instanceof FileSource ? bytes : bytes.slice();
  }

  /** The first non-zero byte at or after `pos`, or the end. */
  private skipZeros(source: ByteSource, pos: number): number {
    while (pos < source.size) {
      const chunk = source.read(pos, ZERO_CHUNK);
      if (chunk.length === 0) return source.size;
      const at = chunk.findIndex((b) => b !== 0);
      if (at >= 0) return pos + at;
      pos += chunk.length;
    }
    return pos;
  }

  private parse(index: number): void {
    const source = this.sources[index] as ByteSource;
    const log = this.log;
    const { maxNameLength } = this.limits;
    const firstLink = new Map<string, string>();
    let archive = 0;
    let members = 0;
    let pos = 0;
    let open = false;
    for (;;) {
      pos = this.skipZeros(source, pos);
      if (pos >= source.size) break;
      const where = `${index ? `decompressed part ${index}, ` : ''}offset ${pos}`;
      const head = source.read(pos, 16);
      const kind = kindAt(head);
      if (!kind) {
        const codec = compressionOf(head);
        if (codec && index === 0 && this.sources.length < 8) {
          this.decompressRest(source, pos, codec, where);
        } else if (index === 0 && pos === 0) throw new ImageReadError('cpio: not a cpio archive (no cpio magic at the start)');
        else log.add(where, 'data that is not a cpio header; the listing stops there');
        open = false;
        break;
      }
      const h = parseHeader(kind, source, pos);
      if (!h) {
        log.add(where, 'truncated cpio header; the listing stops there');
        open = false;
        break;
      }
      if ([h.ino, h.mode, h.uid, h.gid, h.nlink, h.mtime, h.fileSize, h.nameSize].some(Number.isNaN)) {
        log.add(where, `unreadable ${kind} header field; the listing stops there`);
        open = false;
        break;
      }
      this.kinds.add(kind);
      open = true;
      if (h.nameSize === 0 || h.nameSize > maxNameLength + 1) {
        log.add(
          where,
          `member name of ${h.nameSize} bytes (${h.nameSize === 0 ? 'none' : `limit ${maxNameLength}`}); the listing stops there`,
        );
        break;
      }
      if (h.nameAt + h.nameSize > source.size) {
        log.add(where, 'truncated inside a member name; the listing stops there');
        break;
      }
      const name = decodeName(cString(source.read(h.nameAt, h.nameSize)), log, where);
      if (name === TRAILER) {
        archive++;
        open = false;
        pos = h.next;
        continue;
      }
      members++;
      const truncated = h.dataAt + h.fileSize > source.size;
      const type = entryTypeOfMode(h.mode);
      if (!type) {
        log.add(where, `${name}: unknown file type in mode 0${h.mode.toString(8)}; skipped`);
      } else if (type === 'symlink') {
        let target = '';
        if (h.fileSize > maxNameLength)
          log.add(normaliseImagePath(name).path, `symlink target of ${h.fileSize} bytes (limit ${maxNameLength}); not read`);
        else if (!truncated) target = decodeName(source.read(h.dataAt, h.fileSize), log, where);
        this.table.add(name, { type, mode: h.mode, uid: h.uid, gid: h.gid, size: 0, mtime: h.mtime, linkTarget: target });
      } else if (type === 'file') {
        const data: CpioData = { source: index, offset: h.dataAt };
        if (kind === 'crc') data.check = h.check;
        const key = `${archive}:${h.dev}:${h.ino}`;
        const first = h.nlink > 1 ? firstLink.get(key) : undefined;
        const primary = first === undefined ? undefined : this.table.byPath.get(first);
        if (primary?.type === 'file') {
          const added = this.table.add(name, {
            type: 'hardlink',
            mode: h.mode,
            uid: h.uid,
            gid: h.gid,
            size: 0,
            mtime: h.mtime,
            linkTarget: first,
          });
          if (added && h.fileSize > 0) {
            primary.size = h.fileSize;
            this.table.data.set(primary.path, data);
          }
        } else {
          const added = this.table.add(name, { type, mode: h.mode, uid: h.uid, gid: h.gid, size: h.fileSize, mtime: h.mtime }, data);
          if (added && h.nlink > 1) firstLink.set(key, added.path);
        }
      } else {
        this.table.add(name, { type, mode: h.mode, uid: h.uid, gid: h.gid, size: 0, mtime: h.mtime });
      }
      if (this.table.isFull()) {
        log.add(where, `listing stopped after ${this.limits.maxEntries} entries (limit)`);
        break;
      }
      if (truncated) {
        log.add(
          normaliseImagePath(name).path,
          `truncated: its data (${h.fileSize} bytes at ${h.dataAt}) runs past the end of the archive; the listing stops there`,
        );
        open = false;
        break;
      }
      pos = h.next;
    }
    if (open) log.add(`offset ${pos}`, `no ${TRAILER} member: the archive may be truncated`);
    if (index === 0 && members === 0 && this.sources.length === 1) log.add('archive', 'no members');
  }

  /** A compressed archive after an uncompressed one (microcode, then the main initramfs). */
  private decompressRest(source: ByteSource, pos: number, codec: NonNullable<ReturnType<typeof compressionOf>>, where: string): void {
    const max = this.limits.maxInMemoryBytes;
    if (source.size - pos > max) {
      this.log.add(where, `${codec} data of ${source.size - pos} bytes, more than ${max} (limit); not read`);
      return;
    }
    let output: Uint8Array;
    try {
      output = decompress(codec, source.read(pos, source.size - pos), Math.min(max, this.limits.maxTotalBytes));
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      this.log.add(where, `compressed part cannot be read: ${message(error)}`);
      return;
    }
    this.sources.push(new BufferSource(output));
    this.codecs.push(codec);
    this.parse(this.sources.length - 1);
  }
}
