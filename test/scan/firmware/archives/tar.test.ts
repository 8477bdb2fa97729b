// The tar reader against GNU tar: archives in every format GNU tar writes (gnu, oldgnu, ustar, pax, v7)
// and every compression it offers, compared with `tar -tv` and with the source tree (bytes by sha256).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openArchive, openTar, TarFs } from '../../../../src/scan/firmware/archives/index.ts';
import { BufferSource } from '../../../../src/scan/firmware/byte-source.ts';
import {
  buildArchiveTree,
  DEEP_LONG,
  describeTree,
  hasTool,
  listTar,
  LONG_COMPONENT,
  makeTar,
  type SourceEntry,
  type TarCompression,
  type TarFormat,
} from '../../../helpers/make-archives.ts';
import { readFileSync } from 'node:fs';
import { matchesSource, matchesTool } from './compare.ts';

const COMPRESSORS: Record<TarCompression, string> = {
  none: 'tar',
  gzip: 'gzip',
  xz: 'xz',
  bzip2: 'bzip2',
  zstd: 'zstd',
  lzma: 'xz',
  lz4: 'lz4',
};

describe('tar archives made by GNU tar', { skip: hasTool('tar') ? false : 'GNU tar not installed', timeout: 300_000 }, () => {
  let work: string;
  let src: string;
  let tree: Map<string, SourceEntry>;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-tar-'));
    src = join(work, 'src');
    buildArchiveTree(src);
    tree = describeTree(src);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** What a format cannot hold (GNU tar leaves it out with a warning). */
  const missingIn = (format: TarFormat) => (path: string, entry?: SourceEntry) => {
    if (path === '/' || !entry) return false;
    if (format === 'v7') return entry.type === 'fifo' || entry.type === 'char-device' || path.length > 100 || path.includes('ü');
    if (format === 'ustar') return path.includes(DEEP_LONG.slice(0, 100)) || path.includes(LONG_COMPONENT);
    return false;
  };

  for (const format of ['gnu', 'oldgnu', 'ustar', 'pax', 'v7'] as const) {
    it(`reads --format=${format} like tar -tv and the source tree`, async () => {
      const archive = join(work, `${format}.tar`);
      makeTar(src, archive, format);
      const fs = await openTar(archive);
      try {
        assert.equal(fs.format, 'tar');
        assert.deepEqual(fs.problems, []);
        matchesTool(fs, listTar(archive), 'h');
        const files = matchesSource(fs, tree, missingIn(format));
        assert.ok(files >= 8, `${files} files compared`);
        if (format !== 'v7' && format !== 'ustar') {
          assert.equal(fs.entry(`/${DEEP_LONG}`)?.type, 'file');
          assert.equal(fs.entry(`/names/${LONG_COMPONENT}`)?.size, 10);
        }
        assert.equal(fs.entry('/bin/busybox')?.mode, 0o4755);
        assert.equal(fs.entry('/link-absolute')?.linkTarget, '/etc/passwd');
      } finally {
        fs.close();
      }
    });
  }

  for (const compression of ['gzip', 'xz', 'bzip2', 'zstd', 'lzma', 'lz4'] as const) {
    it(
      `reads a ${compression}-compressed tar, decompressed once into the work folder`,
      { skip: hasTool(COMPRESSORS[compression]) ? false : `${COMPRESSORS[compression]} not installed` },
      async () => {
        const archive = join(work, `gnu.tar.${compression}`);
        makeTar(src, archive, 'pax', compression);
        const fs = await openArchive(archive, { workDir: work });
        try {
          assert.equal(fs.format, `tar (${compression === 'lz4' ? 'lz4-frame' : compression})`);
          assert.deepEqual(fs.problems, []);
          matchesTool(fs, listTar(archive, compression), 'h');
          matchesSource(fs, tree);
        } finally {
          fs.close();
        }
      },
    );
  }

  it('reads a tar held in memory, and a pax header with a long path, link and owner', () => {
    const archive = join(work, 'mem.tar');
    makeTar(src, archive, 'pax', 'none', ['--owner=1234', '--group=5678', '--mtime=@1600000000']);
    const fs = new TarFs(new BufferSource(new Uint8Array(readFileSync(archive))));
    const entry = fs.entry(`/${DEEP_LONG}`);
    assert.equal(entry?.uid, 1234);
    assert.equal(entry?.gid, 5678);
    assert.equal(entry?.mtime, 1600000000);
    assert.equal(Buffer.from(fs.read(`/${DEEP_LONG}`, 100)).toString(), 'deep and long\n');
    assert.equal(fs.entry('/bin/sh')?.type === 'hardlink' || fs.entry('/bin/busybox')?.type === 'hardlink', true);
  });

  it('lists a GNU sparse member with a problem, and cannot read it', async () => {
    const dir = join(work, 'sparse-src');
    const { execFileSync } = await import('node:child_process');
    execFileSync('sh', ['-c', `mkdir -p "${dir}" && truncate -s 8M "${dir}/holes" && printf end >> "${dir}/holes"`]);
    const archive = join(work, 'sparse.tar');
    execFileSync('tar', ['--format=gnu', '--sparse', '-cf', archive, '-C', dir, '.']);
    const fs = await openTar(archive);
    assert.ok(
      fs.problems.some((p) => /sparse/.test(p.reason)),
      JSON.stringify(fs.problems),
    );
    assert.equal(fs.entry('/holes')?.type, 'file');
    assert.throws(() => fs.read('/holes', 100), { name: 'ImageReadError' });
    fs.close();
  });

  it('keeps the later of two members at the same path, as extraction would, and says so', async () => {
    const { execFileSync } = await import('node:child_process');
    const archive = join(work, 'dup.tar');
    execFileSync('sh', [
      '-c',
      `cd "${src}" && tar -cf "${archive}" etc/passwd && printf 'second\\n' > /tmp/baseline-dup-passwd && tar -rf "${archive}" --transform='s,.*,etc/passwd,' -C /tmp baseline-dup-passwd && rm /tmp/baseline-dup-passwd`,
    ]);
    const fs = await openTar(archive);
    assert.equal(Buffer.from(fs.read('/etc/passwd', 100)).toString(), 'second\n');
    assert.ok(fs.problems.some((p) => p.part === '/etc/passwd' && /more than once/.test(p.reason)));
    fs.close();
  });
});
