// Hostile and broken archives: names that climb out, the tar symlink attack, truncation at many points,
// bad checksums, decompression bombs, zip directories pointing outside the file, huge cpio name sizes,
// limits. Each gives ReadProblems or an ImageReadError, never another error, a hang, or a host write.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ArchiveFs, CpioFs, openArchive, openTar, TarFs, ZipFs } from '../../../../src/scan/firmware/archives/index.ts';
import { ImageReadError, type ImageFs, resolveInImage } from '../../../../src/scan/firmware/image-fs.ts';
import { BufferSource } from '../../../../src/scan/firmware/byte-source.ts';
import { hasTool, makeCpio, makeTar, makeZip, newcMember, tarHeader, tarOf, textBytes } from '../../../helpers/make-archives.ts';

type Reader = (bytes: Uint8Array) => ImageFs;
const readers: Record<'tar' | 'cpio' | 'zip', Reader> = {
  tar: (b) => new TarFs(new BufferSource(b)),
  cpio: (b) => new CpioFs(new BufferSource(b)),
  zip: (b) => new ZipFs(new BufferSource(b)),
};

/** Opens, lists and reads everything; returns the reader, or the ImageReadError that refused it. */
function survive(read: Reader, bytes: Uint8Array): ImageFs | ImageReadError {
  let fs: ImageFs;
  try {
    fs = read(bytes);
  } catch (error) {
    if (error instanceof ImageReadError) return error;
    throw error;
  }
  for (const entry of fs.entries()) {
    assert.ok(entry.path.startsWith('/') && !entry.path.split('/').includes('..'));
    if (entry.type === 'file' || entry.type === 'hardlink') {
      try {
        fs.read(entry.path, 1 << 20);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
      }
    }
    resolveInImage(fs, entry.path);
  }
  return fs;
}

function hasProblem(fs: ImageFs, pattern: RegExp, part?: string): void {
  assert.ok(
    fs.problems.some((p) => pattern.test(p.reason) && (part === undefined || p.part === part)),
    `expected a problem ${part ?? ''} ${pattern}; got ${JSON.stringify(fs.problems)}`,
  );
}

