// The signature scanner on a flash blob assembled from real images at known offsets (padding, a squashfs made
// by mksquashfs, an ext4 image made by mkfs.ext4, a uImage and a FIT made by mkimage, and small compressed
// streams and archives made by Node and the system tools), with chunks small enough that magics straddle chunk
// edges; and on pseudo-random data, where it must find nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { findSignatures, type Signature } from '../../../../src/scan/firmware/carving/index.ts';
import { ExtImage } from '../../../../src/scan/firmware/ext/index.ts';
import { BufferSource, SquashfsImage } from '../../../../src/scan/firmware/squashfs/index.ts';
import { fitTools, mkimage, mkimageFit, writeBoardDtb, writeIts } from '../../../helpers/make-boot-images.ts';
import { mkfsExt } from '../../../helpers/make-ext.ts';
import { hasTool, mksquashfs, pseudoRandom, textBytes } from '../../../helpers/make-squashfs.ts';

const tools =
  fitTools && hasTool('mksquashfs') && hasTool('mkfs.ext4') && hasTool('xz') && hasTool('bzip2') && hasTool('tar') && hasTool('cpio');

const reader = (bytes: Uint8Array) => (position: number, length: number) =>
  bytes.subarray(position, Math.min(bytes.length, position + Math.max(0, length)));

