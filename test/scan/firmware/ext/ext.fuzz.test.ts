// Property-based fuzzing of the ext reader: real ext2 and ext4 images with bytes flipped (mostly in the
// metadata at the start, where the superblock, descriptors, inode tables and directories are) are opened,
// listed and read whole. The only error allowed is ImageReadError, and every run stays within a time budget.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ExtImage } from '../../../../src/scan/firmware/ext/index.ts';
import { ImageReadError, resolveInImage } from '../../../../src/scan/firmware/image-fs.ts';
import { BufferSource } from '../../../../src/scan/firmware/squashfs/index.ts';
import { extTools, mkfsExt, pseudoRandom, textBytes } from '../../../helpers/make-ext.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const BUDGET_MS = 3000;

function survives(image: Uint8Array): void {
  const started = cpuClock();
  let fs: ExtImage;
  try {
    fs = new ExtImage(new BufferSource(image), { maxEntries: 5000 });
  } catch (error) {
    if (!(error instanceof ImageReadError)) throw error;
    return;
  }
  let count = 0;
  for (const entry of fs.entries()) {
    count++;
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
  assert.ok(count <= 5000);
  const elapsed = started();
  assert.ok(elapsed < BUDGET_MS, `${elapsed.toFixed(0)} ms`);
}

describe('fuzzing the ext reader', { skip: extTools ? false : 'e2fsprogs not installed', timeout: 600_000 }, () => {
  let work: string;
  const images: Array<{ name: string; bytes: Uint8Array }> = [];

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-ext-fuzz-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'etc'), { recursive: true });
    mkdirSync(join(src, 'a/b/c'), { recursive: true });
    writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(src, 'etc/big'), pseudoRandom(40_000, 5));
    writeFileSync(join(src, 'a/b/c/text'), textBytes(3000, 2));
    for (let i = 0; i < 40; i++) writeFileSync(join(src, `a/f${i}`), `${i}\n`);
    symlinkSync('/etc/passwd', join(src, 'link'));
    symlinkSync('x'.repeat(80), join(src, 'a/slow-link'));
    for (const [name, kind, args] of [
      ['ext2', 'ext2', ['-b', '1024']],
      ['ext4', 'ext4', ['-b', '1024', '-O', '^has_journal']],
      ['ext4-inline', 'ext4', ['-b', '1024', '-O', '^has_journal,inline_data']],
    ] as const) {
      const path = join(work, `${name}.img`);
      mkfsExt(kind, src, path, '1M', [...args, '-N', '64']);
      images.push({ name, bytes: new Uint8Array(readFileSync(path)) });
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('the unmodified images are read cleanly', () => {
    for (const { name, bytes } of images) {
      survives(bytes);
      const fs = new ExtImage(new BufferSource(bytes));
      assert.equal([...fs.entries()].length, 51, name);
      assert.deepEqual(fs.problems, [], name);
    }
  });

  it('byte flips anywhere in the metadata never throw anything but ImageReadError and never hang', () => {
    for (const { bytes } of images) {
      fc.assert(
        fc.property(
          fc.array(fc.record({ at: fc.integer({ min: 0, max: 96 * 1024 }), value: fc.integer({ min: 0, max: 255 }) }), {
            minLength: 1,
            maxLength: 12,
          }),
          (flips) => {
            const copy = bytes.slice();
            for (const f of flips) copy[f.at % copy.length] = f.value;
            survives(copy);
          },
        ),
        { numRuns: RUNS },
      );
    }
  });

  it('extreme values in 32-bit fields never throw anything but ImageReadError', () => {
    for (const { bytes } of images) {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: (96 * 1024) / 4 - 1 }),
          fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x80000000, 0xffff),
          (word, value) => {
            const copy = bytes.slice();
            new DataView(copy.buffer).setUint32(word * 4, value >>> 0, true);
            survives(copy);
          },
        ),
        { numRuns: RUNS },
      );
    }
  });
});
