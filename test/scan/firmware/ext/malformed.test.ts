// Malformed and hostile ext images: truncated, bad superblock magic, an inode whose blocks lie beyond the
// filesystem, an extent tree that loops, directories that contain themselves or the root, limits. Each gives
// an ImageReadError (when the image cannot be opened at all) or ReadProblems, never a hang or another error.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExtImage, type ExtOptions } from '../../../../src/scan/firmware/ext/index.ts';
import { ImageReadError } from '../../../../src/scan/firmware/image-fs.ts';
import { BufferSource } from '../../../../src/scan/firmware/squashfs/index.ts';
import { debugfsStat, debugfsWrite, extTools, inodePosition, mkfsExt, pseudoRandom, SPARSE_REGIONS } from '../../../helpers/make-ext.ts';

function open(image: Uint8Array, options: ExtOptions = {}): ExtImage {
  return new ExtImage(new BufferSource(image), options);
}

function problemFor(fs: ExtImage, part: string, reason: RegExp): void {
  assert.ok(
    fs.problems.some((p) => p.part === part && reason.test(p.reason)),
    `expected a problem for ${part} matching ${reason}; got ${JSON.stringify(fs.problems)}`,
  );
}

function refused(image: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => open(image),
    (error: unknown) => error instanceof ImageReadError && pattern.test(error.message),
  );
}

describe('hostile ext images', { skip: extTools ? false : 'e2fsprogs not installed', timeout: 120_000 }, () => {
  let work: string;
  let src: string;

  const make = (name: string, kind: 'ext2' | 'ext4', args: string[]): string => {
    const image = join(work, `${name}.img`);
    mkfsExt(kind, src, image, '4M', ['-b', '1024', ...args]);
    return image;
  };

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-ext-bad-'));
    src = join(work, 'src');
    mkdirSync(join(src, 'a/b/c'), { recursive: true });
    writeFileSync(join(src, 'a/b/c/file'), 'content\n');
    writeFileSync(join(src, 'big'), pseudoRandom(200_000, 3));
    const sparse = Buffer.alloc(SPARSE_REGIONS.at(-1)! + 3000);
    for (const at of SPARSE_REGIONS) pseudoRandom(3000, at).forEach((v, i) => (sparse[at + i] = v));
    writeFileSync(join(src, 'sparse'), sparse);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('refuses a corrupt superblock magic, an image too short for one, and an offset outside the file', () => {
    const image = readFileSync(make('magic', 'ext4', []));
    const bad = Buffer.from(image);
    bad[1080] = 0;
    refused(bad, /bad superblock magic/);
    refused(image.subarray(0, 1500), /superblock truncated/);
    assert.throws(() => open(image, { offset: image.length }), ImageReadError);
  });

  it('opens a truncated image with a problem; files past the end fail with ImageReadError', () => {
    const image = readFileSync(make('truncated', 'ext4', []));
    // Keep the metadata (the first blocks) but cut off most data blocks.
    let fs: ExtImage;
    try {
      fs = open(image.subarray(0, 300 * 1024));
    } catch (error) {
      assert.ok(error instanceof ImageReadError);
      return;
    }
    problemFor(fs, 'image', /truncated/);
    assert.throws(() => fs.read('/big', 1 << 20), ImageReadError);
  });

  it('an inode pointing to blocks beyond the filesystem: read fails, the problem is recorded', () => {
    const path = make('beyond', 'ext2', ['-O', '^has_journal']);
    debugfsWrite(path, 'sif /big block[0] 0x7fffffff');
    debugfsWrite(path, 'sif /big block[IND] 0x7ffffff0');
    const fs = open(readFileSync(path));
    assert.throws(() => fs.read('/big', 1 << 20), /beyond the filesystem/);
    problemFor(fs, '/big', /beyond the filesystem/);
    assert.equal(Buffer.from(fs.read('/a/b/c/file', 100)).toString(), 'content\n');
  });

  it('an extent tree that loops is detected', () => {
    const path = make('loop', 'ext4', ['-O', '^has_journal']);
    const stat = debugfsStat(path, '/sparse');
    const etb = Number(/\(ETB0\):(\d+)/.exec(stat)?.[1]);
    assert.ok(etb > 0, stat);
    const image = readFileSync(path);
    // Make the root claim depth 2, and the index block (now depth 1) point at itself.
    const inode = inodePosition(path, '/sparse', 1024);
    image.writeUInt16LE(2, inode + 0x28 + 6);
    image.writeUInt16LE(1, etb * 1024 + 6);
    image.writeUInt32LE(etb, etb * 1024 + 12 + 4);
    image.writeUInt16LE(0, etb * 1024 + 12 + 8);
    const fs = open(image);
    assert.throws(() => fs.read('/sparse', 1 << 20), /extent tree loop/);
    // An extent depth beyond the limit is refused too.
    image.writeUInt16LE(9, inode + 0x28 + 6);
    assert.throws(() => open(image).read('/sparse', 1 << 20), /depth 9/);
  });

  it('a directory that contains itself, or the root, is listed once and not descended', () => {
    const path = make('dirloop', 'ext4', []);
    debugfsWrite(path, 'ln /a /a/b/c/up');
    debugfsWrite(path, 'ln / /a/b/root');
    const fs = open(readFileSync(path));
    const paths = [...fs.entries()].map((e) => e.path);
    assert.ok(paths.includes('/a/b/c/up') && paths.includes('/a/b/root'));
    assert.ok(!paths.some((p) => p.startsWith('/a/b/c/up/')));
    problemFor(fs, '/a/b/c/up', /directory loop: refers back to \/a/);
    problemFor(fs, '/a/b/root', /directory loop: refers back to \//);
  });

  it('bounds entries and depth', () => {
    const image = readFileSync(make('limits', 'ext4', []));
    const few = open(image, { maxEntries: 3 });
    assert.ok([...few.entries()].length <= 3);
    problemFor(few, '/', /listing stopped|not listed/);
    const shallow = open(image, { maxDepth: 1 });
    assert.ok(![...shallow.entries()].some((e) => e.path.startsWith('/a/b/')));
    problemFor(shallow, '/a/b', /deeper than 1/);
  });

  it('a corrupt directory block is a problem, not an error', () => {
    const path = make('dirent', 'ext2', ['-O', '^has_journal']);
    const block = Number(/\(0\):(\d+)/.exec(debugfsStat(path, '/a/b'))?.[1]);
    const image = readFileSync(path);
    image.writeUInt16LE(3, block * 1024 + 12 + 4); // the rec_len of '..': not a multiple of 4
    const fs = open(image);
    problemFor(fs, '/a/b', /corrupt directory entry/);
  });
});
