// Parallel block decoding (parallel-blocks.ts): the reader with worker threads gives the same bytes, the
// same errors and the same problems as the reader without, in every compressor, for files of many blocks
// (stored and compressed ones mixed, read whole and cut short) and for many small files in fragments,
// read in order (blocks decoded ahead) and out of it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ImageReadError } from '../../../../src/scan/firmware/image-fs.ts';
import { BufferSource, SquashfsImage } from '../../../../src/scan/firmware/squashfs/index.ts';
import { BlockPool } from '../../../../src/scan/firmware/squashfs/parallel-blocks.ts';
import { hasTool, mksquashfs, pseudoRandom, textBytes } from '../../../helpers/make-squashfs.ts';

const tools = hasTool('mksquashfs');
const COMPRESSORS = ['gzip', 'lzma', 'lzo', 'xz', 'lz4', 'zstd'];
const BLOCK = 4096;

/** Every file's bytes (or error message) read whole and cut short, and the problems left. */
function readEverything(
  image: Uint8Array,
  parallel: boolean,
  order: (paths: string[]) => string[] = (paths) => paths,
): { reads: Map<string, string | Uint8Array>; problems: string } {
  const fs = new SquashfsImage(new BufferSource(image), { parallel });
  const reads = new Map<string, string | Uint8Array>();
  try {
    const paths = [...fs.entries()].filter((entry) => entry.type === 'file').map((entry) => entry.path);
    for (const path of order(paths)) {
      for (const max of [1 << 24, 5 * BLOCK + 123]) {
        try {
          reads.set(`${path}@${max}`, fs.read(path, max).slice());
        } catch (error) {
          if (!(error instanceof ImageReadError)) throw error;
          reads.set(`${path}@${max}`, `error: ${error.message}`);
        }
      }
    }
    return { reads, problems: JSON.stringify(fs.problems) };
  } finally {
    fs.close();
  }
}

function assertSame(image: Uint8Array, order?: (paths: string[]) => string[]): Map<string, string | Uint8Array> {
  const serial = readEverything(image, false, order);
  const parallel = readEverything(image, true, order);
  assert.deepEqual([...parallel.reads.keys()], [...serial.reads.keys()]);
  for (const [key, bytes] of serial.reads) assert.deepEqual(parallel.reads.get(key), bytes, key);
  assert.equal(parallel.problems, serial.problems);
  return serial.reads;
}