describe('hostile archives', { timeout: 300_000 }, () => {
  let work: string;
  const real: Record<string, Uint8Array> = {};

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-archive-hostile-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'etc'), { recursive: true });
    writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(src, 'etc/big'), textBytes(200_000, 5));
    writeFileSync(join(src, 'etc/empty'), '');
    if (hasTool('tar')) {
      makeTar(src, join(work, 'a.tar'), 'pax');
      real.tar = new Uint8Array(readFileSync(join(work, 'a.tar')));
    }
    if (hasTool('cpio')) {
      makeCpio(src, join(work, 'a.cpio'), 'newc');
      real.cpio = new Uint8Array(readFileSync(join(work, 'a.cpio')));
    }
    if (hasTool('zip')) {
      makeZip(src, join(work, 'a.zip'));
      real.zip = new Uint8Array(readFileSync(join(work, 'a.zip')));
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('keeps ../../etc/passwd and /etc/passwd inside the image, as a path-traversal problem', () => {
    const fs = new TarFs(
      new BufferSource(
        tarOf([
          { header: { name: '../../etc/passwd' }, data: 'evil' },
          { header: { name: '/etc/shadow' }, data: 'abs' },
        ]),
      ),
    );
    assert.equal(Buffer.from(fs.read('/etc/passwd', 10)).toString(), 'evil');
    assert.equal(Buffer.from(fs.read('/etc/shadow', 10)).toString(), 'abs');
    hasProblem(fs, /path traversal/, '/etc/passwd');
    hasProblem(fs, /is absolute/, '/etc/shadow');
    const cpio = new CpioFs(
      new BufferSource(new Uint8Array(Buffer.concat([newcMember('../../../etc/passwd', { data: 'x' }), newcMember('TRAILER!!!')]))),
    );
    hasProblem(cpio, /path traversal/, '/etc/passwd');
  });

  it('keeps member names GNU tar -P wrote absolute, and ../ names', { skip: hasTool('tar') ? false : 'no tar' }, async () => {
    const archive = join(work, 'abs.tar');
    execFileSync('tar', ['-P', '-cf', archive, join(work, 'src/etc/passwd'), `${work}/src/../src/etc/empty`]);
    const fs = await openTar(archive);
    const inside = `${work}/src/etc/passwd`;
    assert.equal(fs.entry(inside)?.type, 'file');
    hasProblem(fs, /absolute/, inside);
    hasProblem(fs, /absolute/, `${work}/src/etc/empty`);
    fs.close();
  });

  it('records the tar symlink attack (a link out, then a file written through it) and follows nothing', () => {
    const target = join(work, 'outside');
    const fs = new TarFs(
      new BufferSource(
        tarOf([
          { header: { name: 'evil', type: '2', linkname: target } },
          { header: { name: 'evil/pwned' }, data: 'written through the link' },
          { header: { name: 'up', type: '2', linkname: '../../../../etc' } },
          { header: { name: 'up/passwd' }, data: 'root::0:0' },
        ]),
      ),
    );
    assert.equal(fs.entry('/evil')?.type, 'symlink');
    assert.equal(fs.entry('/evil')?.linkTarget, target);
    assert.equal(Buffer.from(fs.read('/evil/pwned', 100)).toString(), 'written through the link');
    hasProblem(fs, /written through the symlink \/evil/, '/evil/pwned');
    hasProblem(fs, /written through the symlink \/up/, '/up/passwd');
    assert.equal(existsSync(target), false, 'nothing was written on the host');
  });

  it('a hard link out of the archive is clamped and reported', () => {
    const fs = new TarFs(new BufferSource(tarOf([{ header: { name: 'h', type: '1', linkname: '../../etc/shadow' } }])));
    assert.equal(fs.entry('/h')?.linkTarget, '/etc/shadow');
    hasProblem(fs, /climbs out/);
    hasProblem(fs, /not in the archive/);
    assert.throws(() => fs.read('/h', 10), ImageReadError);
  });

  for (const kind of ['tar', 'cpio', 'zip'] as const) {
    it(`${kind}: truncated at many points keeps what was read and says so, or refuses cleanly`, () => {
      const bytes = real[kind];
      if (!bytes) return;
      const points = [
        0,
        1,
        5,
        21,
        100,
        511,
        512,
        513,
        1000,
        1024,
        1500,
        2048,
        bytes.length >> 2,
        bytes.length >> 1,
        bytes.length - 1024,
        bytes.length - 23,
        bytes.length - 1,
      ];
      for (const at of points) {
        if (at < 0 || at >= bytes.length) continue;
        const result = survive(readers[kind], bytes.slice(0, at));
        // Cutting only padding (GNU tar's and cpio's zero-filled last record) loses nothing.
        if (!(result instanceof ImageReadError) && bytes.subarray(at).some((b) => b !== 0)) {
          let unreadable = 0;
          for (const e of result.entries())
            if (e.type === 'file')
              try {
                result.read(e.path, 1 << 30);
              } catch {
                unreadable++;
              }
          assert.ok(result.problems.length > 0 || unreadable > 0, `${kind} cut at ${at}: the truncation is reported`);
        }
      }
    });
  }

  it('a bad header checksum ends the tar listing with a problem', { skip: hasTool('tar') ? false : 'no tar' }, () => {
    const bytes = (real.tar as Uint8Array).slice();
    // Corrupt a header after the first: find the second 'ustar' magic.
    const text = Buffer.from(bytes);
    const second = text.indexOf('ustar', text.indexOf('ustar') + 1) - 257;
    bytes[second + 10] = (bytes[second + 10] as number) ^ 0x41;
    const fs = survive(readers.tar, bytes);
    assert.ok(!(fs instanceof ImageReadError));
    hasProblem(fs, /checksum/);
    bytes[10] = (bytes[10] as number) ^ 0x41;
    bytes[0] = (bytes[0] as number) ^ 0x41;
    assert.ok(survive(readers.tar, bytes) instanceof ImageReadError, 'a first header with a bad checksum is not a tar');
  });

  it('a gzip bomb stops at maxTotalBytes, keeping what came before', async () => {
    const members = tarOf([{ header: { name: 'etc/passwd' }, data: 'root::0:0\n' }, { header: { name: 'zeros', size: 64 << 20 } }], false);
    const bomb = Buffer.concat([members, Buffer.alloc(64 << 20)]);
    const path = join(work, 'bomb.tar.gz');
    writeFileSync(path, gzipSync(bomb, { level: 9 }));
    const fs = await openArchive(path, { workDir: work, maxTotalBytes: 1 << 20 });
    assert.equal(fs.format, 'tar (gzip)');
    assert.equal(Buffer.from(fs.read('/etc/passwd', 100)).toString(), 'root::0:0\n');
    hasProblem(fs, /more than 1048576 bytes \(limit\)/);
    hasProblem(fs, /truncated/);
    fs.close();
  });

  it('a zip bomb member (deflate that expands past its declared size) cannot be read', () => {
    const zeros = deflateRawSync(Buffer.alloc(32 << 20));
    const name = Buffer.from('bomb');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(zeros.length, 18);
    local.writeUInt32LE(10, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(zeros.length, 20);
    central.writeUInt32LE(10, 24);
    central.writeUInt16LE(name.length, 28);
    const cdAt = 30 + name.length + zeros.length;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(46 + name.length, 12);
    end.writeUInt32LE(cdAt, 16);
    const fs = new ZipFs(new BufferSource(new Uint8Array(Buffer.concat([local, name, zeros, central, name, end]))));
    assert.equal(fs.entry('/bomb')?.size, 10);
    assert.throws(() => fs.read('/bomb', 1 << 30), { name: 'ImageReadError', message: /expands beyond 10 bytes/ });
  });

  it('a zip whose central directory offsets point outside the file', { skip: hasTool('zip') ? false : 'no zip' }, () => {
    const bytes = (real.zip as Uint8Array).slice();
    const view = new DataView(bytes.buffer);
    const eocd = bytes.length - 22;
    assert.equal(view.getUint32(eocd, true), 0x06054b50);
    const original = view.getUint32(eocd + 16, true);
    view.setUint32(eocd + 16, 0x7fffffff, true);
    const shifted = survive(readers.zip, bytes);
    assert.ok(!(shifted instanceof ImageReadError) && shifted.problems.length > 0);
    view.setUint32(eocd + 16, original, true);
    view.setUint32(eocd + 12, 0xfffffff0, true); // size of the directory beyond the file
    assert.ok(survive(readers.zip, bytes) instanceof ImageReadError);
    view.setUint32(eocd + 12, bytes.length - 22 - original, true);
    // Every member's local header offset out of the file.
    let p = original;
    while (view.getUint32(p, true) === 0x02014b50) {
      view.setUint32(p + 42, 0xfffffff0, true);
      p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    }
    const fs = survive(readers.zip, bytes);
    assert.ok(!(fs instanceof ImageReadError));
    hasProblem(fs, /outside the archive|cannot be read/);
    assert.throws(() => fs.read('/etc/passwd', 100), ImageReadError);
  });

  it('a cpio member with a huge namesize ends the listing with a problem', () => {
    const bytes = new Uint8Array(
      Buffer.concat([newcMember('etc/ok', { data: 'ok' }), newcMember('x', { nameSize: 0xfffffff0 }), newcMember('TRAILER!!!')]),
    );
    const fs = survive(readers.cpio, bytes);
    assert.ok(!(fs instanceof ImageReadError));
    assert.equal(Buffer.from(fs.read('/etc/ok', 10)).toString(), 'ok');
    hasProblem(fs, /name of 4294967280 bytes/);
    const huge = new Uint8Array(Buffer.concat([newcMember('big', { data: 'x' })]));
    huge.set(Buffer.from('ffffffff'), 6 + 8 * 6); // filesize 4 GiB in a tiny archive
    const big = survive(readers.cpio, huge);
    assert.ok(!(big instanceof ImageReadError));
    hasProblem(big, /runs past the end/);
  });

  it('limits: entries and name length', () => {
    const many = tarOf(Array.from({ length: 50 }, (_, i) => ({ header: { name: `f${i}` }, data: 'x' })));
    const fs = new TarFs(new BufferSource(many), { maxEntries: 10 });
    assert.equal([...fs.entries()].length, 10);
    hasProblem(fs, /after 10 entries \(limit\)/);
    const longName = tarOf([
      { header: { name: '././@LongLink', type: 'L' }, data: `${'a/'.repeat(3000)}x` },
      { header: { name: 'short' }, data: 'y' },
    ]);
    const named = new TarFs(new BufferSource(longName), { maxNameLength: 1000 });
    hasProblem(named, /GNU long name of 6001 bytes/);
    assert.ok(named.entry('/short'));
  });

  it('refuses what is not an archive with an ImageReadError', async () => {
    const path = join(work, 'random.bin');
    writeFileSync(path, textBytes(10_000, 9));
    await assert.rejects(openArchive(path), ImageReadError);
    assert.ok(survive(readers.tar, textBytes(2000, 1)) instanceof ImageReadError);
    assert.ok(survive(readers.cpio, textBytes(2000, 1)) instanceof ImageReadError);
    assert.ok(survive(readers.zip, textBytes(2000, 1)) instanceof ImageReadError);
    assert.ok(ArchiveFs);
    assert.ok(tarHeader({ name: 'x' }).length === 512);
  });
});
