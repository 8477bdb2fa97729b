// Builds squashfs images with Debian's mksquashfs (package squashfs-tools) from a varied source tree, and
// tells what unsquashfs sees in them, so the in-process reader can be compared with the reference tools.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  linkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { EntryType } from '../../src/scan/firmware/image-fs.ts';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export const isRoot = process.getuid?.() === 0;

/** Deterministic pseudo-random bytes (xorshift), incompressible enough to force real data blocks. */
export function pseudoRandom(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Text-like bytes: compressible, but not trivially. */
export function textBytes(length: number, seed = 1): Uint8Array {
  const words = ['root', 'admin', 'password', 'telnetd', 'busybox', 'dropbear', '/etc/init.d', 'config', 'ssid', 'wpa_psk', '\n', '=', ' '];
  const random = pseudoRandom(length, seed);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = words[(random[i % length] as number) % words.length] as string;
    parts.push(word);
    size += word.length;
  }
  return new TextEncoder().encode(parts.join('')).subarray(0, length);
}

export interface SourceTreeFacts {
  /** Whether a character device could be made with mknod. */
  charDevice: boolean;
  /** Whether owners could be set with chown. */
  owners: boolean;
  /** Whether extended attributes could be set (they make mksquashfs write extended inodes). */
  xattrs: boolean;
}

/**
 * A source tree with what a firmware root filesystem has and what stresses a reader: nested and deep
 * directories, a directory big enough to need several headers and metadata blocks, empty files, files of
 * exactly one block (`blockSize`) and of several blocks with a tail, sparse and zero-filled files, symlinks
 * (absolute, relative, dangling, looping), hard links, a fifo, a character device (when mknod works),
 * setuid/setgid/sticky modes, owners, long and unicode names.
 */
export function buildSourceTree(root: string, blockSize = 131072): SourceTreeFacts {
  const write = (path: string, data: Uint8Array | string, mode = 0o644): void => {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, data);
    chmodSync(full, mode);
  };
  mkdirSync(root, { recursive: true });
  write('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
  write('etc/shadow', 'root:$1$abc$def:19000:0:99999:7:::\n', 0o600);
  write('etc/empty', '');
  write('etc/init.d/rcS', '#!/bin/sh\ntelnetd -l /bin/sh\n', 0o755);
  write('bin/busybox', pseudoRandom(3 * blockSize + 1234, 7), 0o4755);
  write('bin/exact-block', textBytes(blockSize, 3), 0o755);
  write('bin/two-blocks', pseudoRandom(2 * blockSize, 11), 0o755);
  write('lib/libbig.so', concat([textBytes(5 * blockSize, 5), pseudoRandom(blockSize / 2 + 17, 9)]));
  write('lib/libsmall.so', textBytes(5000, 13));
  write('lib/duplicate-of-small.so', textBytes(5000, 13));
  write('var/zeros', new Uint8Array(4 * blockSize));
  // Sparse: a hole of several blocks between data at the start and at the end.
  write('var/sparse', concat([textBytes(100, 17), new Uint8Array(6 * blockSize), textBytes(blockSize + 55, 19)]));
  write('www/index.html', '<html>admin</html>\n');
  write('tmp/.keep', '');
  chmodSync(join(root, 'tmp'), 0o1777);
  mkdirSync(join(root, 'var/run'), { recursive: true });
  chmodSync(join(root, 'var/run'), 0o2775);
  let deep = root;
  for (let i = 0; i < 12; i++) deep = join(deep, `level${i}`);
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'bottom.txt'), 'deep\n');
  // Over 256 entries (several directory headers) and over 8 KiB of directory (several metadata blocks).
  for (let i = 0; i < 300; i++) write(`usr/share/many/entry-with-a-longish-name-${String(i).padStart(4, '0')}.conf`, `value=${i}\n`);
  write(`names/${'x'.repeat(255)}`, 'long name\n');
  write('names/ünïcödé-файл-文件-🔒.txt', 'unicode\n');
  write('names/with space and\ttab', 'odd\n');
  mkdirSync(join(root, 'empty-dir'));
  // Links.
  symlinkSync('/etc/passwd', join(root, 'link-absolute'));
  symlinkSync('../etc/passwd', join(root, 'www/link-relative'));
  symlinkSync('/does/not/exist', join(root, 'link-dangling'));
  symlinkSync('loop-b', join(root, 'loop-a'));
  symlinkSync('loop-a', join(root, 'loop-b'));
  symlinkSync('bin', join(root, 'link-to-dir'));
  symlinkSync('a'.repeat(1000), join(root, 'link-long-target'));
  linkSync(join(root, 'bin/busybox'), join(root, 'bin/sh'));
  linkSync(join(root, 'bin/busybox'), join(root, 'usr/telnetd'));
  linkSync(join(root, 'etc/passwd'), join(root, 'var/passwd-hardlink'));
  execFileSync('mkfifo', [join(root, 'var/fifo')]);
  let charDevice = false;
  if (isRoot) charDevice = spawnSync('mknod', [join(root, 'var/null'), 'c', '1', '3'], { stdio: 'ignore' }).status === 0;
  let owners = false;
  if (isRoot) {
    try {
      chownSync(join(root, 'etc/shadow'), 0, 42);
      chownSync(join(root, 'www'), 33, 33);
      chownSync(join(root, 'www/index.html'), 33, 33);
      chownSync(join(root, 'bin/exact-block'), 1000, 1000);
      chownSync(join(root, 'var/fifo'), 65534, 65534);
      owners = true;
    } catch {
      owners = false;
    }
  }
  // Extended attributes make mksquashfs use the extended inode of every type (the reader ignores the
  // attributes themselves): trusted.* can be set on any kind of file, as root.
  let xattrs = false;
  if (isRoot && hasTool('setfattr')) {
    const set = (path: string, name: string): boolean =>
      spawnSync('setfattr', ['-h', '-n', name, '-v', 'x', join(root, path)], { stdio: 'ignore' }).status === 0;
    xattrs = set('etc/init.d/rcS', 'user.comment') && set('link-absolute', 'trusted.t') && set('var/fifo', 'trusted.t');
    set('empty-dir', 'trusted.t');
    set('etc', 'user.comment');
    if (charDevice) set('var/null', 'trusted.t');
  }
  return { charDevice, owners, xattrs };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Runs `mksquashfs src image -noappend -no-progress -quiet ...args`. */
