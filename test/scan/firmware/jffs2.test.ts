// The JFFS2 reader against the source tree mkfs.jffs2 was given (both byte orders, every compressor mtd-utils
// has: zlib, rtime, lzo, none; several erase block and page sizes): same paths, types, modes, owners, sizes,
// times, symlink targets, hard links and contents. Then the log semantics mkfs.jffs2 never produces (newer
// versions, unlinks, truncation, holes), written as nodes appended to a real image; hostile nodes; fuzzing;
// and the whole scan, on an image given directly and carved out of a raw flash dump.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { BufferSource } from '../../../src/scan/firmware/byte-source.ts';
import { findSignatures } from '../../../src/scan/firmware/carving/signatures.ts';
import { type FsEntry, ImageReadError, resolveInImage } from '../../../src/scan/firmware/image-fs.ts';
import { BIG, crc32Raw, type Endian, LITTLE, parseDirent, parseInode, parseNodeHeader } from '../../../src/scan/firmware/jffs2/format.ts';
import { Jffs2Image, openJffs2 } from '../../../src/scan/firmware/jffs2/index.ts';
import { decodeRtime } from '../../../src/scan/firmware/jffs2/rtime.ts';
import { scanFirmware } from '../../../src/scan/firmware/scan-firmware.ts';
import { runCli } from '../../helpers/cli.ts';
import { mkimage, mkimageTools } from '../../helpers/make-boot-images.ts';
import {
  buildFlashTree,
  describeTree,
  jffs2Tools,
  mkfsJffs2,
  pseudoRandom,
  sha256,
  sumtool,
  textBytes,
  type TreeEntry,
} from '../../helpers/make-flash-fs.ts';
import { cpuClock } from '../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const skip = jffs2Tools ? false : 'mtd-utils (mkfs.jffs2) not installed';
/** mkfs.jffs2 writes at most 254 bytes of a symlink's target (the kernel reads what the node holds). */
const JFFS2_SYMLINK_MAX = 254;

function comparable(e: FsEntry | TreeEntry): Omit<TreeEntry, 'ino' | 'sha256'> {
  return { path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, mtime: e.mtime ?? 0, linkTarget: e.linkTarget };
}

/** Asserts that `fs` holds exactly the host tree `source` (hard links as links to the first name). */
function assertSameTree(fs: Jffs2Image, source: Map<string, TreeEntry>, owners: boolean): void {
  const listed = new Map([...fs.entries()].map((e) => [e.path, e]));
  assert.deepEqual([...listed.keys()].sort(), [...source.keys()].sort());
  for (const [path, want] of source) {
    const got = listed.get(path) as FsEntry;
    if (path === '/') {
      assert.equal(got.type, 'directory');
      continue; // mkfs.jffs2 writes no inode for the root: its metadata is the kernel's default
    }
    if (got.type === 'hardlink') {
      const target = source.get(got.linkTarget as string) as TreeEntry;
      assert.equal(target.ino, want.ino, `${path} is a hard link of ${got.linkTarget}`);
      continue;
    }
    const expected = comparable(want);
    if (!owners) Object.assign(expected, { uid: got.uid, gid: got.gid });
    if (want.type === 'symlink') expected.linkTarget = want.linkTarget?.slice(0, JFFS2_SYMLINK_MAX);
    assert.deepEqual(comparable(got), expected, path);
    if (want.type === 'file') assert.equal(sha256(fs.read(path, 1 << 30)), want.sha256, `${path} content`);
  }
}

// --- writing nodes, for what mkfs.jffs2 never writes ------------------------------------------------------

function put16(b: Uint8Array, at: number, v: number, e: Endian): void {
  if (e.little) b.set([v & 0xff, (v >> 8) & 0xff], at);
  else b.set([(v >> 8) & 0xff, v & 0xff], at);
}

function put32(b: Uint8Array, at: number, v: number, e: Endian): void {
  const bytes = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  b.set(e.little ? bytes : bytes.reverse(), at);
}

/** A node of `size` bytes padded to 4, with its common header; `fill` writes the rest. `claimed` replaces the length field. */
function node(e: Endian, type: number, size: number, fill: (b: Uint8Array) => void, claimed = size): Uint8Array {
  const b = new Uint8Array((size + 3) & ~3).fill(0xff);
  put16(b, 0, 0x1985, e);
  put16(b, 2, type, e);
  put32(b, 4, claimed, e);
  put32(b, 8, crc32Raw(b.subarray(0, 8), 0), e);
  fill(b);
  return b;
}

