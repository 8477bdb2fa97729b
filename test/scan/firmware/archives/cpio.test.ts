// The cpio reader against GNU cpio: archives in newc, crc, odc and bin written by `find . | cpio -o`,
// compressed as initramfs images are, compared with `cpio -itvn` and with the source tree; concatenated
// archives (microcode + main initramfs), hard links in newc, both byte orders of the old binary format.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { CpioFs, openArchive, openCpio } from '../../../../src/scan/firmware/archives/index.ts';
import { BufferSource } from '../../../../src/scan/firmware/byte-source.ts';
import {
  binMember,
  buildArchiveTree,
  describeTree,
  hasTool,
  listCpio,
  makeCpio,
  newcMember,
  type SourceEntry,
} from '../../../helpers/make-archives.ts';
import { matchesSource, matchesTool } from './compare.ts';

describe(
  'cpio archives made by GNU cpio',
  { skip: hasTool('cpio') ? false : 'cpio not installed (apt-get install cpio)', timeout: 300_000 },
  () => {
    let work: string;
    let src: string;
    let tree: Map<string, SourceEntry>;

    before(() => {
      work = mkdtempSync(join(tmpdir(), 'baseline-cpio-'));
      src = join(work, 'src');
      buildArchiveTree(src);
      tree = describeTree(src);
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    for (const format of ['newc', 'crc', 'odc', 'bin'] as const) {
      it(`reads -H ${format} like cpio -itvn and the source tree`, async () => {
        const archive = join(work, `${format}.cpio`);
        makeCpio(src, archive, format);
        const fs = await openCpio(archive);
        try {
          assert.equal(fs.format, `cpio (${format})`);
          assert.deepEqual(fs.problems, []);
          matchesTool(fs, listCpio(archive), '-');
          matchesSource(fs, tree);
          const sh = fs.entry('/bin/sh');
          const busybox = fs.entry('/bin/busybox');
          assert.ok(sh?.type === 'hardlink' || busybox?.type === 'hardlink', 'one of the two links is a hard link to the other');
        } finally {
          fs.close();
        }
      });
    }

    for (const compressor of ['gzip', 'xz', 'zstd', 'bzip2', 'lz4'] as const) {
      it(
        `reads a ${compressor}-compressed newc initramfs`,
        { skip: hasTool(compressor) ? false : `${compressor} not installed` },
        async () => {
          const archive = join(work, `initramfs.cpio.${compressor}`);
          makeCpio(src, archive, 'newc', compressor === 'xz' ? 'xz --check=crc32' : compressor);
          const fs = await openArchive(archive, { workDir: work });
          try {
            assert.equal(fs.format, `cpio (newc, ${compressor === 'lz4' ? 'lz4-frame' : compressor})`);
            assert.deepEqual(fs.problems, []);
            matchesSource(fs, tree);
          } finally {
            fs.close();
          }
        },
      );
    }

    it('reads concatenated archives: an uncompressed microcode cpio, then the gzip-compressed main one', () => {
      const micro = new Uint8Array(
        Buffer.concat([
          newcMember('kernel', { mode: 0o40755 }),
          newcMember('kernel/x86', { mode: 0o40755 }),
          newcMember('kernel/x86/microcode/GenuineIntel.bin', { data: 'ucode' }),
          newcMember('TRAILER!!!'),
        ]),
      );
      const mainPath = join(work, 'main.cpio');
      makeCpio(src, mainPath, 'newc');
      const padded = new Uint8Array(Math.ceil(micro.length / 512) * 512);
      padded.set(micro);
      const image = new Uint8Array(Buffer.concat([padded, new Uint8Array(512), gzipSync(readFileSync(mainPath))]));
      const fs = new CpioFs(new BufferSource(image));
      assert.equal(fs.format, 'cpio (newc, gzip)');
      assert.deepEqual(fs.problems, []);
      assert.equal(Buffer.from(fs.read('/kernel/x86/microcode/GenuineIntel.bin', 100)).toString(), 'ucode');
      matchesSource(fs, tree, (path) => path.startsWith('/kernel'));
      assert.equal(fs.entry('/kernel')?.mode, 0o755);
    });

    it('reads two uncompressed archives back to back; the later member wins', () => {
      const one = Buffer.concat([newcMember('etc/a', { data: 'first' }), newcMember('TRAILER!!!')]);
      const two = Buffer.concat([newcMember('etc/a', { data: 'second' }), newcMember('etc/b', { data: 'b' }), newcMember('TRAILER!!!')]);
      const fs = new CpioFs(new BufferSource(new Uint8Array(Buffer.concat([one, Buffer.alloc(4), two]))));
      assert.equal(Buffer.from(fs.read('/etc/a', 100)).toString(), 'second');
      assert.equal(Buffer.from(fs.read('/etc/b', 100)).toString(), 'b');
      assert.ok(fs.problems.some((p) => p.part === '/etc/a' && /more than once/.test(p.reason)));
    });

    it('puts the data of newc hard links with the last link, and reads it through every link', () => {
      const archive = Buffer.concat([
        newcMember('bin/busybox', { ino: 7, nlink: 3 }),
        newcMember('bin/sh', { ino: 7, nlink: 3 }),
        newcMember('bin/ls', { ino: 7, nlink: 3, data: 'BUSYBOX' }),
        newcMember('TRAILER!!!'),
      ]);
      const fs = new CpioFs(new BufferSource(new Uint8Array(archive)));
      assert.equal(fs.entry('/bin/busybox')?.type, 'file');
      assert.equal(fs.entry('/bin/busybox')?.size, 7);
      assert.equal(fs.entry('/bin/sh')?.linkTarget, '/bin/busybox');
      for (const path of ['/bin/busybox', '/bin/sh', '/bin/ls']) assert.equal(Buffer.from(fs.read(path, 100)).toString(), 'BUSYBOX');
    });

    for (const bigEndian of [false, true]) {
      it(`reads the old binary format, ${bigEndian ? 'big' : 'little'}-endian`, () => {
        const archive = Buffer.concat([
          binMember('etc', '', 0o40755, bigEndian, 1),
          binMember('etc/passwd', 'root:x:0:0::/root:/bin/sh\n', 0o100600, bigEndian, 2),
          binMember('etc/odd', 'odd', 0o100644, bigEndian, 3),
          binMember('link', '/etc/passwd', 0o120777, bigEndian, 4),
          binMember('TRAILER!!!', '', 0, bigEndian, 0),
        ]);
        const path = join(work, `bin-${bigEndian}.cpio`);
        writeFileSync(path, archive);
        const fs = new CpioFs(new BufferSource(new Uint8Array(archive)));
        assert.equal(fs.format, 'cpio (bin)');
        assert.deepEqual(fs.problems, []);
        assert.equal(Buffer.from(fs.read('/etc/passwd', 100)).toString(), 'root:x:0:0::/root:/bin/sh\n');
        assert.equal(Buffer.from(fs.read('/etc/odd', 100)).toString(), 'odd');
        assert.equal(fs.entry('/etc/passwd')?.mode, 0o600);
        assert.equal(fs.entry('/link')?.linkTarget, '/etc/passwd');
        if (!bigEndian || new Uint8Array(new Uint16Array([1]).buffer)[0] === 0) matchesTool(fs, listCpio(path), '-');
      });
    }
  },
);
