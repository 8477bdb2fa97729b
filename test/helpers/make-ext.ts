// Builds ext2/ext3/ext4 images with e2fsprogs' mkfs.ext* (-d SRCDIR) from a varied source tree, and tells what
// debugfs sees in them, so the in-process ext reader can be compared with the reference tools.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, linkSync, mkdirSync, openSync, symlinkSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeTree, hasTool, isRoot, pseudoRandom, sha256, textBytes, type TreeEntry } from './make-squashfs.ts';

export { describeTree, hasTool, isRoot, pseudoRandom, sha256, textBytes, type TreeEntry };

export const extTools = hasTool('mkfs.ext4') && hasTool('debugfs');

/** Data regions of the multi-extent sparse file: more than the 4 extents an inode holds, so the tree has depth 1. */
export const SPARSE_REGIONS = [0, 40, 90, 150, 260, 400, 555].map((k) => k * 8192);

/** Builds the tree every ext test uses. Returns whether owners could be set (needs root). */
export function buildExtTree(root: string): { owners: boolean } {
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
  write('bin/busybox', pseudoRandom(300_000, 7), 0o4755);
  write('bin/setgid-tool', textBytes(5000, 3), 0o2711);
  write('lib/libbig.so', pseudoRandom(3 << 20, 9)); // > 12 + 256 blocks of 1 KiB: double indirect in ext2
  write('lib/exact', textBytes(4096, 5));
  mkdirSync(join(root, 'var'), { recursive: true });
  // Sparse: data at several far-apart offsets (several extents, holes in between).
  const sparse = openSync(join(root, 'var/sparse-many'), 'w', 0o644);
  for (const [i, at] of SPARSE_REGIONS.entries()) writeSync(sparse, pseudoRandom(3000, 100 + i), 0, 3000, at);
  closeSync(sparse);
  // A file whose data lies past 64 MiB (triple indirect with 1 KiB blocks), almost all hole.
  const far = openSync(join(root, 'var/sparse-far'), 'w', 0o644);
  writeSync(far, textBytes(100, 21), 0, 100, 0);
  writeSync(far, textBytes(2000, 23), 0, 2000, 70 << 20);
  closeSync(far);
  mkdirSync(join(root, 'tmp'));
  chmodSync(join(root, 'tmp'), 0o1777);
  mkdirSync(join(root, 'var/run'), { recursive: true });
  chmodSync(join(root, 'var/run'), 0o2775);
  let deep = root;
  for (let i = 0; i < 10; i++) deep = join(deep, `d${i}`);
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'bottom.txt'), 'deep\n');
  // Enough entries for an htree-indexed directory.
  for (let i = 0; i < 400; i++) write(`usr/share/many/entry-with-a-longish-name-${String(i).padStart(4, '0')}.conf`, `value=${i}\n`);
  write(`names/${'x'.repeat(255)}`, 'long name\n');
  write('names/ünïcödé-файл-文件-🔒.txt', 'unicode\n');
  mkdirSync(join(root, 'empty-dir'));
  symlinkSync('/etc/passwd', join(root, 'link-fast'));
  symlinkSync(`/usr/share/many/${'long/'.repeat(16)}target`, join(root, 'link-slow'));
  symlinkSync('../etc/passwd', join(root, 'bin/link-relative'));
  linkSync(join(root, 'bin/busybox'), join(root, 'bin/sh'));
  linkSync(join(root, 'etc/passwd'), join(root, 'var/passwd-hardlink'));
  execFileSync('mkfifo', [join(root, 'var/fifo')]);
  let owners = false;
  if (isRoot) {
    try {
      chownSync(join(root, 'etc/shadow'), 0, 42);
      chownSync(join(root, 'usr'), 33, 33);
      chownSync(join(root, 'bin/setgid-tool'), 1000, 100000);
      chownSync(join(root, 'var/fifo'), 65534, 65534);
      owners = true;
    } catch {
      owners = false;
    }
  }
  return { owners };
}

/** Runs `mkfs.<kind> -q -F [args] -d src image size`. */
export function mkfsExt(kind: 'ext2' | 'ext3' | 'ext4', src: string, image: string, size: string, args: string[] = []): void {
  execFileSync(`mkfs.${kind}`, ['-q', '-F', ...args, '-d', src, image, size], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, E2FSPROGS_FAKE_TIME: '1700000000' },
  });
}

/** What one path looks like in the source tree or the reader. */

export interface DebugfsEntry {
  name: string;
  inode: number;
  /** Full i_mode (type and permissions). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
}

function debugfs(image: string, request: string): Buffer {
  return execFileSync('debugfs', ['-R', request, image], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 });
}

/** `debugfs -R "ls -p DIR"`: one "/ino/mode/uid/gid/name/size/" line per entry ('.' and '..' left out). */
export function debugfsList(image: string, dir: string): DebugfsEntry[] {
  const entries: DebugfsEntry[] = [];
  for (const line of debugfs(image, `ls -p "${dir}"`).toString('utf8').split('\n')) {
    const m = /^\/(\d+)\/(\d+)\/(\d+)\/(\d+)\/(.*)\/(\d*)\/$/.exec(line);
    if (!m || m[5] === '.' || m[5] === '..' || m[5] === '' || m[1] === '0') continue;
    entries.push({
      inode: Number(m[1]),
      mode: parseInt(m[2] as string, 8),
      uid: Number(m[3]),
      gid: Number(m[4]),
      name: m[5] as string,
      size: Number(m[6] || 0),
    });
  }
  return entries;
}

/** `debugfs -R "cat PATH"`: a file's content as debugfs reads it. */
export function debugfsCat(image: string, path: string): Buffer {
  return debugfs(image, `cat "${path}"`);
}

/** `debugfs -R "stat PATH"` as text (inode number, flags, EXTENTS / BLOCKS lines). */
export function debugfsStat(image: string, path: string): string {
  return debugfs(image, `stat "${path}"`).toString('utf8');
}

/** The byte offset of an inode in the image, from `debugfs -R "imap PATH"`. */
export function inodePosition(image: string, path: string, blockSize: number): number {
  const text = debugfs(image, `imap "${path}"`).toString('utf8');
  const m = /located at block (\d+), offset 0x([0-9a-f]+)/.exec(text);
  if (!m) throw new Error(`imap ${path}: ${text}`);
  return Number(m[1]) * blockSize + parseInt(m[2] as string, 16);
}

/** Runs debugfs in write mode with one request (e.g. "ln /a /a/b/loop", "sif /f block[0] 123"). */
export function debugfsWrite(image: string, request: string): void {
  execFileSync('debugfs', ['-w', '-R', request, image], { stdio: ['ignore', 'ignore', 'ignore'] });
}
