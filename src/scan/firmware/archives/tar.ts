// Tar archives read in process through ImageFs: old v7, POSIX ustar (prefix + name), GNU (long names and
// link targets in 'L'/'K' members, base-256 numbers) and pax ('x' and 'g' extended headers: path,
// linkpath, size, uid, gid, mtime). The headers are indexed once, when the archive is opened; a file's
// data is read on demand at its offset, with positioned reads, so a tar of hundreds of MB is never read
// whole. A compressed tar is first decompressed into the work folder (see work-file.ts: compressed
// streams have no random access) and then read the same way.
//
// Not read: GNU sparse members (type 'S' and pax GNU.sparse.*; rare in firmware: listed, with a problem,
// and not readable), multi-volume continuations ('M'), device numbers (ImageFs has no field for them),
// extended attributes and ACLs in pax headers.
//
// Hostile archives: a bad header checksum or an unreadable number ends the listing with a problem (the
// members before it are kept); a member whose data runs past the end of the archive is kept and reported,
// and the listing stops there; long names and pax headers are bounded; every step advances by at least
// one 512-byte block, so no archive can make the listing loop.
import { type FsEntry, ImageReadError } from '../image-fs.ts';
import type { ByteSource } from '../byte-source.ts';
import { FileSource } from '../byte-source.ts';
import { type ArchiveOptions, ArchiveFs, cString, decodeName, parseOctal, Problems, readExactly } from './common.ts';

const BLOCK = 512;
/** Largest pax extended header read (real ones are a few hundred bytes). */
const MAX_PAX = 1 << 20;

interface TarData {
  offset: number;
}

interface PaxFields {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  sparse?: boolean;
}

/** A tar number: octal ASCII, or GNU's base-256 (first byte 0x80 positive, 0xff negative). NaN when neither. */
function tarNumber(field: Uint8Array): number {
  const first = field[0] as number;
  if (first & 0x80) {
    const negative = first === 0xff;
    let value = negative ? -1 : first & 0x3f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (negative ? (field[i] as number) - 255 : (field[i] as number));
    return Number.isSafeInteger(value) ? value : Number.NaN;
  }
  return parseOctal(field);
}

