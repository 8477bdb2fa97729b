// Builds tar, cpio and zip archives with the real tools (GNU tar, GNU cpio, Info-ZIP zip; Debian packages
// tar, cpio, zip/unzip, gzip, xz-utils, bzip2, zstd, lz4) from a varied source tree, and parses what those
// tools list, so the in-process readers can be compared with them.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeTree, hasTool, isRoot, pseudoRandom, sha256, textBytes, type TreeEntry } from './make-squashfs.ts';

export { describeTree, hasTool, isRoot, pseudoRandom, sha256, textBytes };

export const LONG_COMPONENT = `long-${'n'.repeat(140)}.txt`;
/** A path of over 255 bytes in nested directories of 100-byte names. */
export const DEEP_LONG = `${'d'.repeat(100)}/${'e'.repeat(100)}/${'f'.repeat(100)}/deep-file.txt`;

/**
 * The tree: nested and empty directories, empty files, a multi-MB file, symlinks (absolute, relative,
 * dangling), hard links, a fifo, a character device (as root), setuid/setgid/sticky modes, a name over
 * 100 bytes and a path over 255, unicode names.
 */
export function buildArchiveTree(root: string): { charDevice: boolean } {
  const write = (path: string, data: Uint8Array | string, mode = 0o644): void => {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, data);
    chmodSync(full, mode);
  };
  mkdirSync(root, { recursive: true });
  write('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  write('etc/shadow', 'root:$1$abc$def:19000:0:99999:7:::\n', 0o600);
  write('etc/empty', '');
  write('etc/init.d/rcS', '#!/bin/sh\ntelnetd -l /bin/sh\n', 0o755);
  write('bin/busybox', pseudoRandom(3 * 1024 * 1024 + 4321, 7), 0o4755);
  write('lib/libtext.so', textBytes(700_000, 3));
  write('usr/sbin/setgid-tool', 'x', 0o2711);
  write(`names/${LONG_COMPONENT}`, 'long name\n');
  write(DEEP_LONG, 'deep and long\n');
  write('names/ünïcödé-файл-文件.txt', 'unicode\n');
  mkdirSync(join(root, 'tmp'));
  chmodSync(join(root, 'tmp'), 0o1777);
  mkdirSync(join(root, 'empty-dir'));
  for (let i = 0; i < 6; i++)
    mkdirSync(
      join(
        root,
        'a/b/c/d/e/f'
          .split('/')
          .slice(0, i + 1)
          .join('/'),
      ),
      { recursive: true },
    );
  write('a/b/c/d/e/f/bottom.txt', 'bottom\n');
  symlinkSync('/etc/passwd', join(root, 'link-absolute'));
  symlinkSync('../etc/passwd', join(root, 'a/link-relative'));
  symlinkSync('/does/not/exist', join(root, 'link-dangling'));
  linkSync(join(root, 'bin/busybox'), join(root, 'bin/sh'));
  linkSync(join(root, 'etc/passwd'), join(root, 'a/passwd-hardlink'));
  execFileSync('mkfifo', [join(root, 'tmp/fifo')]);
  const charDevice = isRoot && spawnSync('mknod', [join(root, 'etc/null'), 'c', '1', '3'], { stdio: 'ignore' }).status === 0;
  return { charDevice };
}

/** A source-tree entry, as describeTree gives it. */
export type SourceEntry = TreeEntry;

export type TarFormat = 'gnu' | 'ustar' | 'pax' | 'v7' | 'oldgnu';
export type TarCompression = 'none' | 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'lzma' | 'lz4';

const TAR_FLAG: Record<TarCompression, string[]> = {
  none: [],
  gzip: ['-z'],
  xz: ['-J'],
  bzip2: ['-j'],
  zstd: ['--zstd'],
  lzma: ['-I', 'xz --format=lzma'],
  lz4: ['-I', 'lz4'],
};

/** `tar --format=F [compression] -cf out -C src .`; members tar cannot store in F are left out (as tar warns). */
export function makeTar(src: string, out: string, format: TarFormat, compression: TarCompression = 'none', extra: string[] = []): void {
  const result = spawnSync('tar', [`--format=${format}`, ...TAR_FLAG[compression], ...extra, '-cf', out, '-C', src, '.'], {
    encoding: 'utf8',
  });
  if (result.status !== 0 && result.status !== 2) throw new Error(`tar failed: ${result.stderr}`);
}

export interface ToolEntry {
  path: string;
  /** ls-style type letter: '-', 'd', 'l', 'c', 'b', 'p', 's', and 'h' for a tar hard link. */
  kind: string;
  perms: string;
  size: string;
  linkTarget?: string;
}

/** The listing of `tar -tv` (GNU tar detects most compressions itself; lzma and lz4 are named). */
export function listTar(archive: string, compression: TarCompression = 'none'): ToolEntry[] {
  const flags = compression === 'lzma' || compression === 'lz4' ? TAR_FLAG[compression] : [];
  const text = execFileSync('tar', [...flags, '--numeric-owner', '--quoting-style=literal', '-tvf', archive], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const out: ToolEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([-hdlcbps])(\S{9}) \d+\/\d+ +(\d+|\d+,\d+) \d{4}-\d\d-\d\d \d\d:\d\d (.*)$/.exec(line);
    if (!m) continue;
    let path = m[4] as string;
    let linkTarget: string | undefined;
    const arrow = m[1] === 'l' ? path.indexOf(' -> ') : m[1] === 'h' ? path.indexOf(' link to ') : -1;
    if (arrow >= 0) {
      linkTarget = path.slice(arrow + (m[1] === 'l' ? 4 : 9));
      path = path.slice(0, arrow);
    }
    out.push({ path, kind: m[1] as string, perms: m[2] as string, size: m[3] as string, linkTarget });
  }
  return out;
}