function direntNode(e: Endian, d: { parent: number; version: number; ino: number; name: string | Uint8Array; type?: number }): Uint8Array {
  const name = typeof d.name === 'string' ? new TextEncoder().encode(d.name) : d.name;
  return node(e, 0xe001, 40 + name.length, (b) => {
    put32(b, 12, d.parent, e);
    put32(b, 16, d.version, e);
    put32(b, 20, d.ino, e);
    put32(b, 24, 1_700_000_000, e);
    b[28] = name.length;
    b[29] = d.type ?? 8;
    b[30] = 0;
    b[31] = 0;
    put32(b, 32, crc32Raw(b.subarray(0, 32), 0), e);
    put32(b, 36, crc32Raw(name, 0), e);
    b.set(name, 40);
  });
}

interface InodeSpec {
  ino: number;
  version: number;
  mode?: number;
  isize: number;
  offset?: number;
  /** The stored (compressed) bytes. */
  data?: Uint8Array;
  dsize?: number;
  compr?: number;
  badDataCrc?: boolean;
}

function inodeNode(e: Endian, n: InodeSpec): Uint8Array {
  const data = n.data ?? new Uint8Array(0);
  return node(e, 0xe002, 68 + data.length, (b) => {
    put32(b, 12, n.ino, e);
    put32(b, 16, n.version, e);
    put32(b, 20, n.mode ?? 0o100644, e);
    put16(b, 24, 0, e);
    put16(b, 26, 0, e);
    put32(b, 28, n.isize, e);
    for (const at of [32, 36, 40]) put32(b, at, 1_700_000_000, e);
    put32(b, 44, n.offset ?? 0, e);
    put32(b, 48, data.length, e);
    put32(b, 52, n.dsize ?? data.length, e);
    b[56] = n.compr ?? 0;
    b[57] = 0;
    put16(b, 58, 0, e);
    put32(b, 60, crc32Raw(data, 0) ^ (n.badDataCrc ? 1 : 0), e);
    put32(b, 64, crc32Raw(b.subarray(0, 60), 0), e);
    b.set(data, 68);
  });
}

interface Walked {
  pos: number;
  type: number;
  total: number;
  dirent?: ReturnType<typeof parseDirent>;
  inode?: ReturnType<typeof parseInode>;
}