function checksumOk(header: Uint8Array): boolean {
  const stored = parseOctal(header.subarray(148, 156));
  if (Number.isNaN(stored)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (header[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function allZero(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

const utf8 = new TextDecoder('utf-8');

/** Parses pax records ("<length> <key>=<value>\n"); stops at the first malformed one. */
function parsePax(data: Uint8Array, into: PaxFields, log: Problems, where: string): void {
  let p = 0;
  while (p < data.length) {
    if (data[p] === 0) break;
    let length = 0;
    let q = p;
    while (q < data.length && q - p < 12 && (data[q] as number) >= 0x30 && (data[q] as number) <= 0x39)
      length = length * 10 + (data[q++] as number) - 0x30;
    if (q === p || data[q] !== 0x20 || length <= q - p + 1 || p + length > data.length || data[p + length - 1] !== 0x0a) {
      log.add(where, `malformed pax extended header record at byte ${p}; the rest of the header is ignored`);
      return;
    }
    const record = data.subarray(q + 1, p + length - 1);
    p += length;
    const eq = record.indexOf(0x3d);
    if (eq <= 0) continue;
    const key = utf8.decode(record.subarray(0, eq));
    const value = utf8.decode(record.subarray(eq + 1));
    const number = (text: string): number | undefined => {
      if (!/^-?\d+(\.\d*)?$/.test(text)) {
        log.add(where, `pax ${key}=${JSON.stringify(text)} is not a number; ignored`);
        return undefined;
      }
      const n = Math.floor(Number(text));
      return Number.isSafeInteger(n) ? n : undefined;
    };
    switch (key) {
      case 'path':
        into.path = value;
        break;
      case 'linkpath':
        into.linkpath = value;
        break;
      case 'size': {
        const n = number(value);
        if (n !== undefined && n >= 0) into.size = n;
        break;
      }
      case 'uid':
      case 'gid':
      case 'mtime': {
        const n = number(value);
        if (n !== undefined) into[key] = n;
        break;
      }
      default:
        if (key.startsWith('GNU.sparse.')) {
          into.sparse = true;
          if (key === 'GNU.sparse.name') into.path = value;
          if (key === 'GNU.sparse.realsize' || key === 'GNU.sparse.size') {
            const n = number(value);
            if (n !== undefined && n >= 0) into.size = n;
          }
        }
    }
  }
}

const TYPES: Record<string, FsEntry['type']> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  D: 'directory',
};

export class TarFs extends ArchiveFs<TarData> {
  private readonly source: ByteSource;

  /** Indexes the tar in `source` (whose closing is then this reader's). `compression` names the codec it came in. */
  constructor(source: ByteSource, options: ArchiveOptions = {}, compression?: string, log = new Problems()) {
    super(compression ? `tar (${compression})` : 'tar', options, log);
    this.source = source;
    this.index();
    this.table.finish();
  }

  override close(): void {
    this.source.close();
  }

  protected readData(entry: FsEntry, data: TarData, want: number): Uint8Array {
    const bytes = readExactly(this.source, data.offset, want, 'member data');
    // A FileSource hands out a fresh buffer; a BufferSource a view, copied so callers cannot change the archive.
    return this.source instanceof FileSource ? bytes : bytes.slice();
  }

  private index(): void {
    const source = this.source;
    const log = this.log;
    const { maxNameLength } = this.limits;
    const global: PaxFields = {};
    let pax: PaxFields = {};
    let longName: string | undefined;
    let longLink: string | undefined;
    let pos = 0;
    let ended = false;
    for (;;) {
      if (pos >= source.size) break;
      const header = source.read(pos, BLOCK);
      if (header.length < BLOCK) {
        log.add(`archive offset ${pos}`, `truncated: ${header.length} bytes of a 512-byte header; the listing stops there`);
        ended = true;
        break;
      }
      if (allZero(header)) {
        ended = true;
        break;
      }
      if (!checksumOk(header)) {
        if (pos === 0) throw new ImageReadError('tar: not a tar archive (the first header checksum is wrong)');
        log.add(`archive offset ${pos}`, 'tar header checksum is wrong (corrupt, or not a header); the listing stops there');
        ended = true;
        break;
      }
      const typeflag = String.fromCharCode(header[156] as number);
      const magic = header.subarray(257, 263);
      const posix = magic[5] === 0 && cString(magic).length === 5 && cString(magic).every((b, i) => b === 'ustar'.charCodeAt(i));
      let size = tarNumber(header.subarray(124, 136));
      if (Number.isNaN(size) || size < 0) {
        log.add(`archive offset ${pos}`, 'unreadable size field in a tar header; the listing stops there');
        ended = true;
        break;
      }
      const extended = typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K';
      if (!extended && pax.size !== undefined) size = pax.size;
      else if (!extended && global.size !== undefined) size = global.size;
      const dataStart = pos + BLOCK;
      const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      const available = Math.max(0, Math.min(size, source.size - dataStart));
      const where = `archive offset ${pos}`;

      if (extended) {
        const bound = typeflag === 'x' || typeflag === 'g' ? MAX_PAX : maxNameLength + 1;
        if (size > bound)
          log.add(
            where,
            `${typeflag === 'L' || typeflag === 'K' ? 'GNU long name' : 'pax header'} of ${size} bytes (more than ${bound}); ignored`,
          );
        else if (available < size) {
          log.add(where, 'truncated inside an extended header; the listing stops there');
          ended = true;
          break;
        } else {
          const body = source.read(dataStart, size);
          if (typeflag === 'x') parsePax(body, pax, log, where);
          else if (typeflag === 'g') parsePax(body, global, log, where);
          else {
            const name = decodeName(cString(body), log, where);
            if (typeflag === 'L') longName = name;
            else longLink = name;
          }
        }
        pos = next;
        continue;
      }

      const fields = { ...global, ...pax };
      pax = {};
      let name: string;
      if (fields.path !== undefined) name = fields.path;
      else if (longName !== undefined) name = longName;
      else {
        const raw = cString(header.subarray(0, 100));
        const prefix = posix ? cString(header.subarray(345, 500)) : new Uint8Array(0);
        name = decodeName(prefix.length ? new Uint8Array([...prefix, 0x2f, ...raw]) : raw, log, where);
      }
      const linkName = fields.linkpath ?? longLink ?? decodeName(cString(header.subarray(157, 257)), log, where);
      longName = undefined;
      longLink = undefined;
      if (name.length > maxNameLength || linkName.length > maxNameLength) {
        log.add(where, `member name or link target longer than ${maxNameLength} bytes (limit); skipped`);
        pos = next;
        continue;
      }
      if (typeflag === 'V') {
        pos = next; // volume label
        continue;
      }
      const numbers = [108, 116, 136].map((at) => tarNumber(header.subarray(at, at + (at === 136 ? 12 : 8))));
      const mode = tarNumber(header.subarray(100, 108));
      const uid = fields.uid ?? (numbers[0] as number);
      const gid = fields.gid ?? (numbers[1] as number);
      const mtime = fields.mtime ?? (numbers[2] as number);
      if ([mode, uid, gid].some(Number.isNaN)) log.add(where, `${name}: unreadable mode, uid or gid field; taken as 0`);
      let type = TYPES[typeflag];
      if (typeflag === 'S' || fields.sparse) {
        log.add(where, `${name}: GNU sparse member; listed, but its contents cannot be read`);
        type = 'file';
      } else if (typeflag === 'M') {
        log.add(where, `${name}: continuation of a multi-volume archive; skipped`);
        pos = next;
        continue;
      } else if (type === undefined) {
        log.add(where, `${name}: unknown member type ${JSON.stringify(typeflag)}; treated as a regular file (as POSIX says)`);
        type = 'file';
      }
      if (type === 'file' && (typeflag === '0' || typeflag === '\0') && name.endsWith('/')) type = 'directory'; // old tars: a '/' marks a directory
      const entry = this.table.add(
        name,
        {
          type,
          mode: Number.isNaN(mode) ? 0 : mode,
          uid: Number.isNaN(uid) ? 0 : uid,
          gid: Number.isNaN(gid) ? 0 : gid,
          size: type === 'file' ? size : 0,
          mtime: Number.isNaN(mtime) ? undefined : mtime,
          linkTarget: type === 'symlink' ? linkName : type === 'hardlink' ? this.table.hardLinkTarget(linkName, name) : undefined,
        },
        type === 'file' && typeflag !== 'S' && !fields.sparse ? { offset: dataStart } : undefined,
      );
      if (!entry && this.table.isFull()) {
        ended = true;
        break;
      }
      if (available < size) {
        log.add(entry?.path ?? where, `truncated: ${available} of its ${size} bytes are in the archive; the listing stops there`);
        ended = true;
        break;
      }
      pos = next;
    }
    if (!ended) log.add(`archive offset ${pos}`, 'no end-of-archive blocks: the archive may be truncated');
  }
}
