// The squashfs reader against Debian's unsquashfs on the same images, in every compressor mksquashfs
// offers and with the options that change the layout: same paths, types, modes, owners, mtimes, symlink
// targets, hard links and file contents (sha256), and the same listing as `unsquashfs -lln`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FsEntry } from '../../../../src/scan/firmware/image-fs.ts';
import { SquashfsImage } from '../../../../src/scan/firmware/squashfs/index.ts';
import {
  buildSourceTree,
  extractWithUnsquashfs,
  hasTool,
  listWithUnsquashfs,
  mksquashfs,
  modeString,
  sha256,
  type SourceTreeFacts,
  type TreeEntry,
} from '../../../helpers/make-squashfs.ts';

const tools = hasTool('mksquashfs') && hasTool('unsquashfs');

interface Case {
  name: string;
  args: string[];
  /** The source tree built for this block size. */
  blockSize?: number;
  /** Bytes of junk put before the image, read with the offset option. */
  offset?: number;
}

const COMPRESSORS = ['gzip', 'lzma', 'lzo', 'xz', 'lz4', 'zstd'];

const CASES: Case[] = [
  ...COMPRESSORS.map((comp) => ({ name: comp, args: ['-comp', comp] })),
  ...COMPRESSORS.map((comp) => ({ name: `${comp} -b 4096`, args: ['-comp', comp, '-b', '4096'], blockSize: 4096 })),
  ...COMPRESSORS.map((comp) => ({
    name: `${comp} uncompressed metadata and data`,
    args: ['-comp', comp, '-noI', '-noD', '-noF', '-noX', '-noId'],
  })),
  ...COMPRESSORS.map((comp) => ({ name: `${comp} -nopad at offset 12345`, args: ['-comp', comp, '-nopad'], offset: 12345 })),
  { name: 'gzip -b 1M', args: ['-comp', 'gzip', '-b', '1M'], blockSize: 1 << 20 },
  { name: 'xz -b 1M -Xdict-size 100%', args: ['-comp', 'xz', '-b', '1M', '-Xdict-size', '100%'], blockSize: 1 << 20 },
  { name: 'xz with every BCJ filter', args: ['-comp', 'xz', '-Xbcj', 'x86,arm,armthumb,powerpc,sparc,ia64'] },
  { name: 'gzip -no-fragments', args: ['-comp', 'gzip', '-no-fragments'] },
  { name: 'lzo -always-use-fragments -Xalgorithm lzo1x_1', args: ['-comp', 'lzo', '-always-use-fragments', '-Xalgorithm', 'lzo1x_1'] },
  { name: 'lz4 -Xhc', args: ['-comp', 'lz4', '-Xhc'] },
  { name: 'zstd -Xcompression-level 22', args: ['-comp', 'zstd', '-Xcompression-level', '22'] },
  { name: 'gzip -no-duplicates -no-xattrs', args: ['-comp', 'gzip', '-no-duplicates', '-no-xattrs'] },
  { name: 'gzip -force-uid -force-gid', args: ['-comp', 'gzip', '-force-uid', '1234', '-force-gid', '4321'] },
  {
    name: 'gzip with pseudo-file devices, sockets, fifos, symlinks and owners',
    args: [
      ...['-comp', 'gzip', '-p', '/dev/console c 600 0 5 5 1', '-p', '/dev/sda b 660 0 6 8 0', '-p', '/etc/passwd m 4711 17 18'],
      ...['-p', '/var/ctrl.sock i 777 0 0 s', '-p', '/var/ctrl.fifo i 620 3 4 f', '-p', '/etc/alias s 777 0 0 /etc/passwd'],
    ],
  },
];

