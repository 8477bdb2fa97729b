// Property-based fuzzing of every codec: arbitrary bytes, and real compressed data with bytes changed or
// cut, give a result or an ImageReadError, never another exception, within a time budget per run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { type Codec, CODECS, decompress } from '../../../../src/scan/firmware/compression/index.ts';
import { ImageReadError } from '../../../../src/scan/firmware/image-fs.ts';
import { hasTool, pseudoRandom, textBytes } from '../../../helpers/make-squashfs.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const BUDGET_MS = 2000;
const MAX_OUTPUT = 1 << 20;

function tool(name: string, args: string[], input: Uint8Array): Uint8Array | undefined {
  if (!hasTool(name)) return undefined;
  return new Uint8Array(execFileSync(name, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }));
}

/** Decompresses, allowing only a result or an ImageReadError, within the time budget. */
function survives(codec: Codec, input: Uint8Array): void {
  const started = cpuClock();
  try {
    const out = decompress(codec, input, MAX_OUTPUT);
    assert.ok(out.length <= MAX_OUTPUT, `${codec}: output beyond the bound`);
  } catch (error) {
    if (!(error instanceof ImageReadError)) throw error;
    assert.equal(error.message.includes('\n'), false, `multi-line error: ${error.message}`);
  }
  const elapsed = started();
  assert.ok(elapsed < BUDGET_MS, `${codec}: ${elapsed.toFixed(0)} ms for ${input.length} bytes`);
}

describe('fuzzing the decompressors', { timeout: 600_000 }, () => {
  const seeds = new Map<Codec, Uint8Array[]>();

  before(() => {
    const data = new Uint8Array(Buffer.concat([textBytes(3000, 1), pseudoRandom(500, 2), new Uint8Array(2000), textBytes(3000, 1)]));
    const add = (codec: Codec, sample: Uint8Array | undefined): void => {
      if (!sample) return;
      seeds.set(codec, [...(seeds.get(codec) ?? []), sample]);
    };
    add('gzip', gzipSync(data));
    add('zlib', deflateSync(data));
    add('deflate', deflateRawSync(data));
    add('xz', tool('xz', ['-c', '--check=crc32'], data));
    add('xz', tool('xz', ['-c', '--check=none', '--x86', '--lzma2'], data));
    add('xz', tool('xz', ['-c', '--check=none', '--delta=dist=2', '--arm', '--lzma2'], data));
    const lzma = tool('lzma', ['-c'], data);
    add('lzma', lzma);
    if (lzma) {
      const sized = lzma.slice();
      new DataView(sized.buffer).setBigUint64(5, BigInt(data.length), true);
      add('lzma', sized);
    }
    const lzop = tool('lzop', ['-c'], data);
    add('lzop', lzop);
    // The raw LZO1X block of that lzop file: the header of a file from stdin is 9 + 25 bytes + 4 (checksum).
    if (lzop) add('lzo', lzop.subarray(9 + 25 + 4 + 12, lzop.length - 4));
    add('lzop', tool('lzop', ['-c', '-9', '--crc32'], data));
    const lz4 = tool('lz4', ['-c', '-BD', '-BX'], data);
    add('lz4-frame', lz4);
    add('lz4-frame', tool('lz4', ['-c', '-l'], data));
    const lz4Block = tool('lz4', ['-c', '-B7', '--no-frame-crc'], data);
    if (lz4Block) add('lz4', lz4Block.subarray(11, lz4Block.length - 4));
    add('zstd', tool('zstd', ['-c', '-q', '-19'], data));
    add('bzip2', tool('bzip2', ['-c', '-9'], data));
  });

  it('the seeds decompress (so the mutations start from real data)', () => {
    for (const [codec, samples] of seeds)
      for (const sample of samples) assert.equal(decompress(codec, sample, MAX_OUTPUT).length, 8500, codec);
  });

  for (const codec of CODECS) {
    it(`${codec}: arbitrary bytes give a result or an ImageReadError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => survives(codec, bytes)),
        { numRuns: RUNS },
      );
    });

    it(`${codec}: real data with bytes changed, inserted or cut gives a result or an ImageReadError`, (t) => {
      const samples = seeds.get(codec);
      if (!samples) {
        t.skip('the tool that makes this format is not installed');
        return;
      }
      const mutation = fc.record({
        sample: fc.nat(),
        changes: fc.array(
          fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'xor', 'insert') }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        cut: fc.option(fc.nat(), { nil: undefined }),
      });
      fc.assert(
        fc.property(mutation, ({ sample, changes, cut }) => {
          let bytes = Array.from(samples[sample % samples.length] as Uint8Array);
          for (const change of changes) {
            const at = change.at % (bytes.length + 1);
            if (change.kind === 'insert') bytes.splice(at, 0, change.value);
            else if (at < bytes.length) bytes[at] = change.kind === 'set' ? change.value : (bytes[at] as number) ^ (change.value || 1);
          }
          if (cut !== undefined) bytes = bytes.slice(0, cut % (bytes.length + 1));
          survives(codec, new Uint8Array(bytes));
        }),
        { numRuns: RUNS },
      );
    });
  }
});
