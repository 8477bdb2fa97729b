// Property-based fuzzing of the uImage header parser, the FDT/FIT parser and the signature scanner: real
// images from mkimage with bytes flipped, and arbitrary bytes. The only error allowed is ImageReadError, the
// input is never modified, and every run stays within a time budget.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { findSignatures, parseFdt, readFit, readUImage } from '../../../../src/scan/firmware/carving/index.ts';
import { ImageReadError } from '../../../../src/scan/firmware/image-fs.ts';
import { fitTools, mkimage, mkimageFit, writeBoardDtb, writeIts } from '../../../helpers/make-boot-images.ts';
import { pseudoRandom, textBytes } from '../../../helpers/make-squashfs.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const BUDGET_MS = 2000;
const reader = (bytes: Uint8Array) => (position: number, length: number) =>
  bytes.subarray(position, Math.min(bytes.length, position + Math.max(0, length)));

function onlyImageReadError(run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ImageReadError)) throw error;
  }
}

function survives(bytes: Uint8Array): void {
  const before = Buffer.from(bytes);
  const started = cpuClock();
  onlyImageReadError(() => readUImage(reader(bytes), bytes.length, 0));
  onlyImageReadError(() => readFit(reader(bytes), bytes.length, 0));
  onlyImageReadError(() => parseFdt(bytes));
  const found = findSignatures('fuzz', bytes.length, reader(bytes), { chunkSize: 4096 });
  for (const s of found) assert.ok(s.offset >= 0 && s.offset < bytes.length);
  assert.ok(started() < BUDGET_MS);
  assert.ok(before.equals(bytes), 'the input was modified');
}

const flips = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 16 });

describe('fuzzing the boot image parsers and the signature scanner', { timeout: 300_000 }, () => {
  let work: string;
  const images: Uint8Array[] = [];
  before(() => {
    if (!fitTools) return;
    work = mkdtempSync(join(tmpdir(), 'baseline-carve-fuzz-'));
    writeFileSync(join(work, 'k'), pseudoRandom(2000, 1));
    writeFileSync(join(work, 'r'), textBytes(500, 2));
    mkimage(join(work, 'u'), { type: 'multi', compression: 'none', name: 'fuzz', data: `${join(work, 'k')}:${join(work, 'r')}` });
    writeBoardDtb(join(work, 'b.dtb'));
    writeIts(join(work, 'f.its'), { kernel: join(work, 'k'), ramdisk: join(work, 'r'), fdt: join(work, 'b.dtb') });
    mkimageFit(join(work, 'f.its'), join(work, 'f.itb'));
    mkimageFit(join(work, 'f.its'), join(work, 'e.itb'), { external: true });
    for (const name of ['u', 'f.itb', 'e.itb']) images.push(new Uint8Array(readFileSync(join(work, name))));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => survives(bytes)),
      { numRuns: RUNS },
    );
  });

  it('real uImages and FITs with bytes flipped', { skip: fitTools ? false : 'u-boot-tools or device-tree-compiler not installed' }, () => {
    for (const image of images) {
      fc.assert(
        fc.property(flips, (changes) => {
          const copy = new Uint8Array(image);
          // Most flips in the headers and the structure block, where the parsers look.
          for (const c of changes) copy[c.at % Math.min(copy.length, 1024)] = c.value;
          survives(copy);
        }),
        { numRuns: RUNS },
      );
    }
  });
});