describe('squashfs parallel block decoding', { skip: tools ? false : 'mksquashfs not installed' }, () => {
  let work: string;
  let src: string;
  const expected = new Map<string, Uint8Array>();

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-squashfs-parallel-'));
    src = join(work, 'src');
    mkdirSync(join(src, 'small'), { recursive: true });
    const files: [string, Uint8Array][] = [
      ['big-text.bin', textBytes(200 * BLOCK + 777, 3)],
      // Incompressible stretches become stored blocks among compressed ones.
      ['mixed.bin', new Uint8Array([...textBytes(10 * BLOCK, 4), ...pseudoRandom(6 * BLOCK, 5), ...textBytes(9 * BLOCK + 5, 6)])],
      ['exact.bin', textBytes(16 * BLOCK, 7)],
      ['two.bin', textBytes(2 * BLOCK + 1, 8)],
      // One block and a tail, and one block alone: decoded ahead of a sequential read.
      ['one-and-tail.bin', textBytes(BLOCK + 300, 9)],
      ['one.bin', textBytes(BLOCK, 10)],
    ];
    // Many small files: fragments met in order, decoded ahead.
    for (let i = 0; i < 300; i++) files.push([`small/f${String(i).padStart(3, '0')}.txt`, textBytes(100 + ((i * 997) % 3000), 100 + i)]);
    for (const [name, bytes] of files) {
      writeFileSync(join(src, name), bytes);
      expected.set(`/${name}`, bytes);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it(
    'runs with worker threads on this machine (else the comparisons below are serial against serial)',
    { skip: availableParallelism() < 2 },
    () => {
      const pool = new BlockPool(1);
      try {
        const plain = [textBytes(5000, 1), textBytes(7000, 2), textBytes(3000, 3)];
        const decoded = pool.decode('zlib', 1 << 16, [...plain.map((b) => new Uint8Array(deflateSync(b))), new Uint8Array([1, 2, 3])]);
        assert.ok(decoded);
        plain.forEach((bytes, k) => assert.deepEqual(decoded[k] && new Uint8Array(decoded[k]), bytes));
        // A block that cannot be decoded is left for the caller, who decodes it again for the error.
        assert.equal(decoded[3], undefined);
      } finally {
        pool.close();
      }
    },
  );

  for (const comp of COMPRESSORS) {
    it(`${comp}: parallel and serial reads give identical bytes for every file`, () => {
      const image = join(work, `${comp}.sqfs`);
      mksquashfs(src, image, ['-comp', comp, '-b', String(BLOCK)]);
      const reads = assertSame(new Uint8Array(readFileSync(image)));
      for (const [path, bytes] of expected) {
        assert.deepEqual(reads.get(`${path}@${1 << 24}`), bytes, path);
        assert.deepEqual(reads.get(`${path}@${5 * BLOCK + 123}`), bytes.subarray(0, 5 * BLOCK + 123), path);
      }
    });

    it(`${comp}: a corrupt block in a file of many blocks is reported the same way`, () => {
      const image = join(work, `${comp}-corrupt.sqfs`);
      mksquashfs(src, image, ['-comp', comp, '-b', String(BLOCK)]);
      const bad = new Uint8Array(readFileSync(image));
      // Spoil big-text.bin's data some 20 KB in (its 800 KB compress to more than 100 KB in every compressor).
      const probe = new SquashfsImage(new BufferSource(bad), { parallel: false });
      const files = (probe as unknown as { tree: { file(path: string): { blocksStart: number } | undefined } }).tree;
      const middle = (files.file('/big-text.bin')?.blocksStart as number) + 20_000;
      probe.close();
      for (let i = 0; i < 64; i++) bad[middle + i] = (bad[middle + i] as number) ^ 0x5a;
      const reads = assertSame(bad);
      const outcome = reads.get(`/big-text.bin@${1 << 24}`);
      assert.ok(typeof outcome === 'string' && /^error: \/big-text\.bin: block \d+: /.test(outcome), String(outcome).slice(0, 200));
    });

    it(`${comp}: reads out of order (skipping, going back) and corrupt blocks met ahead give the same results`, () => {
      const image = join(work, `${comp}-order.sqfs`);
      mksquashfs(src, image, ['-comp', comp, '-b', String(BLOCK)]);
      const bad = new Uint8Array(readFileSync(image));
      const probe = new SquashfsImage(new BufferSource(bad), { parallel: false });
      const files = (probe as unknown as { tree: { file(path: string): { blocksStart: number } | undefined } }).tree;
      // Spoil the first block of one-and-tail.bin (read ahead of it, it is decoded on a worker).
      const first = files.file('/one-and-tail.bin')?.blocksStart as number;
      probe.close();
      for (let i = 0; i < 64; i++) bad[first + i] = (bad[first + i] as number) ^ 0x5a;
      const orders: ((paths: string[]) => string[])[] = [
        (paths) => paths,
        (paths) => paths.filter((_, i) => i % 3 !== 1),
        (paths) => [...paths].reverse(),
        (paths) => paths.flatMap((path, i) => (i % 7 === 3 ? [path, paths[i - 2] as string] : [path])),
      ];
      for (const order of orders) {
        const reads = assertSame(bad, order);
        const outcome = reads.get(`/one-and-tail.bin@${1 << 24}`);
        assert.ok(typeof outcome === 'string' && /^error: \/one-and-tail\.bin: block 0: /.test(outcome), String(outcome).slice(0, 200));
      }
    });
  }
});