describe(
  'finding filesystems and boot containers in a flash blob',
  { skip: tools ? false : 'mksquashfs, mkfs.ext4, mkimage, dtc, xz, bzip2, tar or cpio missing', timeout: 120_000 },
  () => {
    let work: string;
    const parts: Array<{ name: string; at: number; bytes: Uint8Array }> = [];
    let blob: Uint8Array;

    before(() => {
      work = mkdtempSync(join(tmpdir(), 'baseline-carve-'));
      const src = join(work, 'root');
      mkdirSync(join(src, 'etc'), { recursive: true });
      writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
      writeFileSync(join(src, 'etc/data'), pseudoRandom(20_000, 3));
      const file = (name: string, data: Uint8Array): string => {
        writeFileSync(join(work, name), data);
        return join(work, name);
      };
      mksquashfs(src, join(work, 'root.sqfs'), ['-comp', 'xz']);
      mkfsExt('ext4', src, join(work, 'root.ext4'), '1M', ['-b', '1024', '-O', '^has_journal', '-N', '32']);
      const kernel = file('kernel', pseudoRandom(10_000, 5));
      mkimage(join(work, 'uImage'), { type: 'kernel', compression: 'none', name: 'kernel', data: kernel });
      writeBoardDtb(join(work, 'board.dtb'));
      writeIts(join(work, 'fit.its'), { kernel, ramdisk: file('rd', textBytes(3000, 1)), fdt: join(work, 'board.dtb') });
      mkimageFit(join(work, 'fit.its'), join(work, 'fit.itb'));
      const text = file('text', textBytes(30_000, 2));
      execFileSync('xz', ['-k', '-f', text]);
      execFileSync('bzip2', ['-k', '-f', text]);
      execFileSync('tar', ['-C', work, '-cf', join(work, 'a.tar'), 'text']);
      execFileSync('sh', ['-c', `cd ${work} && echo text | cpio -o -H newc > a.cpio 2>/dev/null`]);
      const pieces: Array<[string, Uint8Array]> = [
        ['squashfs', readFileSync(join(work, 'root.sqfs'))],
        ['ext', readFileSync(join(work, 'root.ext4'))],
        ['uimage', readFileSync(join(work, 'uImage'))],
        ['fit', readFileSync(join(work, 'fit.itb'))],
        ['gzip', gzipSync(textBytes(5000, 4))],
        ['xz', readFileSync(`${text}.xz`)],
        ['bzip2', readFileSync(`${text}.bz2`)],
        ['tar', readFileSync(join(work, 'a.tar'))],
        ['cpio', readFileSync(join(work, 'a.cpio'))],
      ];
      // Odd paddings of 0xff (erased flash), so nothing is aligned and magics fall across 4 KiB chunk edges.
      const chunks: Uint8Array[] = [];
      let at = 0;
      for (const [i, [name, bytes]] of pieces.entries()) {
        const pad = new Uint8Array(4096 * (i + 1) - 3 + i * 17).fill(0xff);
        chunks.push(pad, bytes);
        at += pad.length;
        parts.push({ name, at, bytes });
        at += bytes.length;
      }
      chunks.push(new Uint8Array(5000).fill(0xff));
      blob = Buffer.concat(chunks);
      if (process.env.DUMP_BLOB) writeFileSync(process.env.DUMP_BLOB, blob);
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    it('finds each part at its offset, with its length, in order', () => {
      for (const chunkSize of [4096, 1 << 20]) {
        const found = findSignatures('blob', blob.length, reader(blob), { chunkSize });
        const top = found.filter((s) => s.inside === undefined);
        for (const part of parts) {
          const hit = top.find((s) => s.offset === part.at) as Signature;
          assert.ok(hit, `${part.name} at ${part.at} in ${JSON.stringify(found)}`);
          assert.equal(hit.type, part.name);
          if (['uimage', 'fit'].includes(part.name)) assert.equal(hit.length, part.bytes.length, part.name);
          // mksquashfs pads the file to 4 KiB; the superblock's bytes_used is the image without the padding.
          if (part.name === 'squashfs') assert.ok(hit.length! <= part.bytes.length && hit.length! > part.bytes.length - 4096);
          if (part.name === 'ext') assert.equal(hit.length, 1 << 20);
        }
        assert.deepEqual(
          top.map((s) => s.offset),
          parts.map((p) => p.at),
          JSON.stringify(top),
        );
        assert.deepEqual(
          found.map((s) => s.offset),
          [...found.map((s) => s.offset)].sort((a, b) => a - b),
        );
        // Hits inside a container with a known length say which (the FIT's board DTB, for one).
        const fit = parts.find((p) => p.name === 'fit')!;
        assert.ok(found.some((s) => s.type === 'fdt' && s.inside === fit.at));
      }
    });

    it('the filesystems found can be opened where they were found', () => {
      const found = findSignatures('blob', blob.length, reader(blob));
      const sq = found.find((s) => s.type === 'squashfs')!;
      const squashfs = new SquashfsImage(new BufferSource(blob), { offset: sq.offset });
      assert.ok(squashfs.entry('/etc/passwd'));
      const ex = found.find((s) => s.type === 'ext')!;
      const ext = new ExtImage(new BufferSource(blob), { offset: ex.offset });
      assert.equal(Buffer.from(ext.read('/etc/passwd', 100)).toString(), 'root:x:0:0::/root:/bin/sh\n');
    });

    it('a uImage with a corrupt header CRC is not reported', () => {
      const bad = Buffer.from(blob);
      const u = parts.find((p) => p.name === 'uimage')!;
      bad[u.at + 40] = (bad[u.at + 40] as number) ^ 1;
      assert.ok(!findSignatures('bad', bad.length, reader(bad)).some((s) => s.offset === u.at));
    });
  },
);

describe('the signature scanner on data without signatures', () => {
  it('finds nothing in 8 MiB of pseudo-random data, nor in erased flash', () => {
    const random = pseudoRandom(8 << 20, 12345);
    assert.deepEqual(findSignatures('random', random.length, reader(random)), []);
    const erased = new Uint8Array(1 << 20).fill(0xff);
    assert.deepEqual(findSignatures('erased', erased.length, reader(erased)), []);
  });

  it('labels a big-endian squashfs as found but unsupported', () => {
    const sqsh = new Uint8Array(200);
    sqsh.set([0x73, 0x71, 0x73, 0x68]);
    sqsh[28] = 0;
    sqsh[29] = 4;
    const found = findSignatures('be', sqsh.length, reader(sqsh));
    assert.deepEqual(
      found.map((s) => [s.type, s.supported]),
      [['squashfs', false]],
    );
  });
});
