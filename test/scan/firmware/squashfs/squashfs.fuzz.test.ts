// Property-based fuzzing of the squashfs reader: real images with bytes flipped anywhere, or with a field
// of the superblock or of a table set to an extreme value, are opened, listed and read whole. The only
// error allowed is ImageReadError, and every run stays within a time budget.
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ImageReadError, resolveInImage } from '../../../../src/scan/firmware/image-fs.ts';
import { BufferSource, SquashfsImage } from '../../../../src/scan/firmware/squashfs/index.ts';
import { hasTool, mksquashfs, pseudoRandom, textBytes } from '../../../helpers/make-squashfs.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const BUDGET_MS = 3000;

/** Opens, lists, resolves and reads everything; only ImageReadError may escape, and only from opening. */
function survives(image: Uint8Array): void {
  const started = cpuClock();
  let fs: SquashfsImage;
  try {
    fs = new SquashfsImage(new BufferSource(image), { maxEntries: 5000 });
  } catch (error) {
    if (!(error instanceof ImageReadError)) throw error;
    return;
  }
  let count = 0;
  for (const entry of fs.entries()) {
    count++;
    assert.ok(entry.path.startsWith('/') && !entry.path.includes('//') && !entry.path.split('/').includes('..'), entry.path);
    assert.equal(fs.entry(entry.path), entry);
    if (entry.type === 'file' || entry.type === 'hardlink') {
      try {
        const data = fs.read(entry.path, 1 << 20);
        assert.ok(data.length <= 1 << 20);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
      }
    }
    resolveInImage(fs, entry.path);
  }
  assert.ok(count <= 5000);
  for (const problem of fs.problems) assert.equal(typeof problem.reason, 'string');
  const elapsed = started();
  assert.ok(elapsed < BUDGET_MS, `${elapsed.toFixed(0)} ms`);
}

describe('fuzzing the squashfs reader', { skip: hasTool('mksquashfs') ? false : 'squashfs-tools not installed', timeout: 600_000 }, () => {
  let work: string;
  const images: Array<{ name: string; bytes: Uint8Array }> = [];

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-squashfs-fuzz-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'etc/init.d'), { recursive: true });
    mkdirSync(join(src, 'bin'));
    mkdirSync(join(src, 'a/b/c'), { recursive: true });
    writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(src, 'etc/empty'), '');
    writeFileSync(join(src, 'etc/init.d/rcS'), '#!/bin/sh\ntelnetd\n');
    writeFileSync(join(src, 'bin/busybox'), Buffer.concat([textBytes(6000, 1), pseudoRandom(3000, 2)]));
    writeFileSync(join(src, 'bin/zeros'), new Uint8Array(8192));
    writeFileSync(join(src, 'a/b/c/deep'), textBytes(5000, 3));
    for (let i = 0; i < 20; i++) writeFileSync(join(src, `a/file-${i}`), `${i}\n`);
    linkSync(join(src, 'bin/busybox'), join(src, 'bin/sh'));
    symlinkSync('/etc/passwd', join(src, 'a/link'));
    symlinkSync('../../missing', join(src, 'a/b/dangling'));
    execFileSync('mkfifo', [join(src, 'a/fifo')]);
    const variants: Array<[string, string[]]> = [
      ['uncompressed', ['-noI', '-noD', '-noF', '-noX', '-noId', '-b', '4096']],
      ['gzip', ['-comp', 'gzip', '-b', '4096']],
      ['xz', ['-comp', 'xz', '-b', '4096']],
      ['lz4', ['-comp', 'lz4', '-b', '4096', '-noI']],
      ['lzo', ['-comp', 'lzo', '-b', '4096', '-noD']],
      ['zstd', ['-comp', 'zstd', '-b', '4096', '-noF']],
      ['lzma', ['-comp', 'lzma', '-b', '4096']],
    ];
    for (const [name, args] of variants) {
      const path = join(work, `${name}.sqfs`);
      mksquashfs(src, path, [...args, '-nopad']);
      images.push({ name, bytes: new Uint8Array(readFileSync(path)) });
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('the unchanged images read without problems', () => {
    for (const image of images) {
      const fs = new SquashfsImage(new BufferSource(image.bytes));
      survives(image.bytes);
      assert.deepEqual(fs.problems, [], image.name);
      assert.ok([...fs.entries()].length > 30, image.name);
    }
  });

  it('random byte changes anywhere give results, problems or ImageReadError', () => {
    const mutation = fc.record({
      image: fc.nat(),
      changes: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 16 }),
    });
    fc.assert(
      fc.property(mutation, ({ image, changes }) => {
        const bytes = (images[image % images.length] as { bytes: Uint8Array }).bytes.slice();
        for (const { at, value } of changes) bytes[at % bytes.length] = value;
        survives(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('byte changes in the metadata (the tables at the end) give results, problems or ImageReadError', () => {
    const mutation = fc.record({
      image: fc.nat(),
      changes: fc.array(fc.record({ back: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(mutation, ({ image, changes }) => {
        const bytes = (images[image % images.length] as { bytes: Uint8Array }).bytes.slice();
        const inodeTable = Number(new DataView(bytes.buffer).getBigUint64(64, true));
        const span = bytes.length - inodeTable;
        for (const { back, value } of changes) bytes[inodeTable + (back % span)] = value;
        survives(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('extreme values in superblock and table fields give results, problems or ImageReadError', () => {
    const extreme = fc.oneof(
      fc.constantFrom(0, 1, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff),
      fc.integer({ min: 0, max: 0xffffffff }),
    );
    const mutation = fc.record({
      image: fc.nat(),
      fields: fc.array(fc.record({ at: fc.nat(), width: fc.constantFrom(1, 2, 4), value: extreme, inSuperblock: fc.boolean() }), {
        minLength: 1,
        maxLength: 4,
      }),
    });
    fc.assert(
      fc.property(mutation, ({ image, fields }) => {
        const bytes = (images[image % images.length] as { bytes: Uint8Array }).bytes.slice();
        const view = new DataView(bytes.buffer);
        const inodeTable = Number(view.getBigUint64(64, true));
        for (const { at, width, value, inSuperblock } of fields) {
          const from = inSuperblock ? 0 : inodeTable;
          const span = (inSuperblock ? 96 : bytes.length - inodeTable) - width;
          const offset = from + (at % Math.max(1, span));
          if (width === 1) view.setUint8(offset, value & 0xff);
          else if (width === 2) view.setUint16(offset, value & 0xffff, true);
          else view.setUint32(offset, value >>> 0, true);
        }
        survives(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('images cut anywhere are refused or read with problems', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (image, cut) => {
        const bytes = (images[image % images.length] as { bytes: Uint8Array }).bytes;
        survives(bytes.subarray(0, cut % bytes.length));
      }),
      { numRuns: RUNS },
    );
  });
});