export function mksquashfs(src: string, image: string, args: string[] = []): void {
  execFileSync('mksquashfs', [src, image, '-noappend', '-no-progress', '-quiet', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** What one path looks like, from an unsquashfs extraction or from the reader. */
export interface TreeEntry {
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  sha256?: string;
  linkTarget?: string;
  /** Inode number in the extraction, for hard links. */
  ino?: number;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Extracts the image with `unsquashfs -d out [-o offset]` and describes every path in it with lstat. */
export function extractWithUnsquashfs(image: string, out: string, args: string[] = []): Map<string, TreeEntry> {
  execFileSync('unsquashfs', ['-no-progress', '-d', out, ...args, image], { stdio: ['ignore', 'ignore', 'pipe'] });
  return describeTree(out);
}

/** Every path of a host tree as '/'-rooted paths, with lstat's view of each and the sha256 of every file. */
export function describeTree(root: string): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  const walk = (relative: string): void => {
    const full = relative === '/' ? root : join(root, relative);
    const stat = lstatSync(full);
    const type: EntryType = stat.isFile()
      ? 'file'
      : stat.isDirectory()
        ? 'directory'
        : stat.isSymbolicLink()
          ? 'symlink'
          : stat.isCharacterDevice()
            ? 'char-device'
            : stat.isBlockDevice()
              ? 'block-device'
              : stat.isFIFO()
                ? 'fifo'
                : 'socket';
    const entry: TreeEntry = {
      path: relative,
      type,
      mode: stat.mode & 0o7777,
      uid: stat.uid,
      gid: stat.gid,
      size: type === 'file' ? stat.size : 0,
      mtime: Math.floor(stat.mtimeMs / 1000),
      ino: stat.ino,
    };
    if (type === 'file') entry.sha256 = sha256(readFileSync(full));
    if (type === 'symlink') entry.linkTarget = readlinkSync(full);
    entries.set(relative, entry);
    if (type === 'directory') {
      for (const name of readdirSync(full).sort()) walk(relative === '/' ? `/${name}` : `${relative}/${name}`);
    }
  };
  walk('/');
  return entries;
}

export interface ListedEntry {
  path: string;
  modeString: string;
  uid: number;
  gid: number;
  /** File size, symlink target length, or "major,minor" for a device. */
  sizeField: string;
  linkTarget?: string;
}

/** Parses `unsquashfs -lln -d '' image`: one line per path with its mode string, numeric owner and size. */
export function listWithUnsquashfs(image: string, args: string[] = []): ListedEntry[] {
  const text = execFileSync('unsquashfs', ['-lln', '-d', '', ...args, image], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const entries: ListedEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([-dlcbps][-rwxsStT]{9}) (\d+)\/(\d+) +(\d+|\d+, *\d+) \d{4}-\d\d-\d\d \d\d:\d\d (.*)$/.exec(line);
    if (!m) continue;
    let path = m[5] as string;
    let linkTarget: string | undefined;
    if (m[1]?.startsWith('l')) {
      const at = path.indexOf(' -> ');
      linkTarget = path.slice(at + 4);
      path = path.slice(0, at);
    }
    entries.push({
      path: path === '' ? '/' : path,
      modeString: m[1] as string,
      uid: Number(m[2]),
      gid: Number(m[3]),
      sizeField: (m[4] as string).replace(/ /g, ''),
      linkTarget,
    });
  }
  return entries;
}

/** The `ls -l` mode string of a type and permission bits, as unsquashfs prints it. */
export function modeString(type: EntryType, mode: number): string {
  const kind = { file: '-', hardlink: '-', directory: 'd', symlink: 'l', 'char-device': 'c', 'block-device': 'b', fifo: 'p', socket: 's' }[
    type
  ];
  const bit = (mask: number, ch: string): string => (mode & mask ? ch : '-');
  const exec = (x: number, special: number, set: string): string => {
    if (mode & special) return mode & x ? set : set.toUpperCase();
    return mode & x ? 'x' : '-';
  };
  return (
    kind +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    exec(0o100, 0o4000, 's') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    exec(0o010, 0o2000, 's') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    exec(0o001, 0o1000, 't')
  );
}