/** Every node of a clean image, in order. */
function walk(image: Uint8Array, e: Endian): Walked[] {
  const out: Walked[] = [];
  for (let pos = 0; pos + 12 <= image.length;) {
    const h = parseNodeHeader(image.subarray(pos, pos + 12), e);
    if (h.magic !== 0x1985 || !h.crcValid) {
      pos += 4;
      continue;
    }
    const w: Walked = { pos, type: h.nodeType, total: h.totalLength };
    if (h.nodeType === 0xe001) w.dirent = parseDirent(image.subarray(pos), e, h.totalLength);
    if (h.nodeType === 0xe002) w.inode = parseInode(image.subarray(pos), e, h.totalLength);
    out.push(w);
    pos += (h.totalLength + 3) & ~3;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function problemMatching(fs: Jffs2Image, pattern: RegExp): void {
  assert.ok(
    fs.problems.some((p) => pattern.test(`${p.part}: ${p.reason}`)),
    `expected a problem matching ${pattern}; got ${JSON.stringify(fs.problems)}`,
  );
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('JFFS2 images made by mkfs.jffs2, read in process', { skip, timeout: 120_000 }, () => {
  let work: string;
  let src: string;
  let source: Map<string, TreeEntry>;
  let owners = false;
  let xattrs = false;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-jffs2-'));
    src = join(work, 'src');
    ({ owners, xattrs } = buildFlashTree(src));
    source = describeTree(src);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const CASES = [
    {
      name: 'little-endian, default compressors, extended attributes',
      args: ['-l', '--with-xattr'],
      format: /^jffs2 \(little-endian; zlib\)$/,
    },
    {
      name: 'big-endian, 128 KiB erase blocks, no cleanmarkers, padded',
      args: ['-b', '-e', '128KiB', '-n', '-p'],
      format: /^jffs2 \(big-endian; zlib\)$/,
    },
    { name: 'lzo enabled (it outranks zlib)', args: ['-l', '-X', 'lzo'], format: /^jffs2 \(little-endian; lzo/ },
    { name: 'rtime only, big-endian', args: ['-b', '-x', 'zlib'], format: /^jffs2 \(big-endian; rtime\)$/ },
    { name: 'no compression, 8 KiB pages', args: ['-l', '-m', 'none', '-s', '8192'], format: /^jffs2 \(little-endian\)$/ },
  ];
  for (const c of CASES) {
    it(c.name, () => {
      const image = join(work, `${c.name.replace(/\W+/g, '-')}.jffs2`);
      mkfsJffs2(src, image, c.args);
      const fs = openJffs2(image);
      try {
        assert.match(fs.format, c.format);
        assert.deepEqual(fs.problems, []);
        assert.equal(fs.stats.corrupt, 0);
        // Extended attribute nodes are skipped without complaint (they are not read).
        if (c.args.includes('--with-xattr') && xattrs) assert.ok(fs.stats.xattrNodes > 0);
        assertSameTree(fs, source, owners);
        assert.equal(resolveInImage(fs, '/www/link-relative')?.path, '/etc/passwd');
        assert.equal(resolveInImage(fs, '/usr/telnetd')?.path, '/bin/busybox');
        assert.equal(fs.read('/opt/large-text', 1000).length, 1000);
        assert.equal(sha256(fs.read('/bin/sh', 1 << 20)), source.get('/bin/busybox')?.sha256);
        assert.throws(() => fs.read('/etc', 10), /not a regular file/);
        assert.throws(() => fs.read('/nope', 10), /no such entry/);
      } finally {
        fs.close();
      }
    });
  }

  it('big-endian, with erase block summary nodes added by sumtool', () => {
    const plain = join(work, 'for-summary.jffs2');
    const image = join(work, 'summary.jffs2');
    mkfsJffs2(src, plain, ['-b', '-e', '64KiB']);
    sumtool(plain, image, ['-b', '-e', '64KiB', '-p']);
    const bytes = new Uint8Array(readFileSync(image));
    assert.ok(walk(bytes, BIG).filter((w) => w.type === 0x2006).length > 1, 'summary nodes were written');
    const fs = new Jffs2Image(new BufferSource(bytes));
    assert.deepEqual(fs.problems, []);
    assertSameTree(fs, source, owners);
  });

  it('reads the same image from a slice of a larger buffer, with erased flash around it', () => {
    const image = join(work, 'slice.jffs2');
    mkfsJffs2(src, image, ['-l', '-e', '64KiB', '-p']);
    const bytes = concat(new Uint8Array(0x30000).fill(0xff), readFileSync(image), new Uint8Array(0x20000).fill(0xff));
    const fs = new Jffs2Image(new BufferSource(bytes));
    assert.deepEqual(fs.problems, []);
    assertSameTree(fs, source, owners);
  });
});

describe('JFFS2 log semantics and hostile nodes', { skip, timeout: 60_000 }, () => {
  let work: string;
  let le: Uint8Array;
  let be: Uint8Array;
  /** Inode numbers by path, and the highest node version of the image. */
  const ino = new Map<string, number>();
  let version = 0;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-jffs2-log-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'etc'), { recursive: true });
    mkdirSync(join(src, 'bin'), { recursive: true });
    writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(src, 'etc/shadow'), 'root:$1$abc$def:19000:0:99999:7:::\n');
    writeFileSync(join(src, 'bin/busybox'), textBytes(10_000, 3));
    symlinkSync('busybox', join(src, 'bin/sh'));
    mkfsJffs2(src, join(work, 'le.jffs2'), ['-l', '-e', '16KiB']);
    mkfsJffs2(src, join(work, 'be.jffs2'), ['-b', '-e', '16KiB']);
    le = new Uint8Array(readFileSync(join(work, 'le.jffs2')));
    be = new Uint8Array(readFileSync(join(work, 'be.jffs2')));
    const names = new Map<number, string>([[1, '']]);
    const nodes = walk(le, LITTLE);
    // Parents come before children in mkfs.jffs2's output.
    for (const w of nodes) {
      if (w.dirent) {
        const path = `${names.get(w.dirent.parent) ?? '?'}/${text(w.dirent.name)}`;
        names.set(w.dirent.ino, path);
        ino.set(path, w.dirent.ino);
      }
      version = Math.max(version, w.dirent?.version ?? 0, w.inode?.version ?? 0);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const open = (...appended: Uint8Array[]): Jffs2Image => new Jffs2Image(new BufferSource(concat(le, ...appended)));
  const id = (path: string): number => ino.get(path) as number;

  it('the plain image reads cleanly in both byte orders', () => {
    for (const image of [le, be]) {
      const fs = new Jffs2Image(new BufferSource(image));
      assert.deepEqual(fs.problems, []);
      assert.equal(text(fs.read('/etc/passwd', 100)), 'root:x:0:0:root:/root:/bin/sh\n');
      assert.equal(fs.entry('/bin/sh')?.linkTarget, 'busybox');
    }
  });

  it('a newer inode node overwrites the range it covers; a newer one with a smaller size truncates', () => {
    const passwd = id('/etc/passwd');
    const overwrite = inodeNode(LITTLE, {
      ino: passwd,
      version: version + 1,
      isize: 30,
      offset: 0,
      data: new TextEncoder().encode('ADMIN'),
    });
    let fs = open(overwrite);
    assert.equal(text(fs.read('/etc/passwd', 100)), 'ADMINx:0:0:root:/root:/bin/sh\n');
    // Written out of order on flash: the version decides, not the position.
    fs = open(inodeNode(LITTLE, { ino: passwd, version: version + 2, isize: 4, offset: 0 }), overwrite);
    assert.equal(text(fs.read('/etc/passwd', 100)), 'ADMI');
    assert.equal(fs.entry('/etc/passwd')?.size, 4);
    // A newer zlib node over the middle of a multi-node file.
    const busybox = id('/bin/busybox');
    const patch = new TextEncoder().encode('PATCHED');
    fs = open(
      inodeNode(LITTLE, {
        ino: busybox,
        version: version + 1,
        isize: 10_000,
        offset: 5000,
        data: deflateSync(patch),
        dsize: patch.length,
        compr: 6,
      }),
    );
    const want = Buffer.from(textBytes(10_000, 3));
    want.set(patch, 5000);
    assert.deepEqual(Buffer.from(fs.read('/bin/busybox', 1 << 20)), want);
  });

  it('holes: a zero node, and a size past the last node, read as zeros', () => {
    const passwd = id('/etc/passwd');
    const fs = open(
      inodeNode(LITTLE, { ino: passwd, version: version + 1, isize: 8192, offset: 4, dsize: 10, compr: 1 }),
      inodeNode(LITTLE, { ino: passwd, version: version + 2, isize: 8192, offset: 8000, data: new TextEncoder().encode('end') }),
    );
    const got = fs.read('/etc/passwd', 1 << 20);
    assert.equal(got.length, 8192);
    assert.equal(text(got.subarray(0, 4)), 'root');
    assert.deepEqual([...got.subarray(4, 14)], new Array(10).fill(0));
    assert.equal(text(got.subarray(14, 30)), 't:/root:/bin/sh\n');
    assert.deepEqual(
      [...got.subarray(30, 8000)].filter((b) => b !== 0),
      [],
    );
    assert.equal(text(got.subarray(8000, 8003)), 'end');
  });

  it('a newer dirent with inode 0 removes the name; one with another inode replaces it', () => {
    const etc = id('/etc');
    const fs = open(
      direntNode(LITTLE, { parent: etc, version: version + 1, ino: 0, name: 'shadow' }),
      direntNode(LITTLE, { parent: etc, version: version + 2, ino: id('/bin/busybox'), name: 'passwd' }),
    );
    assert.equal(fs.entry('/etc/shadow'), undefined);
    // Now a second name of busybox's inode, which /bin/busybox (listed first) holds.
    assert.deepEqual(fs.entry('/etc/passwd'), {
      ...fs.entry('/bin/busybox'),
      path: '/etc/passwd',
      type: 'hardlink',
      size: 0,
      linkTarget: '/bin/busybox',
    });
    assert.equal(fs.read('/etc/passwd', 1 << 20).length, 10_000);
    assert.deepEqual(fs.problems, []);
    // An older unlink does not remove a newer name.
    const stale = open(direntNode(LITTLE, { parent: etc, version: 0, ino: 0, name: 'shadow' }));
    assert.equal(stale.entry('/etc/shadow')?.type, 'file');
  });

  it('a newest node whose data CRC fails is dropped, as the kernel drops it, and reported', () => {
    const passwd = id('/etc/passwd');
    const fs = open(
      inodeNode(LITTLE, { ino: passwd, version: version + 1, isize: 30, data: new TextEncoder().encode('EVIL'), badDataCrc: true }),
    );
    assert.equal(text(fs.read('/etc/passwd', 100)), 'root:x:0:0:root:/root:/bin/sh\n');
    problemMatching(fs, /\/etc\/passwd: node at 0x[0-9a-f]+: data CRC mismatch/);
  });

  it('a node with a bad header CRC is skipped and reported, and the rest is read', () => {
    const nodes = walk(le, LITTLE);
    const shadowInode = nodes.find((w) => w.inode?.ino === id('/etc/shadow')) as Walked;
    const broken = new Uint8Array(le);
    broken[shadowInode.pos + 5] = (broken[shadowInode.pos + 5] as number) ^ 0x40; // in totlen: the header CRC fails
    const fs = new Jffs2Image(new BufferSource(broken));
    assert.equal(fs.stats.corrupt, 1);
    problemMatching(fs, /^jffs2@0x[0-9a-f]+: \d+ bytes that are neither JFFS2 nodes nor erased flash/);
    problemMatching(fs, /\/etc\/shadow: cannot read inode \d+: inode \d+ has no inode node/);
    assert.equal(text(fs.read('/etc/passwd', 100)), 'root:x:0:0:root:/root:/bin/sh\n');
    assert.equal(fs.entry('/bin/busybox')?.size, 10_000);
  });

  it('dirent and inode nodes whose body or name CRC fails are skipped and reported', () => {
    const nodes = walk(le, LITTLE);
    const passwdDirent = nodes.find((w) => w.dirent && text(w.dirent.name) === 'passwd') as Walked;
    const busyboxInode = nodes.find((w) => w.inode?.ino === id('/bin/busybox')) as Walked;
    const broken = new Uint8Array(le);
    broken[passwdDirent.pos + 40] = 0x50; // the name: its CRC fails
    broken[busyboxInode.pos + 20] = (broken[busyboxInode.pos + 20] as number) ^ 1; // the mode: the node CRC fails
    const fs = new Jffs2Image(new BufferSource(broken));
    assert.equal(fs.entry('/etc/passwd'), undefined);
    problemMatching(fs, /dirent name CRC mismatch; node skipped/);
    problemMatching(fs, /inode node CRC mismatch; node skipped/);
    assert.equal(fs.stats.corrupt, 2);
    // The first of busybox's nodes is gone: its first page reads as a hole, the rest as written.
    const data = fs.read('/bin/busybox', 1 << 20);
    assert.deepEqual(Buffer.from(data.subarray(4096)), Buffer.from(textBytes(10_000, 3).subarray(4096)));
  });

  it('names that would climb out of the image or break its paths are reported and not listed', () => {
    const etc = id('/etc');
    const passwd = id('/etc/passwd');
    const fs = open(
      direntNode(LITTLE, { parent: 1, version: version + 1, ino: passwd, name: '..' }),
      direntNode(LITTLE, { parent: etc, version: version + 1, ino: passwd, name: '../../../etc/shadow' }),
      direntNode(LITTLE, { parent: etc, version: version + 1, ino: passwd, name: '.' }),
      direntNode(LITTLE, { parent: etc, version: version + 1, ino: passwd, name: '' }),
      direntNode(LITTLE, { parent: etc, version: version + 1, ino: passwd, name: 'nul\0name' }),
    );
    for (const entry of fs.entries()) {
      assert.ok(!entry.path.split('/').includes('..') && !entry.path.includes('//') && !entry.path.includes('\0'), entry.path);
    }
    assert.equal([...fs.entries()].length, 7);
    for (const name of ['..', '../../../etc/shadow', '.', '', 'nul\\u0000name'])
      problemMatching(fs, new RegExp(`entry named "${name.replace(/[.\\]/g, '\\$&')}"`));
  });

  it('a directory entry that leads back to an ancestor is reported and not descended', () => {
    const etc = id('/etc');
    const fs = open(
      direntNode(LITTLE, { parent: etc, version: version + 1, ino: etc, name: 'again', type: 4 }),
      inodeNode(LITTLE, { ino: 1, version: 1, mode: 0o40700, isize: 0 }),
      direntNode(LITTLE, { parent: id('/bin'), version: version + 1, ino: 1, name: 'root', type: 4 }),
    );
    problemMatching(fs, /\/etc\/again: directory loop: refers back to \/etc/);
    problemMatching(fs, /\/bin\/root: directory loop: refers back to \//);
    assert.equal(fs.entry('/')?.mode, 0o700);
    assert.equal(fs.entry('/etc/again/passwd'), undefined);
  });

  it('absurd sizes are bounded', () => {
    const passwd = id('/etc/passwd');
    // A file that claims 4 GiB: reads stop at the caller's bound.
    let fs = open(inodeNode(LITTLE, { ino: passwd, version: version + 1, isize: 0xffffffff, offset: 0, data: new Uint8Array(0) }));
    assert.equal(fs.entry('/etc/passwd')?.size, 0xffffffff);
    const head = fs.read('/etc/passwd', 1 << 16);
    assert.equal(head.length, 1 << 16);
    assert.equal(text(head.subarray(0, 4)), 'root');
    // A node that claims more data than any page: refused by name when read.
    fs = open(inodeNode(LITTLE, { ino: passwd, version: version + 1, isize: 64, offset: 0, dsize: 0x7fffffff, compr: 1 }));
    assert.throws(() => fs.read('/etc/passwd', 1 << 20), /claims 2147483647 bytes of data \(more than 1048576\)/);
    // A header that claims more bytes than the image has: skipped as unrecognised bytes.
    const huge = node(LITTLE, 0xe002, 16, () => {}, 0x7ffffff0);
    fs = open(huge);
    assert.equal(fs.stats.corrupt, 1);
    assert.equal(text(fs.read('/etc/passwd', 100)), 'root:x:0:0:root:/root:/bin/sh\n');
  });

  it('names the compressor a node uses when it is not supported', () => {
    const passwd = id('/etc/passwd');
    for (const [compr, name] of [
      [3, 'rubinmips'],
      [5, 'dynrubin'],
      [8, 'lzma'],
      [42, 'unknown compressor 42'],
    ] as const) {
      const fs = open(inodeNode(LITTLE, { ino: passwd, version: version + 1, isize: 30, data: new Uint8Array(20), dsize: 30, compr }));
      assert.throws(
        () => fs.read('/etc/passwd', 100),
        (error: unknown) => error instanceof ImageReadError && error.message.includes(`compressed with ${name}, which is not supported`),
      );
      problemMatching(fs, new RegExp(`/etc/passwd: node at 0x[0-9a-f]+: compressed with ${name}`));
    }
  });

  it('obsolete nodes, unknown compatible nodes and the old magic are told apart', () => {
    const passwd = id('/etc/passwd');
    // The kernel obsoletes a node by clearing its ACCURATE bit (0x2000) in place: 0xe002 becomes 0xc002,
    // and the header CRC stays what it was.
    const obsolete = inodeNode(LITTLE, { ino: passwd, version: version + 1, isize: 4, data: new TextEncoder().encode('GONE') });
    put16(obsolete, 2, 0xc002, LITTLE);
    const unknownCompat = node(LITTLE, 0x2009, 16, () => {});
    const unknownIncompat = node(LITTLE, 0xe00a, 16, () => {});
    const old = node(LITTLE, 0xe001, 16, (b) => put16(b, 0, 0x1984, LITTLE));
    put32(old, 8, crc32Raw(old.subarray(0, 8), 0), LITTLE);
    const fs = open(obsolete, unknownCompat, unknownIncompat, old);
    assert.equal(text(fs.read('/etc/passwd', 100)), 'root:x:0:0:root:/root:/bin/sh\n');
    assert.equal(fs.stats.obsolete, 1);
    problemMatching(fs, /unknown node type 0xe00a marked incompatible/);
    problemMatching(fs, /pre-2\.4\.10 magic 0x1984/);
    assert.equal(fs.problems.length, 2);
  });

  it('truncated images open with what they hold, and nothing at all is a clear error', () => {
    for (let cut = 12; cut < le.length; cut += 97) {
      let fs: Jffs2Image;
      try {
        fs = new Jffs2Image(new BufferSource(le.subarray(0, cut)));
      } catch (error) {
        assert.ok(error instanceof ImageReadError, String(error));
        continue;
      }
      for (const entry of fs.entries()) {
        if (entry.type !== 'file') continue;
        try {
          fs.read(entry.path, 1 << 20);
        } catch (error) {
          assert.ok(error instanceof ImageReadError, String(error));
        }
      }
    }
    assert.throws(() => new Jffs2Image(new BufferSource(new Uint8Array(1 << 16).fill(0xff))), /jffs2: no JFFS2 node found/);
    assert.throws(() => new Jffs2Image(new BufferSource(pseudoRandom(1 << 16, 5))), /jffs2: no JFFS2 node found/);
  });

  it('a big-endian image with little-endian nodes in it reads only its own byte order', () => {
    const fs = new Jffs2Image(new BufferSource(concat(be, direntNode(LITTLE, { parent: 1, version: 99, ino: 2, name: 'intruder' }))));
    assert.match(fs.format, /big-endian/);
    assert.equal(fs.entry('/intruder'), undefined);
    assert.equal(fs.stats.corrupt, 1);
  });
});

describe('fuzzing the JFFS2 reader', { skip, timeout: 120_000 }, () => {
  let images: Uint8Array[] = [];
  before(() => {
    const work = mkdtempSync(join(tmpdir(), 'baseline-jffs2-fuzz-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'a/b'), { recursive: true });
    writeFileSync(join(src, 'a/b/text'), textBytes(9000, 2));
    writeFileSync(join(src, 'random'), pseudoRandom(5000, 3));
    for (let i = 0; i < 20; i++) writeFileSync(join(src, `a/f${i}`), `${i}\n`.repeat(i * 10));
    symlinkSync('/a/b/text', join(src, 'link'));
    mkfsJffs2(src, join(work, 'le'), ['-l', '-e', '16KiB', '-X', 'lzo']);
    mkfsJffs2(src, join(work, 'be'), ['-b', '-e', '16KiB', '-x', 'zlib']);
    images = [new Uint8Array(readFileSync(join(work, 'le'))), new Uint8Array(readFileSync(join(work, 'be')))];
    rmSync(work, { recursive: true, force: true });
  });

  function survives(image: Uint8Array): void {
    const started = cpuClock();
    let fs: Jffs2Image;
    try {
      fs = new Jffs2Image(new BufferSource(image), { maxEntries: 500 });
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      return;
    }
    for (const entry of fs.entries()) {
      assert.ok(entry.path.startsWith('/') && !entry.path.includes('//') && !entry.path.split('/').includes('..'), entry.path);
      if (entry.type === 'file' || entry.type === 'hardlink') {
        try {
          assert.ok(fs.read(entry.path, 1 << 20).length <= 1 << 20);
        } catch (error) {
          if (!(error instanceof ImageReadError)) throw error;
        }
      }
      resolveInImage(fs, entry.path);
    }
    assert.ok(started() < 2000);
  }

  it('the unmodified images read cleanly', () => {
    for (const image of images) {
      const fs = new Jffs2Image(new BufferSource(image));
      assert.deepEqual(fs.problems, []);
      assert.equal([...fs.entries()].length, 26);
    }
  });

  it('survives flipped bytes anywhere', () => {
    fc.assert(
      fc.property(
        fc.nat(1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        (which, flips) => {
          const image = new Uint8Array(images[which] as Uint8Array);
          for (const [at, value] of flips) image[at % image.length] = value;
          survives(image);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('survives nodes with valid CRCs and arbitrary fields', () => {
    const e = LITTLE;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc
              .record({ parent: fc.nat(8), version: fc.nat(5), ino: fc.nat(8), name: fc.uint8Array({ maxLength: 20 }), type: fc.nat(15) })
              .map((d) => direntNode(e, d)),
            fc
              .record({
                ino: fc.nat(8),
                version: fc.nat(5),
                mode: fc.oneof(fc.constantFrom(0o100644, 0o40755, 0o120777, 0o20644), fc.nat()),
                isize: fc.oneof(fc.nat(20000), fc.constant(0xffffffff)),
                offset: fc.oneof(fc.nat(20000), fc.nat()),
                data: fc.uint8Array({ maxLength: 64 }),
                dsize: fc.oneof(fc.nat(5000), fc.nat()),
                compr: fc.nat(9),
              })
              .map((n) => inodeNode(e, n)),
          ),
          { maxLength: 30 },
        ),
        (nodes) => survives(concat(images[0] as Uint8Array, ...nodes)),
      ),
      { numRuns: RUNS },
    );
  });

  it('the rtime decoder gives exactly the length asked for, or an ImageReadError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(600), (input, length) => {
        try {
          assert.equal(decodeRtime(input, length).length, length);
        } catch (error) {
          if (!(error instanceof ImageReadError)) throw error;
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('the node parsers answer arbitrary bytes with a node or an ImageReadError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat(400), fc.boolean(), (bytes, total, little) => {
        const e = little ? LITTLE : BIG;
        for (const parse of [parseDirent, parseInode]) {
          try {
            parse(bytes, e, total);
          } catch (error) {
            if (!(error instanceof ImageReadError)) throw error;
          }
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe(
  'scanning JFFS2 images',
  { skip: skip || (mkimageTools ? false : 'u-boot-tools (mkimage) not installed'), timeout: 120_000 },
  () => {
    let work: string;
    let image: string;
    before(() => {
      work = mkdtempSync(join(tmpdir(), 'baseline-jffs2-scan-'));
      const src = join(work, 'rootfs');
      mkdirSync(join(src, 'etc'), { recursive: true });
      mkdirSync(join(src, 'bin'), { recursive: true });
      const hash = execFileSync('mkpasswd', ['-m', 'sha-512', 'xc3511'], { encoding: 'utf8' }).trim();
      writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
      writeFileSync(join(src, 'etc/shadow'), `root:${hash}:19000:0:99999:7:::\n`);
      writeFileSync(join(src, 'bin/busybox'), 'not really busybox\n');
      image = join(work, 'rootfs.jffs2');
      mkfsJffs2(src, image, ['-b', '-e', '64KiB', '-p']);
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    const failing = (findings: Array<{ check: string; result: string; location: { path?: string } }>, check: string) =>
      findings.filter((f) => f.check === check && f.result === 'fail');

    it('`baseline scan firmware` reads a JFFS2 image given directly and finds the universal default password', () => {
      const r = runCli(['scan', 'firmware', image, '--json']);
      const results = JSON.parse(r.stdout) as {
        findings: Array<{ check: string; result: string; location: { path?: string } }>;
        incomplete: unknown[];
      };
      assert.deepEqual(results.incomplete, []);
      assert.equal(failing(results.findings, 'firmware/universal-password')[0]?.location.path, '/etc/shadow');
      assert.equal(failing(results.findings, 'firmware/default-password')[0]?.location.path, '/etc/shadow');
    });

    it('carves a JFFS2 partition out of a raw flash dump after a uImage kernel, at an erase block boundary', async () => {
      const kernel = join(work, 'kernel.bin');
      writeFileSync(kernel, pseudoRandom(100_000, 9));
      const uimage = join(work, 'kernel.uimg');
      mkimage(uimage, { type: 'kernel', compression: 'none', name: 'Linux', data: kernel });
      const u = readFileSync(uimage);
      const jffs2 = readFileSync(image);
      const pad = (n: number) => Buffer.alloc(n, 0xff);
      const flash = join(work, 'flash.bin');
      // Boot loader area, kernel partition at 0x40000, rootfs partition at 0x100000, then erased flash.
      writeFileSync(
        flash,
        Buffer.concat([pseudoRandom(0x20000, 1), pad(0x20000), u, pad(0x100000 - 0x40000 - u.length), jffs2, pad(0x80000)]),
      );
      // The carver's JFFS2 hit spans the partition's nodes: from its first node to the end of its last.
      const bytes = readFileSync(flash);
      const hit = findSignatures('flash', bytes.length, (p, l) => bytes.subarray(p, p + l)).find((h) => h.type === 'jffs2');
      const lastNode = walk(new Uint8Array(jffs2), BIG).at(-1) as Walked;
      assert.deepEqual([hit?.offset, hit?.length, hit?.supported], [0x100000, lastNode.pos + lastNode.total, true]);

      const result = await scanFirmware(flash, { name: 'test', version: '0' });
      assert.deepEqual(
        result.filesystems.map((f) => [f.label.replace(flash, 'flash'), f.format]),
        [['flash@0x100000', 'jffs2 (big-endian)']],
        JSON.stringify(result.results.incomplete),
      );
      assert.equal(failing(result.results.findings, 'firmware/universal-password')[0]?.location.path, '/etc/shadow');
      assert.equal(failing(result.results.findings, 'firmware/default-password').length, 1);
      assert.ok(result.containers.some((c) => c.kind === 'uimage' && /Linux/.test(c.description)));
    });
  },
);
