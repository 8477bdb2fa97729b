// Every codec against data compressed by the real tools (gzip, xz, lzma, lzop, lz4, zstd, bzip2 from
// Debian): the same bytes back, across the formats' options (checks, filters, block sizes, linked blocks,
// legacy frames, concatenated streams); a decompression bomb stopped at the bound; truncated and corrupt
// data refused with ImageReadError.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { constants, deflateSync } from 'node:zlib';
import { adler32 } from '../../../../src/scan/firmware/compression/checksums.ts';
import { type Codec, decompress } from '../../../../src/scan/firmware/compression/index.ts';
import { ImageReadError } from '../../../../src/scan/firmware/image-fs.ts';
import { hasTool, pseudoRandom, textBytes } from '../../../helpers/make-squashfs.ts';

function run(tool: string, args: string[], input: Uint8Array): Uint8Array {
  return new Uint8Array(execFileSync(tool, args, { input, maxBuffer: 256 << 20, stdio: ['pipe', 'pipe', 'pipe'] }));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Something like a firmware binary: text, incompressible stretches, zero runs, repeats. */
function mixed(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (let i = 0; at < length; i++) {
    const kind = i % 4;
    const n = Math.min(length - at, 1000 + ((i * 7919) % 20000));
    if (kind === 0) out.set(textBytes(n, seed + i), at);
    else if (kind === 1) out.set(pseudoRandom(n, seed + i), at);
    else if (kind === 3) out.copyWithin(at, Math.max(0, at - 5000), Math.max(0, at - 5000) + n);
    at += n;
  }
  return out;
}

const SAMPLES: Record<string, Uint8Array> = {
  empty: new Uint8Array(0),
  byte: new Uint8Array([0x42]),
  text: textBytes(300_000, 1),
  random: pseudoRandom(100_000, 2),
  mixed: mixed(1_000_000, 3),
  // Past LZMA2's 2 MiB chunks, lz4's 4 MiB blocks, lzop's 256 KiB blocks, bzip2's 900 kB blocks.
  large: concat(mixed(3_000_000, 4), textBytes(2_000_000, 5)),
};

const ZEROS = new Uint8Array(10 << 20);

function flip(data: Uint8Array, at: number, mask: number): void {
  data[at] = (data[at] as number) ^ mask;
}

function same(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected), `${what}: content`);
}

