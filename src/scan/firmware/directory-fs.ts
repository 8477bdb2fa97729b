// An unpacked root filesystem on disk, seen through ImageFs. Links are recorded, never followed: an
// absolute symlink in a rootfs names a file of the device, not of the machine running the scan.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { type EntryType, type FsEntry, type ImageFs, ImageReadError, type ReadProblem } from './image-fs.ts';

export interface DirectoryFsLimits {
  maxEntries: number;
  maxDepth: number;
}

const DEFAULT_LIMITS: DirectoryFsLimits = { maxEntries: 2_000_000, maxDepth: 256 };

export function openDirectoryFs(root: string, limits: Partial<DirectoryFsLimits> = {}): ImageFs {
  const { maxEntries, maxDepth } = { ...DEFAULT_LIMITS, ...limits };
  const entries = new Map<string, FsEntry>();
  const problems: ReadProblem[] = [];
  const firstPathOfInode = new Map<string, string>();

  const rootStat = lstatSync(root);
  entries.set('/', {
    path: '/',
    type: 'directory',
    mode: rootStat.mode & 0o7777,
    uid: rootStat.uid,
    gid: rootStat.gid,
    size: 0,
    mtime: Math.floor(rootStat.mtimeMs / 1000),
  });

  // Iterative walk, parents before children, so a deep tree cannot overflow the stack.
  const stack: Array<{ path: string; depth: number }> = [{ path: '/', depth: 0 }];
  while (stack.length) {
    const { path, depth } = stack.pop() as { path: string; depth: number };
    let names: string[];
    try {
      names = readdirSync(join(root, path)).sort();
    } catch (error) {
      problems.push({ part: path, reason: `cannot list directory (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      continue;
    }
    const children: string[] = [];
    for (const name of names) {
      if (entries.size >= maxEntries) {
        problems.push({ part: path, reason: `stopped after ${maxEntries} entries (limit)` });
        stack.length = 0;
        break;
      }
      const childPath = path === '/' ? `/${name}` : `${path}/${name}`;
      const hostPath = join(root, childPath);
      let stat: Stats;
      try {
        stat = lstatSync(hostPath);
      } catch (error) {
        problems.push({ part: childPath, reason: `cannot stat (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
        continue;
      }
      const entry: FsEntry = {
        path: childPath,
        type: typeOf(stat),
        mode: stat.mode & 0o7777,
        uid: stat.uid,
        gid: stat.gid,
        size: stat.isFile() ? stat.size : 0,
        mtime: Math.floor(stat.mtimeMs / 1000),
      };
      if (entry.type === 'symlink') {
        try {
          entry.linkTarget = readlinkSync(hostPath);
        } catch {
          problems.push({ part: childPath, reason: 'cannot read symlink target' });
        }
      } else if (entry.type === 'file' && stat.nlink > 1) {
        const inode = `${stat.dev}:${stat.ino}`;
        const first = firstPathOfInode.get(inode);
        if (first) {
          entry.type = 'hardlink';
          entry.linkTarget = first;
          entry.size = 0;
        } else firstPathOfInode.set(inode, childPath);
      }
      entries.set(childPath, entry);
      if (entry.type === 'directory') {
        if (depth + 1 >= maxDepth) problems.push({ part: childPath, reason: `not descended: deeper than ${maxDepth} levels (limit)` });
        else children.push(childPath);
      }
    }
    // Reverse so that popping visits children in name order.
    for (const child of children.reverse()) stack.push({ path: child, depth: depth + 1 });
  }

  return {
    format: 'directory',
    entries: () => entries.values(),
    entry: (path) => entries.get(path),
    problems,
    read(path, maxBytes) {
      const entry = entries.get(path);
      if (!entry || entry.type !== 'file') throw new ImageReadError(`${path}: not a regular file in the image`);
      let fd: number;
      try {
        // O_NOFOLLOW: should the file have become a link since it was listed, do not follow it.
        fd = openSync(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch (error) {
        throw new ImageReadError(`${path}: cannot open (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      try {
        const size = Math.min(fstatSync(fd).size, maxBytes);
        const buffer = new Uint8Array(size);
        let offset = 0;
        while (offset < size) {
          const n = readSync(fd, buffer, offset, size - offset, offset);
          if (n === 0) break;
          offset += n;
        }
        return buffer.subarray(0, offset);
      } finally {
        closeSync(fd);
      }
    },
  };
}

function typeOf(stat: Stats): EntryType {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'char-device';
  if (stat.isBlockDevice()) return 'block-device';
  if (stat.isFIFO()) return 'fifo';
  return 'socket';
}