export type CpioFormat = 'newc' | 'crc' | 'odc' | 'bin';

/** `find . | cpio -o -H F > out` in src, then the compressor (gzip, xz, zstd, bzip2) when asked. */
export function makeCpio(src: string, out: string, format: CpioFormat, compressor?: string): void {
  const compress = compressor ? ` | ${compressor} -c` : '';
  execFileSync('sh', ['-c', `find . | LC_ALL=C sort | cpio --quiet -o -H ${format}${compress} > "${out}"`], {
    cwd: src,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** The listing of `cpio -itvn` of an uncompressed archive. */
export function listCpio(archive: string): ToolEntry[] {
  const text = execFileSync('sh', ['-c', `cpio --quiet -itvn < "${archive}"`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out: ToolEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([-dlcbps])(\S{9}) +\d+ +\d+ +\d+ +(\d+|\d+, +\d+) +\w{3} +\d+ +[\d:]+ (.*)$/.exec(line);
    if (!m) continue;
    let path = m[4] as string;
    let linkTarget: string | undefined;
    if (m[1] === 'l') {
      const arrow = path.indexOf(' -> ');
      linkTarget = path.slice(arrow + 4);
      path = path.slice(0, arrow);
    }
    out.push({ path, kind: m[1] as string, perms: m[2] as string, size: (m[3] as string).replace(/ /g, ''), linkTarget });
  }
  return out;
}

/** `zip -r -y` (symlinks stored as links) in src. */
export function makeZip(src: string, out: string, extra: string[] = []): void {
  execFileSync('zip', ['-q', '-r', '-y', ...extra, out, '.'], { cwd: src, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The listing of `unzip -Z` (zipinfo's long format). */
export function listZip(archive: string): ToolEntry[] {
  const text = execFileSync('unzip', ['-Z', archive], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  const out: ToolEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([-dlcbps])(\S{9}) +\S+ +\S+ +(\d+) +\S+ +\S+ +\S+ +\S+ (.*)$/.exec(line);
    if (m) out.push({ path: m[4] as string, kind: m[1] as string, perms: m[2] as string, size: m[3] as string });
  }
  return out;
}

/** One 512-byte tar header, written by hand (for archives no tool would make). */
export function tarHeader(fields: {
  name: string;
  type?: string;
  size?: number;
  linkname?: string;
  mode?: number;
  magic?: 'ustar' | 'gnu' | 'v7';
}): Uint8Array {
  const h = new Uint8Array(512);
  const put = (at: number, text: string, max: number): void => {
    const bytes = Buffer.from(text, 'utf8');
    h.set(bytes.subarray(0, max), at);
  };
  const octal = (at: number, value: number, width: number): void => put(at, `${value.toString(8).padStart(width - 1, '0')}\0`, width);
  put(0, fields.name, 100);
  octal(100, fields.mode ?? 0o644, 8);
  octal(108, 0, 8);
  octal(116, 0, 8);
  octal(124, fields.size ?? 0, 12);
  octal(136, 1_700_000_000, 12);
  h[156] = (fields.type ?? '0').charCodeAt(0);
  put(157, fields.linkname ?? '', 100);
  const magic = fields.magic ?? 'ustar';
  if (magic === 'ustar') put(257, 'ustar\u000000', 8);
  else if (magic === 'gnu') put(257, 'ustar  \u0000', 8);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `, 8);
  return h;
}

/** A tar of hand-made members: each header, its data padded to 512, then the two zero blocks. */
export function tarOf(members: Array<{ header: Parameters<typeof tarHeader>[0]; data?: Uint8Array | string }>, end = true): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    const data = typeof m.data === 'string' ? Buffer.from(m.data) : (m.data ?? new Uint8Array(0));
    parts.push(tarHeader({ size: data.length, ...m.header }));
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    parts.push(padded);
  }
  if (end) parts.push(new Uint8Array(1024));
  return new Uint8Array(Buffer.concat(parts));
}

/** A newc cpio member written by hand (fields in hex), for archives no tool would make. */
export function newcMember(
  name: string,
  fields: { mode?: number; ino?: number; nlink?: number; nameSize?: number; data?: Uint8Array | string } = {},
): Uint8Array {
  const data = typeof fields.data === 'string' ? Buffer.from(fields.data) : (fields.data ?? new Uint8Array(0));
  const nameBytes = Buffer.from(`${name}\0`);
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const values = [
    fields.ino ?? 1,
    fields.mode ?? 0o100644,
    0,
    0,
    fields.nlink ?? 1,
    1_700_000_000,
    data.length,
    0,
    0,
    0,
    0,
    fields.nameSize ?? nameBytes.length,
    0,
  ];
  const header = Buffer.from(`070701${values.map(hex).join('')}`, 'latin1');
  const pad = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);
  return new Uint8Array(Buffer.concat([header, nameBytes, pad(110 + nameBytes.length), data, pad(data.length)]));
}

/** An old binary cpio member in either byte order (GNU cpio writes only the machine's own). */
export function binMember(name: string, data: Uint8Array | string, mode: number, bigEndian: boolean, ino = 1): Uint8Array {
  const body = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
  const nameBytes = Buffer.from(`${name}\0`);
  const words = [0o070707, 0, ino, mode, 0, 0, 1, 0, 0x6553, 0xf100, nameBytes.length, body.length >>> 16, body.length & 0xffff];
  const header = Buffer.alloc(26);
  words.forEach((w, i) => (bigEndian ? header.writeUInt16BE(w, i * 2) : header.writeUInt16LE(w, i * 2)));
  const pad = (n: number): Buffer => Buffer.alloc(n % 2);
  return new Uint8Array(Buffer.concat([header, nameBytes, pad(nameBytes.length), body, pad(body.length)]));
}
