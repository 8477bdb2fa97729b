// The ext reader against the source tree that mkfs.ext2/3/4 -d copied, and against debugfs on the same
// images: ext2 (indirect blocks up to triple indirect), ext3 (journal), ext4 (extents of depth > 0, 64bit and
// not, flex_bg, 128-byte inodes, inline data, 1 KiB and 4 KiB blocks): same paths, types, modes, owners,
// sizes, symlink targets, hard links and file contents (sha256).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExtImage } from '../../../../src/scan/firmware/ext/index.ts';
import type { FsEntry } from '../../../../src/scan/firmware/image-fs.ts';
import { resolveInImage } from '../../../../src/scan/firmware/image-fs.ts';
import {
  buildExtTree,
  debugfsCat,
  debugfsList,
  debugfsStat,
  describeTree,
  extTools,
  mkfsExt,
  sha256,
  type TreeEntry,
} from '../../../helpers/make-ext.ts';

interface Case {
  name: string;
  kind: 'ext2' | 'ext3' | 'ext4';
  args: string[];
  format: RegExp;
}

const CASES: Case[] = [
  { name: 'ext2, 1 KiB blocks, no journal', kind: 'ext2', args: ['-b', '1024'], format: /^ext2 \(1024-byte/ },
  { name: 'ext2, 4 KiB blocks, 128-byte inodes', kind: 'ext2', args: ['-b', '4096', '-I', '128'], format: /^ext2 \(4096-byte/ },
  { name: 'ext3, 4 KiB blocks', kind: 'ext3', args: ['-b', '4096'], format: /^ext3 / },
  { name: 'ext4, 4 KiB blocks, 64bit', kind: 'ext4', args: ['-b', '4096', '-O', '64bit'], format: /^ext4 \(4096-byte blocks, 64bit\)/ },
  {
    name: 'ext4, 1 KiB blocks, no 64bit, 128-byte inodes, no journal',
    kind: 'ext4',
    args: ['-b', '1024', '-O', '^64bit,^has_journal', '-I', '128'],
    format: /^ext4 \(1024-byte blocks\)/,
  },
  { name: 'ext4, inline data, no flex_bg', kind: 'ext4', args: ['-b', '4096', '-O', 'inline_data,^flex_bg'], format: /^ext4 / },
];

function comparable(e: FsEntry | TreeEntry): Omit<TreeEntry, 'ino' | 'sha256' | 'mtime'> {
  return { path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, linkTarget: e.linkTarget };
}

describe('ext images made by mkfs.ext*, read in process', { skip: extTools ? false : 'e2fsprogs not installed', timeout: 300_000 }, () => {
  let work: string;
  let src: string;
  let owners = false;
  let source: Map<string, TreeEntry>;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-ext-'));
    src = join(work, 'src');
    owners = buildExtTree(src).owners;
    source = describeTree(src);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const c of CASES) {
    it(c.name, () => {
      const image = join(work, `${c.name.replace(/\W+/g, '-')}.img`);
      mkfsExt(c.kind, src, image, '48M', c.args);
      const fs = ExtImage.open(image);
      try {
        assert.match(fs.format, c.format);
        assert.deepEqual(
          fs.problems.filter((p) => p.part !== 'journal'),
          [],
        );
        const listed = new Map([...fs.entries()].map((e) => [e.path, e]));
        const ours = [...listed.keys()].filter((p) => p !== '/lost+found').sort();
        assert.deepEqual(ours, [...source.keys()].sort());
        // Hard links: the first path met is the file, others point at it; both are the same source inode.
        for (const [path, want] of source) {
          const got = listed.get(path) as FsEntry;
          if (got.type === 'hardlink') {
            const target = source.get(got.linkTarget as string) as TreeEntry;
            assert.equal(target.ino, want.ino, `${path} is a hard link of ${got.linkTarget}`);
            assert.deepEqual({ ...comparable(want), path: target.path }, comparable(listed.get(target.path) as FsEntry));
            continue;
          }
          const expected = comparable(want);
          if (!owners) Object.assign(expected, { uid: got.uid, gid: got.gid });
          assert.deepEqual(comparable(got), expected, path);
          if (want.type === 'file') assert.equal(sha256(fs.read(path, 1 << 30)), want.sha256, `${path} content`);
        }
        assert.equal(resolveInImage(fs, '/bin/link-relative')?.path, '/etc/passwd');
        // Bounded reads.
        assert.equal(fs.read('/lib/libbig.so', 1000).length, 1000);
        assert.equal(fs.read('/bin/sh', 10).length, 10);
        assert.throws(() => fs.read('/etc', 10), /not a regular file/);
        assert.throws(() => fs.read('/nope', 10), /no such entry/);
      } finally {
        fs.close();
      }
    });
  }

  it('matches debugfs: every directory listed by `ls -p`, and contents by `cat`', () => {
    const image = join(work, 'debugfs.img');
    mkfsExt('ext4', src, image, '48M', ['-b', '1024']);
    const fs = ExtImage.open(image);
    try {
      let compared = 0;
      for (const dir of [...fs.entries()].filter((e) => e.type === 'directory')) {
        const names = new Map(debugfsList(image, dir.path).map((d) => [d.name, d]));
        const ours = [...fs.entries()].filter((e) => e.path !== '/' && e.path.slice(0, e.path.lastIndexOf('/') || 1) === dir.path);
        assert.deepEqual(ours.map((e) => e.path.slice(e.path.lastIndexOf('/') + 1)).sort(), [...names.keys()].sort(), dir.path);
        for (const e of ours) {
          const d = names.get(e.path.slice(e.path.lastIndexOf('/') + 1)) as typeof names extends Map<string, infer V> ? V : never;
          const real = e.type === 'hardlink' ? (fs.entry(e.linkTarget as string) as FsEntry) : e;
          assert.equal(real.mode, d.mode & 0o7777, e.path);
          assert.equal(real.uid, d.uid, e.path);
          assert.equal(real.gid, d.gid, e.path);
          if (real.type === 'file') assert.equal(real.size, d.size, e.path);
          compared++;
        }
      }
      assert.ok(compared > 400);
      for (const path of ['/lib/libbig.so', '/var/sparse-many', '/var/sparse-far', '/bin/busybox', '/etc/empty']) {
        assert.equal(sha256(fs.read(path, 1 << 30)), sha256(debugfsCat(image, path)), path);
      }
      // The multi-region sparse file has an extent tree of depth 1 (an index block), as debugfs shows.
      assert.match(debugfsStat(image, '/var/sparse-many'), /\(ETB0\)/);
    } finally {
      fs.close();
    }
  });

  it('reads a filesystem carved at an offset inside a larger file', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const image = join(work, 'plain.img');
    mkfsExt('ext4', src, image, '48M', ['-b', '4096']);
    const inner = readFileSync(image);
    const outer = join(work, 'outer.bin');
    const pad = Buffer.alloc(123_456, 0xff);
    writeFileSync(outer, Buffer.concat([pad, inner, pad]));
    const fs = ExtImage.open(outer, { offset: pad.length });
    try {
      assert.equal(sha256(fs.read('/lib/libbig.so', 1 << 30)), source.get('/lib/libbig.so')?.sha256);
    } finally {
      fs.close();
    }
  });
});
