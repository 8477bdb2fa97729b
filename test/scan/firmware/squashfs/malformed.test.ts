// Malformed and hostile squashfs images: truncated, bad magic, wrong version, corrupt metadata and data
// blocks, directory loops, names that climb out, huge claimed sizes, limits. Each gives a clear
// ImageReadError (when the image cannot be opened at all) or ReadProblems, never a hang or another error.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImageReadError, resolveInImage } from '../../../../src/scan/firmware/image-fs.ts';
import { BufferSource, SquashfsImage, type SquashfsOptions } from '../../../../src/scan/firmware/squashfs/index.ts';
import { hasTool, mksquashfs, textBytes } from '../../../helpers/make-squashfs.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const tools = hasTool('mksquashfs');
const RAW = ['-noI', '-noD', '-noF', '-noX', '-noId'];

function open(image: Uint8Array, options: SquashfsOptions = {}): SquashfsImage {
  return new SquashfsImage(new BufferSource(image), options);
}

function refused(image: Uint8Array, pattern: RegExp, options: SquashfsOptions = {}): void {
  assert.throws(
    () => open(image, options),
    (error: unknown) => {
      assert.ok(error instanceof ImageReadError, `expected ImageReadError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

function view(image: Uint8Array): DataView {
  return new DataView(image.buffer, image.byteOffset, image.length);
}

/** The position of `name` in the image between two offsets (names are only in the directory table). */
function find(image: Uint8Array, text: string, from = 0, to = image.length): number {
  const at = Buffer.from(image.buffer, image.byteOffset, image.length).subarray(0, to).indexOf(text, from, 'latin1');
  assert.ok(at >= 0, `${text} is in the image`);
  return at;
}

function problemFor(fs: SquashfsImage, part: string, reason: RegExp): void {
  assert.ok(
    fs.problems.some((p) => p.part === part && reason.test(p.reason)),
    `expected a problem for ${part} matching ${reason}; got ${JSON.stringify(fs.problems)}`,
  );
}

/** Lists everything and reads every file, so that whatever is broken is met. */
function readAll(fs: SquashfsImage): void {
  for (const entry of fs.entries()) {
    if (entry.type === 'file' || entry.type === 'hardlink') {
      try {
        fs.read(entry.path, 1 << 20);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
      }
    }
    resolveInImage(fs, entry.path);
  }
}

describe('malformed squashfs images', { skip: tools ? false : 'squashfs-tools (mksquashfs) not installed' }, () => {
  let work: string;
  let plain: Uint8Array;
  let raw: Uint8Array;
  let victim: Uint8Array;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-squashfs-bad-'));
    const src = join(work, 'src');
    for (const dir of ['a/loopme', 'selfdir/inner', 'n', 'etc', 'deep/l1/l2/l3/l4']) mkdirSync(join(src, dir), { recursive: true });
    writeFileSync(join(src, 'n/dotdot-xyz'), 'escape\n');
    writeFileSync(join(src, 'n/subXpasswd'), 'slash\n');
    writeFileSync(join(src, 'n/zz'), 'dots\n');
    writeFileSync(join(src, 'etcXpasswd'), 'shadowing\n');
    writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(src, 'big.bin'), textBytes(300_000, 1));
    writeFileSync(join(src, 'size77777'), textBytes(77_777, 2));
    writeFileSync(join(src, 'deep/l1/l2/l3/l4/f'), 'deep\n');
    symlinkSync('etc/passwd', join(src, 'link'));
    mksquashfs(src, join(work, 'plain.sqfs'), ['-comp', 'gzip']);
    mksquashfs(src, join(work, 'raw.sqfs'), RAW);
    plain = new Uint8Array(readFileSync(join(work, 'plain.sqfs')));
    raw = new Uint8Array(readFileSync(join(work, 'raw.sqfs')));
    const victimSrc = join(work, 'victim');
    mkdirSync(victimSrc);
    writeFileSync(join(victimSrc, 'a-victim.bin'), textBytes(300_000, 3));
    writeFileSync(join(victimSrc, 'b-other.txt'), 'still readable\n');
    mksquashfs(victimSrc, join(work, 'victim.sqfs'), ['-comp', 'gzip']);
    victim = new Uint8Array(readFileSync(join(work, 'victim.sqfs')));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('the unpatched images read cleanly', () => {
    for (const image of [plain, raw, victim]) {
      const fs = open(image);
      readAll(fs);
      assert.deepEqual(fs.problems, []);
    }
  });

  it('a truncated image is refused, wherever it is cut', () => {
    const bytesUsed = Number(view(plain).getBigUint64(40, true));
    refused(plain.subarray(0, 0), /outside the file/);
    refused(plain.subarray(0, 50), /too short for a superblock/);
    for (const cut of [96, 200, bytesUsed >> 1, bytesUsed - 1]) refused(plain.subarray(0, cut), /truncated/);
  });

  it('bad magic, big-endian images, other versions and impossible block sizes are refused', () => {
    const bad = plain.slice();
    bad.set([0x41, 0x42, 0x43, 0x44], 0);
    refused(bad, /bad magic/);
    const big = plain.slice();
    big.set([0x73, 0x71, 0x73, 0x68], 0);
    refused(big, /big-endian/);
    for (const [major, minor] of [
      [3, 1],
      [4, 1],
      [5, 0],
    ]) {
      const other = plain.slice();
      view(other).setUint16(28, major as number, true);
      view(other).setUint16(30, minor as number, true);
      refused(other, new RegExp(`version ${major}\\.${minor} is not supported`));
    }
    const block = plain.slice();
    view(block).setUint32(12, 3000, true);
    refused(block, /invalid block size 3000/);
  });

  it('table positions outside the image are refused', () => {
    for (const field of [48, 64, 72]) {
      const bad = plain.slice();
      view(bad).setBigUint64(field, BigInt(bad.length + 10), true);
      refused(bad, /outside the image/);
    }
    const huge = plain.slice();
    view(huge).setBigUint64(40, 1n << 62n, true);
    refused(huge, /truncated/);
  });

  it('an offset outside the file is refused', () => {
    refused(plain, /offset .* is outside the file/, { offset: plain.length + 1 });
    refused(plain, /bad magic/, { offset: 1 });
  });

  it('a corrupt inode table makes the root unreadable: refused with the reason', () => {
    const bad = plain.slice();
    const inodeTable = Number(view(bad).getBigUint64(64, true));
    for (let i = 10; i < 40; i++) bad[inodeTable + i] = 0x5a;
    refused(bad, /cannot read the root directory: metadata block at \d+: zlib/);
  });

  it('a corrupt directory table gives problems, not a crash', () => {
    const bad = plain.slice();
    const dirTable = Number(view(bad).getBigUint64(72, true));
    for (let i = 10; i < 30; i++) bad[dirTable + i] = 0xa5;
    const fs = open(bad);
    readAll(fs);
    problemFor(fs, '/', /directory listing cut short: metadata block at \d+: zlib/);
  });

  it('a corrupt data block gives a problem for that file, and the others still read', () => {
    const bad = victim.slice();
    for (let i = 0; i < 8; i++) bad[96 + 40 + i] = 0xff;
    const fs = open(bad);
    assert.throws(
      () => fs.read('/a-victim.bin', 1 << 20),
      (e: unknown) => e instanceof ImageReadError && /a-victim\.bin: block 0: zlib/.test(e.message),
    );
    problemFor(fs, '/a-victim.bin', /^block 0: zlib/);
    assert.equal(new TextDecoder().decode(fs.read('/b-other.txt', 100)), 'still readable\n');
  });

  it('a directory that refers back to the root or to itself is listed once, not descended again', () => {
    const bad = raw.slice();
    const v = view(bad);
    const rootRef = v.getBigUint64(32, true);
    const rootBlock = Number(rootRef >> 16n);
    const rootOffset = Number(rootRef & 0xffffn);
    const dirTable = Number(v.getBigUint64(72, true));
    // /a holds only loopme: its directory header is just before loopme's entry.
    const loopName = find(bad, 'loopme', dirTable);
    v.setUint32(loopName - 8 - 12 + 4, rootBlock, true);
    v.setUint16(loopName - 8, rootOffset, true);
    // /selfdir/inner becomes /selfdir itself (the small image's inodes share one metadata block).
    const selfName = find(bad, 'selfdir', dirTable);
    const innerName = find(bad, 'inner', dirTable);
    assert.ok(dirTable - Number(v.getBigUint64(64, true)) <= 8194, 'the inodes are in one metadata block');
    v.setUint16(innerName - 8, v.getUint16(selfName - 8, true), true);
    const fs = open(bad);
    readAll(fs);
    problemFor(fs, '/a/loopme', /^directory loop: refers back to \/; not descended$/);
    problemFor(fs, '/selfdir/inner', /^directory loop: refers back to \/selfdir; not descended$/);
    assert.equal(fs.entry('/a/loopme')?.type, 'directory');
    assert.equal(fs.entry('/a/loopme/etc'), undefined);
    assert.equal(fs.entry('/selfdir/inner/inner'), undefined);
  });

  it("names with '/' or '..' are normalised, reported, and never shadow a real path", () => {
    const bad = raw.slice();
    const dirTable = Number(view(bad).getBigUint64(72, true));
    bad.set(new TextEncoder().encode('../../evil'), find(bad, 'dotdot-xyz', dirTable));
    bad.set(new TextEncoder().encode('sub/passwd'), find(bad, 'subXpasswd', dirTable));
    bad.set(new TextEncoder().encode('etc/passwd'), find(bad, 'etcXpasswd', dirTable));
    // 'zz' is the only entry name of two letters 'z': the file /n/zz becomes '..'.
    bad.set(new TextEncoder().encode('..'), find(bad, 'zz', dirTable));
    const fs = open(bad);
    readAll(fs);
    problemFor(fs, '/n/../../evil', /^name escapes its directory; listed as \/evil$/);
    assert.equal(new TextDecoder().decode(fs.read('/evil', 100)), 'escape\n');
    problemFor(fs, '/n/sub/passwd', /has no directory above it, so not listed/);
    problemFor(fs, '/etc/passwd', /\/etc\/passwd is taken, so not listed/);
    problemFor(fs, '/n/..', /\/ is taken, so not listed/);
    assert.equal(new TextDecoder().decode(fs.read('/etc/passwd', 100)), 'root:x:0:0::/root:/bin/sh\n');
    for (const entry of fs.entries()) assert.ok(!entry.path.includes('..') && !entry.path.includes('//'), entry.path);
  });

  it('a file claiming a huge size reads as an ImageReadError, without a huge allocation', () => {
    const bad = raw.slice();
    const v = view(bad);
    const inodeTable = Number(v.getBigUint64(64, true));
    const dirTable = Number(v.getBigUint64(72, true));
    let patched = 0;
    for (let i = inodeTable + 2; i + 32 < dirTable; i++) {
      if (v.getUint16(i, true) === 2 && v.getUint32(i + 28, true) === 77_777) {
        v.setUint32(i + 28, 0xfffffff0, true);
        patched++;
      }
    }
    assert.equal(patched, 1);
    const fs = open(bad);
    assert.equal(fs.entry('/size77777')?.size, 0xfffffff0);
    assert.throws(() => fs.read('/size77777', 64 << 20), ImageReadError);
    assert.ok(fs.problems.some((p) => p.part === '/size77777'));
  });

  it('a directory claiming a huge size ends in problems, not a hang', () => {
    const bad = raw.slice();
    const v = view(bad);
    const inodeTable = Number(v.getBigUint64(64, true));
    const dirTable = Number(v.getBigUint64(72, true));
    // Every basic directory inode (type 1) claims 65535 bytes of entries.
    for (let i = inodeTable + 2; i + 32 < dirTable; i += 2)
      if (v.getUint16(i, true) === 1 && v.getUint16(i + 2, true) === 0o755) v.setUint16(i + 24, 0xffff, true);
    const started = cpuClock();
    let fs: SquashfsImage | undefined;
    try {
      fs = open(bad);
    } catch (error) {
      assert.ok(error instanceof ImageReadError);
    }
    if (fs) {
      readAll(fs);
      assert.ok(fs.problems.length > 0);
    }
    assert.ok(started() < 2000);
  });

  it('an id table that cannot be read leaves owners unknown (-1), with a problem', () => {
    const bad = plain.slice();
    view(bad).setUint16(26, 65535, true);
    const fs = open(bad);
    problemFor(fs, 'id table', /owners are shown as -1/);
    assert.equal(fs.entry('/etc/passwd')?.uid, -1);
  });

  it('a fragment table that is wrong fails only the files with tail ends', () => {
    const bad = plain.slice();
    view(bad).setBigUint64(80, BigInt(bad.length - 4), true);
    const fs = open(bad);
    assert.throws(() => fs.read('/size77777', 1 << 20), /fragment table index at \d+ \(\+8\) is outside the image/);
    assert.equal(fs.read('/big.bin', 100).length, 100);
  });

  it('an unknown compressor is reported; uncompressed images still list and read', () => {
    const bad = raw.slice();
    view(bad).setUint16(20, 9, true);
    const fs = open(bad);
    assert.equal(fs.format, 'squashfs 4.0 (compressor 9)');
    problemFor(fs, 'superblock', /unsupported compressor id 9/);
    assert.equal(new TextDecoder().decode(fs.read('/etc/passwd', 100)), 'root:x:0:0::/root:/bin/sh\n');
    const compressed = plain.slice();
    view(compressed).setUint16(20, 9, true);
    refused(compressed, /cannot read the root directory: metadata block at \d+: unsupported compressor id 9/);
  });

  it('the entry, depth and metadata limits hold, with a problem', () => {
    const few = open(plain, { maxEntries: 5 });
    assert.equal([...few.entries()].length, 5);
    assert.ok(few.problems.some((p) => /listing stopped after 5 entries \(limit\)/.test(p.reason)));
    const shallow = open(plain, { maxDepth: 3 });
    problemFor(shallow, '/deep/l1/l2', /not descended: deeper than 3 levels \(limit\)/);
    assert.equal(shallow.entry('/deep/l1/l2/l3'), undefined);
    refused(plain, /more than 100 bytes of metadata \(limit\)/, { maxMetadataBytes: 100 });
  });

  it('read refuses what is not a regular file', () => {
    const fs = open(plain);
    assert.throws(() => fs.read('/etc', 10), /\/etc: not a regular file/);
    assert.throws(() => fs.read('/link', 10), /\/link: not a regular file/);
    assert.throws(() => fs.read('/nothing', 10), /\/nothing: no such entry in the image/);
    assert.equal(fs.read('/big.bin', 0).length, 0);
    assert.equal(fs.read('/big.bin', 131073).length, 131073);
    assert.equal(resolveInImage(fs, '/link')?.path, '/etc/passwd');
  });
});
