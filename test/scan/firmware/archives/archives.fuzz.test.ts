// Property-based fuzzing of the tar, cpio and zip readers: random bytes (behind each format's magic, so
// the parsers get past the first check), and real archives with bytes flipped, fields set to extreme
// values, or cut short. The only error allowed is ImageReadError, and every run stays within a time budget.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CpioFs, TarFs, ZipFs } from '../../../../src/scan/firmware/archives/index.ts';
import { ImageReadError, type ImageFs, resolveInImage } from '../../../../src/scan/firmware/image-fs.ts';
import { BufferSource } from '../../../../src/scan/firmware/byte-source.ts';
import { hasTool, makeCpio, makeTar, makeZip, pseudoRandom, textBytes } from '../../../helpers/make-archives.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const BUDGET_MS = 2000;

type Kind = 'tar' | 'cpio' | 'zip';
const OPEN: Record<Kind, (b: Uint8Array) => ImageFs> = {
  tar: (b) => new TarFs(new BufferSource(b), { maxEntries: 5000 }),
  cpio: (b) => new CpioFs(new BufferSource(b), { maxEntries: 5000, maxInMemoryBytes: 16 << 20 }),
  zip: (b) => new ZipFs(new BufferSource(b), { maxEntries: 5000, maxTotalBytes: 16 << 20 }),
};

function survives(kind: Kind, bytes: Uint8Array): void {
  const started = cpuClock();
  let fs: ImageFs;
  try {
    fs = OPEN[kind](bytes);
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
        assert.ok(fs.read(entry.path, 1 << 20).length <= 1 << 20);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
      }
    }
    resolveInImage(fs, entry.path);
  }
  assert.ok(count <= 5000);
  const elapsed = started();
  assert.ok(elapsed < BUDGET_MS, `${kind}: ${elapsed.toFixed(0)} ms`);
}

const MAGIC: Record<Kind, Uint8Array[]> = {
  tar: [],
  cpio: ['070701', '070702', '070707']
    .map((m) => new Uint8Array(Buffer.from(m)))
    .concat([new Uint8Array([0xc7, 0x71]), new Uint8Array([0x71, 0xc7])]),
  zip: [new Uint8Array([0x50, 0x4b, 3, 4])],
};

describe(
  'fuzzing the archive readers',
  { skip: hasTool('tar') && hasTool('cpio') && hasTool('zip') ? false : 'tar, cpio or zip missing', timeout: 600_000 },
  () => {
    let work: string;
    const real: Array<{ kind: Kind; name: string; bytes: Uint8Array }> = [];

    before(() => {
      work = mkdtempSync(join(tmpdir(), 'baseline-archive-fuzz-'));
      const src = join(work, 'src');
      mkdirSync(join(src, 'etc/init.d'), { recursive: true });
      mkdirSync(join(src, 'bin'));
      writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
      writeFileSync(join(src, 'etc/empty'), '');
      writeFileSync(join(src, 'etc/init.d/rcS'), textBytes(3000, 2));
      writeFileSync(join(src, 'bin/busybox'), pseudoRandom(5000, 3));
      linkSync(join(src, 'bin/busybox'), join(src, 'bin/sh'));
      symlinkSync('/etc/passwd', join(src, 'link'));
      writeFileSync(join(src, `${'n'.repeat(120)}`), 'long');
      for (const format of ['gnu', 'pax', 'ustar'] as const) {
        makeTar(src, join(work, `${format}.tar`), format);
        // Drop GNU tar's zero padding so that mutations land on headers and data.
        const bytes = new Uint8Array(readFileSync(join(work, `${format}.tar`)));
        let end = bytes.length;
        while (end > 0 && bytes[end - 1] === 0) end--;
        real.push({ kind: 'tar', name: format, bytes: bytes.slice(0, Math.ceil(end / 512) * 512 + 1024) });
      }
      for (const format of ['newc', 'crc', 'odc', 'bin'] as const) {
        makeCpio(src, join(work, `${format}.cpio`), format);
        real.push({ kind: 'cpio', name: format, bytes: new Uint8Array(readFileSync(join(work, `${format}.cpio`))) });
      }
      makeZip(src, join(work, 'a.zip'));
      real.push({ kind: 'zip', name: 'zip', bytes: new Uint8Array(readFileSync(join(work, 'a.zip'))) });
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    for (const kind of ['tar', 'cpio', 'zip'] as const) {
      it(`${kind}: random bytes (after the magic)`, () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat(), (random, pick) => {
            const magics = MAGIC[kind];
            const magic = magics.length ? (magics[pick % magics.length] as Uint8Array) : new Uint8Array(0);
            survives(kind, new Uint8Array([...magic, ...random]));
          }),
          { numRuns: RUNS },
        );
      });
    }

    it('tar: random headers with valid checksums (so that the parser reads their fields)', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(fc.uint8Array({ minLength: 512, maxLength: 512 }), fc.constantFrom(...'0125xgLKS6D7V'), fc.nat({ max: 2048 })),
            {
              minLength: 1,
              maxLength: 8,
            },
          ),
          (members) => {
            const parts: Uint8Array[] = [];
            for (const [random, type, size] of members) {
              const h = random.slice();
              h[156] = type.charCodeAt(0);
              h.set(Buffer.from(`${size.toString(8).padStart(11, '0')}\0`), 124);
              h.set(Buffer.from('ustar\u000000'), 257);
              h.fill(0x20, 148, 156);
              let sum = 0;
              for (const b of h) sum += b;
              h.set(Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
              parts.push(h, pseudoRandom(Math.ceil(size / 512) * 512, size + 1));
            }
            survives('tar', new Uint8Array(Buffer.concat(parts)));
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('real archives with bytes flipped, set to extremes, or cut short', () => {
      fc.assert(
        fc.property(
          fc.nat({ max: 1000 }),
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x00, 0xff, 0x30, 0x37, 0x39, 0x66, 0x20, 0x80), fc.boolean()), {
            minLength: 1,
            maxLength: 12,
          }),
          fc.option(fc.nat(), { nil: undefined }),
          (which, edits, cut) => {
            const base = real[which % real.length] as (typeof real)[number];
            const bytes = base.bytes.slice();
            for (const [at, value, xor] of edits) {
              const i = at % bytes.length;
              bytes[i] = xor ? (bytes[i] as number) ^ (1 << (value % 8)) : value;
            }
            survives(base.kind, cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1)));
          },
        ),
        { numRuns: RUNS * 3 },
      );
    });

    it('real archives with a run of header bytes overwritten with hex or octal digits', () => {
      fc.assert(
        fc.property(fc.nat({ max: 1000 }), fc.nat(), fc.stringMatching(/^[0-9a-fA-F]{1,16}$/), (which, at, digits) => {
          const base = real[which % real.length] as (typeof real)[number];
          const bytes = base.bytes.slice();
          const start = at % Math.max(1, Math.min(bytes.length, 2048));
          bytes.set(Buffer.from(digits).subarray(0, bytes.length - start), start);
          survives(base.kind, bytes);
        }),
        { numRuns: RUNS * 2 },
      );
    });
  },
);