function rejects(run: () => unknown, pattern?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ImageReadError, `expected ImageReadError, got ${String(error)}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

function bombChecks(codec: Codec, bomb: Uint8Array, size: number): void {
  if (size > 1 << 20) rejects(() => decompress(codec, bomb, 1 << 20), new RegExp(`expands beyond ${1 << 20} bytes`));
  rejects(() => decompress(codec, bomb, size - 1), new RegExp(`expands beyond ${size - 1} bytes`));
  assert.equal(decompress(codec, bomb, size).length, size);
}

/** The LZO1X data of the first block of an lzop file. */
function firstLzopBlock(file: Uint8Array): { data: Uint8Array; size: number } {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  let p = 9;
  const version = view.getUint16(p);
  p += 4 + (version >= 0x0940 ? 2 : 0) + 1 + (version >= 0x0940 ? 1 : 0);
  const flags = view.getUint32(p);
  p += 4 + (flags & 0x800 ? 4 : 0) + 8 + (version >= 0x0940 ? 4 : 0);
  p += 1 + (file[p] as number) + 4;
  const dst = view.getUint32(p);
  const src = view.getUint32(p + 4);
  p += 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x100 ? 4 : 0);
  if (src < dst) p += (flags & 0x2 ? 4 : 0) + (flags & 0x200 ? 4 : 0);
  assert.ok(src < dst, 'first lzop block is compressed');
  return { data: file.subarray(p, p + src), size: dst };
}

/** The data of the first block of an LZ4 frame without content size or dictionary. */
function firstLz4Block(frame: Uint8Array): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  assert.equal(view.getUint32(0, true), 0x184d2204);
  const size = view.getUint32(7, true);
  assert.equal(size >>> 31, 0, 'first lz4 block is compressed');
  return frame.subarray(11, 11 + size);
}

describe('gzip, zlib, deflate (node:zlib) with gzip data', { skip: hasTool('gzip') ? false : 'gzip not installed' }, () => {
  for (const [name, data] of Object.entries(SAMPLES)) {
    it(`${name}: gzip -1 and -9, and the same deflate data raw and zlib-wrapped`, () => {
      for (const level of ['-1', '-9']) {
        const gz = run('gzip', ['-c', '-n', level], data);
        same(decompress('gzip', gz, data.length), data, `gzip ${level}`);
        // gzip -n from stdin: a 10-byte header, then raw deflate, then CRC32 and size.
        const raw = gz.subarray(10, gz.length - 8);
        same(decompress('deflate', raw, data.length), data, 'deflate');
        const sum = adler32(data);
        const zlib = concat(
          new Uint8Array([0x78, 0xda]),
          raw,
          new Uint8Array([sum >>> 24, (sum >>> 16) & 0xff, (sum >>> 8) & 0xff, sum & 0xff]),
        );
        same(decompress('zlib', zlib, data.length), data, 'zlib');
      }
    });
  }
  it('concatenated gzip members', () => {
    const a = SAMPLES.text as Uint8Array;
    const b = SAMPLES.random as Uint8Array;
    same(decompress('gzip', concat(run('gzip', ['-c'], a), run('gzip', ['-c'], b)), 1 << 20), concat(a, b), 'two members');
  });
  it('zlib as squashfs writes it (compress2)', () => {
    const data = SAMPLES.mixed as Uint8Array;
    same(decompress('zlib', deflateSync(data, { level: constants.Z_BEST_COMPRESSION }), data.length), data, 'zlib');
  });
  it('bombs stop at the bound', () => {
    const gz = run('gzip', ['-c', '-9'], ZEROS);
    bombChecks('gzip', gz, ZEROS.length);
    bombChecks('deflate', gz.subarray(10, gz.length - 8), ZEROS.length);
    bombChecks('zlib', deflateSync(ZEROS), ZEROS.length);
  });
  it('truncated and corrupt data is refused', () => {
    const gz = run('gzip', ['-c'], SAMPLES.mixed as Uint8Array);
    rejects(() => decompress('gzip', gz.subarray(0, gz.length >> 1), 1 << 30));
    const bad = gz.slice();
    flip(bad, bad.length >> 1, 0xff);
    rejects(() => decompress('gzip', bad, 1 << 30));
    rejects(() => decompress('gzip', new Uint8Array([1, 2, 3]), 100));
  });
});

describe('xz', { skip: hasTool('xz') ? false : 'xz-utils not installed' }, () => {
  for (const [name, data] of Object.entries(SAMPLES)) {
    it(`${name}: every check type, presets, several blocks`, () => {
      for (const args of [
        ['--check=none', '-0'],
        ['--check=crc32', '-0'],
        ['--check=crc64', '-6'],
        ['--check=sha256', '-0'],
        ['-T2', '-1', '--block-size=300000'],
      ]) {
        same(decompress('xz', run('xz', ['-c', ...args], data), data.length), data, `xz ${args.join(' ')}`);
      }
    });
  }
  it('every BCJ filter and the delta filter, and LZMA2 literal/position options', () => {
    const data = SAMPLES.mixed as Uint8Array;
    const chains = [
      ...['--x86', '--powerpc', '--ia64', '--arm', '--armthumb', '--arm64', '--sparc'].map((f) => [f, '--lzma2']),
      ['--x86=start=4096', '--lzma2'],
      ['--delta=dist=4', '--lzma2'],
      ['--delta=dist=1', '--x86', '--lzma2=preset=1'],
      ['--lzma2=lc=0,lp=2,pb=0'],
      ['--lzma2=lc=4,lp=0,pb=4,mf=hc4'],
      ['--lzma2=lc=1,lp=3,pb=2,mode=fast'],
    ];
    for (const chain of chains)
      same(decompress('xz', run('xz', ['-c', '--format=xz', ...chain], data), data.length), data, chain.join(' '));
  });
  it('concatenated streams with stream padding between them', () => {
    const a = SAMPLES.text as Uint8Array;
    const b = SAMPLES.random as Uint8Array;
    const joined = concat(run('xz', ['-c'], a), new Uint8Array(8), run('xz', ['-c', '--check=crc32'], b));
    same(decompress('xz', joined, 1 << 20), concat(a, b), 'two streams');
  });
  it('a bomb stops at the bound', () => bombChecks('xz', run('xz', ['-c'], ZEROS), ZEROS.length));
  it('truncated and corrupt data is refused', () => {
    const xz = run('xz', ['-c'], SAMPLES.mixed as Uint8Array);
    for (const cut of [3, 12, 40, xz.length >> 1, xz.length - 1]) rejects(() => decompress('xz', xz.subarray(0, cut), 1 << 30));
    for (const at of [7, 20, xz.length >> 1, xz.length - 20]) {
      const bad = xz.slice();
      flip(bad, at, 0x55);
      rejects(() => decompress('xz', bad, 1 << 30));
    }
  });
});

describe('lzma (.lzma and squashfs lzma)', { skip: hasTool('lzma') ? false : 'xz-utils (lzma) not installed' }, () => {
  for (const [name, data] of Object.entries(SAMPLES)) {
    it(`${name}: lzma -1 and -9, with the size unknown (end marker) and stated (squashfs)`, () => {
      for (const level of ['-1', '-9']) {
        const lzma = run('lzma', ['-c', level], data);
        same(decompress('lzma', lzma, data.length), data, `lzma ${level}`);
        // squashfs's lzma blocks state the size in the header, as here.
        const sized = lzma.slice();
        new DataView(sized.buffer).setBigUint64(5, BigInt(data.length), true);
        same(decompress('lzma', sized, data.length), data, `lzma ${level} with size`);
      }
    });
  }
  it('data ending at, just before and just after the 16 KiB slices the decoder works in, runs across them', () => {
    for (const length of [16384, 16383, 16385, 3 * 16384, 4 * 16384 + 1]) {
      const data = concat(textBytes(length >> 1, length), new Uint8Array(length - (length >> 1)));
      for (const [codec, tool] of [
        ['lzma', 'lzma'],
        ['xz', 'xz'],
      ] as const) {
        const packed = run(tool, ['-c'], data);
        same(decompress(codec, packed, length), data, `${tool} ${length}`);
        rejects(() => decompress(codec, packed, length - 1), /expands beyond/);
      }
    }
  });
  it('literal context and position options', () => {
    const data = SAMPLES.mixed as Uint8Array;
    for (const o of ['lc=0,lp=0,pb=0', 'lc=4,lp=0,pb=2', 'lc=0,lp=4,pb=4', 'lc=2,lp=1,pb=1,mode=fast,mf=hc3']) {
      same(decompress('lzma', run('lzma', ['-c', `--lzma1=${o}`], data), data.length), data, o);
    }
  });
  it('bombs stop at the bound (unknown and stated size)', () => {
    const lzma = run('lzma', ['-c'], ZEROS);
    bombChecks('lzma', lzma, ZEROS.length);
    const sized = lzma.slice();
    new DataView(sized.buffer).setBigUint64(5, BigInt(ZEROS.length), true);
    bombChecks('lzma', sized, ZEROS.length);
    // A header claiming more than the bound is refused before any work.
    new DataView(sized.buffer).setBigUint64(5, 1n << 40n, true);
    rejects(() => decompress('lzma', sized, 1 << 30), /expands beyond/);
  });
  it('truncated and corrupt data is refused', () => {
    const lzma = run('lzma', ['-c'], SAMPLES.mixed as Uint8Array);
    for (const cut of [0, 5, 13, 18, lzma.length >> 1, lzma.length - 1]) rejects(() => decompress('lzma', lzma.subarray(0, cut), 1 << 30));
    const badProps = lzma.slice();
    badProps[0] = 225;
    rejects(() => decompress('lzma', badProps, 1 << 30), /properties/);
  });
});

describe('lzo (raw LZO1X, as squashfs) and lzop files', { skip: hasTool('lzop') ? false : 'lzop not installed' }, () => {
  for (const [name, data] of Object.entries(SAMPLES)) {
    it(`${name}: lzop -1, -9 (LZO1X-999) and --crc32`, () => {
      for (const args of [['-1'], ['-9'], ['--crc32']])
        same(decompress('lzop', run('lzop', ['-c', ...args], data), data.length), data, `lzop ${args}`);
    });
  }
  it('raw LZO1X blocks from lzop -1 and -9', () => {
    for (const [name, data] of Object.entries(SAMPLES)) {
      if (data.length < 100 || name === 'random') continue;
      for (const level of ['-1', '-9']) {
        const block = firstLzopBlock(run('lzop', ['-c', level], data));
        same(decompress('lzo', block.data, block.size), data.subarray(0, block.size), `${name} lzo ${level}`);
      }
    }
  });
  it('bombs stop at the bound', () => {
    bombChecks('lzop', run('lzop', ['-c'], ZEROS), ZEROS.length);
    // lzop blocks hold 256 KiB.
    const block = firstLzopBlock(run('lzop', ['-c', '-9'], ZEROS));
    rejects(() => decompress('lzo', block.data, 1000), /expands beyond 1000 bytes/);
    bombChecks('lzo', block.data, block.size);
  });
  it('truncated and corrupt data is refused', () => {
    const lzop = run('lzop', ['-c'], SAMPLES.text as Uint8Array);
    for (const cut of [4, 30, 50, lzop.length >> 1, lzop.length - 1]) rejects(() => decompress('lzop', lzop.subarray(0, cut), 1 << 30));
    const bad = lzop.slice();
    flip(bad, bad.length >> 1, 0x55);
    rejects(() => decompress('lzop', bad, 1 << 30));
    const block = firstLzopBlock(lzop);
    for (const cut of [0, 1, block.data.length >> 1, block.data.length - 1])
      rejects(() => decompress('lzo', block.data.subarray(0, cut), 1 << 30));
    rejects(() => decompress('lzo', concat(block.data, new Uint8Array([0])), 1 << 30), /after the end marker/);
  });
});

describe('lz4 (raw blocks, as squashfs, and frames)', { skip: hasTool('lz4') ? false : 'lz4 not installed' }, () => {
  for (const [name, data] of Object.entries(SAMPLES)) {
    it(`${name}: frames with every block size, linked blocks, checksums, content size; legacy frames`, () => {
      const variants = [
        [],
        ['-9'],
        ['-B4'],
        ['-B5', '-BD'],
        ['-B6', '-BX'],
        ['-BD', '-BX', '--content-size'],
        ['--no-frame-crc'],
        ['-l'],
        ['-l', '-9'],
      ];
      for (const args of variants)
        same(decompress('lz4-frame', run('lz4', ['-c', ...args], data), data.length), data, `lz4 ${args.join(' ')}`);
    });
  }
  it('raw LZ4 blocks from lz4 and lz4 -9', () => {
    for (const [name, data] of Object.entries(SAMPLES)) {
      if (data.length < 100 || data.length > 4 << 20 || name === 'random') continue;
      for (const level of ['-1', '-9']) {
        const block = firstLz4Block(run('lz4', ['-c', '-B7', '--no-frame-crc', level], data));
        same(decompress('lz4', block, data.length), data, `${name} lz4 block ${level}`);
      }
    }
  });
  it('concatenated and skippable frames', () => {
    const a = SAMPLES.text as Uint8Array;
    const b = SAMPLES.random as Uint8Array;
    const skippable = new Uint8Array([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    same(decompress('lz4-frame', concat(run('lz4', ['-c'], a), skippable, run('lz4', ['-c', '-l'], b)), 1 << 20), concat(a, b), 'frames');
  });
  it('bombs stop at the bound', () => {
    bombChecks('lz4-frame', run('lz4', ['-c'], ZEROS), ZEROS.length);
    bombChecks('lz4-frame', run('lz4', ['-c', '-l'], ZEROS), ZEROS.length);
    const four = ZEROS.subarray(0, 4 << 20);
    bombChecks('lz4', firstLz4Block(run('lz4', ['-c', '-B7', '--no-frame-crc'], four)), four.length);
  });
  it('truncated and corrupt data is refused', () => {
    const frame = run('lz4', ['-c', '-BX'], SAMPLES.mixed as Uint8Array);
    for (const cut of [3, 6, 10, frame.length >> 1, frame.length - 1])
      rejects(() => decompress('lz4-frame', frame.subarray(0, cut), 1 << 30));
    const bad = frame.slice();
    flip(bad, bad.length >> 1, 0x55);
    rejects(() => decompress('lz4-frame', bad, 1 << 30), /checksum|corrupt/);
    const block = firstLz4Block(run('lz4', ['-c', '-B7'], SAMPLES.text as Uint8Array));
    for (const cut of [0, 1, block.length >> 1, block.length - 1]) rejects(() => decompress('lz4', block.subarray(0, cut), 1 << 30));
    rejects(() => decompress('lz4', new Uint8Array([0x0f, 0x05, 0x00]), 1 << 20), /offset/);
  });
});

describe('zstd (node:zlib)', { skip: hasTool('zstd') ? false : 'zstd not installed' }, () => {
  for (const [name, data] of Object.entries(SAMPLES)) {
    it(`${name}: zstd -1, -19, --long, without checksum`, () => {
      for (const args of [['-1'], ['-19'], ['--long=27'], ['--no-check']])
        same(decompress('zstd', run('zstd', ['-c', '-q', ...args], data), data.length), data, `zstd ${args}`);
    });
  }
  it('concatenated frames', () => {
    const a = SAMPLES.text as Uint8Array;
    const b = SAMPLES.random as Uint8Array;
    same(decompress('zstd', concat(run('zstd', ['-c', '-q'], a), run('zstd', ['-c', '-q'], b)), 1 << 20), concat(a, b), 'frames');
  });
  it('a bomb stops at the bound', () => bombChecks('zstd', run('zstd', ['-c', '-q', '-19'], ZEROS), ZEROS.length));
  it('truncated and corrupt data is refused', () => {
    const z = run('zstd', ['-c', '-q'], SAMPLES.mixed as Uint8Array);
    for (const cut of [2, 10, z.length >> 1, z.length - 1]) rejects(() => decompress('zstd', z.subarray(0, cut), 1 << 30));
    const bad = z.slice();
    flip(bad, bad.length >> 1, 0x55);
    rejects(() => decompress('zstd', bad, 1 << 30));
  });
});

describe('bzip2 (seek-bzip)', { skip: hasTool('bzip2') ? false : 'bzip2 not installed' }, () => {
  for (const [name, data] of Object.entries(SAMPLES)) {
    it(`${name}: bzip2 -1 and -9`, () => {
      for (const level of ['-1', '-9']) same(decompress('bzip2', run('bzip2', ['-c', level], data), data.length), data, `bzip2 ${level}`);
    });
  }
  it('concatenated streams', () => {
    const a = SAMPLES.text as Uint8Array;
    const b = SAMPLES.random as Uint8Array;
    same(decompress('bzip2', concat(run('bzip2', ['-c'], a), run('bzip2', ['-c'], b)), 1 << 20), concat(a, b), 'streams');
  });
  it('a bomb stops at the bound', () => bombChecks('bzip2', run('bzip2', ['-c'], ZEROS), ZEROS.length));
  it('truncated and corrupt data is refused', () => {
    const bz = run('bzip2', ['-c'], SAMPLES.mixed as Uint8Array);
    for (const cut of [2, 4, 10, bz.length >> 1, bz.length - 1]) rejects(() => decompress('bzip2', bz.subarray(0, cut), 1 << 30));
    const bad = bz.slice();
    flip(bad, bad.length >> 1, 0x55);
    rejects(() => decompress('bzip2', bad, 1 << 30));
  });
});

describe('decompress', () => {
  it('a bound of 0 allows only empty output', () => {
    assert.equal(decompress('zlib', deflateSync(new Uint8Array(0)), 0).length, 0);
    rejects(() => decompress('zlib', deflateSync(new Uint8Array(1)), 0), /expands beyond 0 bytes/);
  });
  it('refuses a bound that is not a non-negative integer', () => {
    assert.throws(() => decompress('zlib', new Uint8Array(0), -1), RangeError);
    assert.throws(() => decompress('zlib', new Uint8Array(0), 1.5), RangeError);
  });
  it('names an unknown codec', () => {
    rejects(() => decompress('lzham' as Codec, new Uint8Array(0), 1), /unsupported compression lzham/);
  });
});