describe(
  'squashfs reader compared with unsquashfs',
  { skip: tools ? false : 'squashfs-tools (mksquashfs, unsquashfs) not installed' },
  () => {
    let work: string;
    const trees = new Map<number, { dir: string; facts: SourceTreeFacts }>();

    before(() => {
      work = mkdtempSync(join(tmpdir(), 'baseline-squashfs-'));
      for (const blockSize of new Set(CASES.map((c) => c.blockSize ?? 131072))) {
        const dir = join(work, `src-${blockSize}`);
        trees.set(blockSize, { dir, facts: buildSourceTree(dir, blockSize) });
      }
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    it('the source tree exercises devices, owners and extended inodes where this machine allows', () => {
      const facts = trees.get(131072)?.facts;
      assert.ok(facts);
      if (process.getuid?.() === 0) assert.deepEqual(facts, { charDevice: true, owners: true, xattrs: hasTool('setfattr') });
    });

    for (const c of CASES) {
      it(`${c.name}: same listing, contents, modes, owners and links as unsquashfs`, () => {
        const tree = trees.get(c.blockSize ?? 131072);
        assert.ok(tree);
        const slug = c.name.replace(/[^a-z0-9]+/gi, '-');
        const image = join(work, `${slug}.sqfs`);
        mksquashfs(tree.dir, image, c.args);
        let imagePath = image;
        if (c.offset) {
          imagePath = join(work, `${slug}.bin`);
          const junk = new Uint8Array(c.offset).fill(0xa5);
          writeFileSync(imagePath, Buffer.concat([junk, readFileSync(image)]));
        }
        const expected = extractWithUnsquashfs(imagePath, join(work, `${slug}-out`), c.offset ? ['-o', String(c.offset)] : []);
        const listed = listWithUnsquashfs(imagePath, c.offset ? ['-o', String(c.offset)] : []);

        const fs = SquashfsImage.open(imagePath, { offset: c.offset ?? 0 });
        try {
          assert.deepEqual(fs.problems, []);
          assert.match(fs.format, new RegExp(`^squashfs 4\\.0 \\(${c.args[1]}\\)$`));
          compareWithExtraction(fs, expected);
          compareWithListing([...fs.entries()], listed);
        } finally {
          fs.close();
        }
      });
    }
  },
);

function compareWithExtraction(fs: SquashfsImage, expected: Map<string, TreeEntry>): void {
  const ours = [...fs.entries()];
  assert.deepEqual(ours.map((e) => e.path).sort(), [...expected.keys()].sort(), 'same paths');
  // Parents before children, each path once.
  const seen = new Set<string>();
  for (const e of ours) {
    assert.ok(!seen.has(e.path), `${e.path} listed once`);
    const parent = e.path.slice(0, e.path.lastIndexOf('/')) || '/';
    if (e.path !== '/') assert.ok(seen.has(parent), `${e.path} after its parent`);
    seen.add(e.path);
  }
  const firstOfInode = new Map<number, string>();
  for (const e of ours) {
    const x = expected.get(e.path) as TreeEntry;
    const what = `${e.path}`;
    assert.equal(e.mode, x.mode, `${what} mode`);
    assert.equal(e.uid, x.uid, `${what} uid`);
    assert.equal(e.gid, x.gid, `${what} gid`);
    assert.equal(e.mtime, x.mtime, `${what} mtime`);
    if (e.type === 'hardlink') {
      const target = expected.get(e.linkTarget as string) as TreeEntry;
      assert.ok(target, `${what} links to a listed path`);
      assert.equal(x.ino, target.ino, `${what} is a hard link of ${e.linkTarget}`);
      assert.equal(firstOfInode.get(x.ino as number), e.linkTarget, `${what} links to the first path of its inode`);
      assert.equal(e.size, 0);
      if (target.type === 'file') assert.equal(sha256(fs.read(e.path, target.size)), target.sha256, `${what} reads as its target`);
      continue;
    }
    assert.equal(e.type, x.type, `${what} type`);
    if (e.type !== 'directory') {
      assert.ok(!firstOfInode.has(x.ino as number), `${what}: a second path of an inode is a hardlink entry`);
      firstOfInode.set(x.ino as number, e.path);
    }
    assert.equal(e.size, x.size, `${what} size`);
    if (e.type === 'file') {
      assert.equal(sha256(fs.read(e.path, e.size)), x.sha256, `${what} content`);
      if (e.size > 10) {
        const head = fs.read(e.path, 10);
        assert.equal(head.length, 10, `${what} bounded read`);
      }
    }
    if (e.type === 'symlink') assert.equal(e.linkTarget, x.linkTarget, `${what} target`);
  }
}

function compareWithListing(ours: FsEntry[], listed: ReturnType<typeof listWithUnsquashfs>): void {
  const byPath = new Map(ours.map((e) => [e.path, e]));
  assert.equal(listed.length, ours.length, 'as many entries as unsquashfs -lln lists');
  for (const l of listed) {
    const e = byPath.get(l.path);
    assert.ok(e, `${l.path} listed by unsquashfs is ours too`);
    const typeEntry = e.type === 'hardlink' ? (byPath.get(e.linkTarget as string) as FsEntry) : e;
    assert.equal(modeString(typeEntry.type, e.mode), l.modeString, `${l.path} mode string`);
    assert.equal(e.uid, l.uid, `${l.path} uid`);
    assert.equal(e.gid, l.gid, `${l.path} gid`);
    if (typeEntry.type === 'file') assert.equal(String(typeEntry.size), l.sizeField, `${l.path} size`);
    if (e.type === 'symlink') assert.equal(e.linkTarget, l.linkTarget, `${l.path} target`);
  }
}
