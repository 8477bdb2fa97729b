// Recognising archives and their compression by content, on archives the real tools made.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { archiveKind, compressionOf } from '../../../../src/scan/firmware/archives/index.ts';
import { hasTool, makeCpio, makeTar, makeZip, tarHeader, textBytes } from '../../../helpers/make-archives.ts';

function head(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path)).subarray(0, 1024);
}

describe('archive and compression detection', () => {
  let work: string;
  let src: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-detect-'));
    src = join(work, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'file'), textBytes(5000, 2));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it(
    'tells tar of every format, cpio of every format and zip apart',
    { skip: hasTool('tar') && hasTool('cpio') && hasTool('zip') ? false : 'tools missing' },
    () => {
      for (const format of ['gnu', 'ustar', 'pax', 'v7', 'oldgnu'] as const) {
        makeTar(src, join(work, `${format}.tar`), format);
        assert.equal(archiveKind(head(join(work, `${format}.tar`))), 'tar', format);
      }
      for (const format of ['newc', 'crc', 'odc', 'bin'] as const) {
        makeCpio(src, join(work, `${format}.cpio`), format);
        assert.equal(archiveKind(head(join(work, `${format}.cpio`))), 'cpio', format);
      }
      makeZip(src, join(work, 'a.zip'));
      assert.equal(archiveKind(head(join(work, 'a.zip'))), 'zip');
      assert.equal(archiveKind(new Uint8Array([0x50, 0x4b, 5, 6, ...new Uint8Array(18)])), 'zip', 'an empty zip');
      assert.equal(archiveKind(tarHeader({ name: 'x', magic: 'v7' })), 'tar', 'a v7 header by its checksum');
      assert.equal(archiveKind(new Uint8Array(512)), undefined, 'zeros');
      assert.equal(archiveKind(textBytes(1024, 3)), undefined, 'text');
      assert.equal(archiveKind(new Uint8Array(0)), undefined, 'nothing');
    },
  );

  it('names the compression of what gzip, xz, bzip2, zstd, lz4, lzma and lzop write', () => {
    const input = join(work, 'file');
    writeFileSync(input, textBytes(5000, 4));
    const cases: Array<[string, string[], string]> = [
      ['gzip', ['-c'], 'gzip'],
      ['xz', ['-c'], 'xz'],
      ['bzip2', ['-c'], 'bzip2'],
      ['zstd', ['-q', '-c'], 'zstd'],
      ['lz4', ['-q', '-c'], 'lz4-frame'],
      ['xz', ['--format=lzma', '-c'], 'lzma'],
      ['lzop', ['-c'], 'lzop'],
    ];
    for (const [tool, args, codec] of cases) {
      if (!hasTool(tool)) continue;
      const out = execFileSync(tool, [...args, input], { maxBuffer: 1 << 24 });
      assert.equal(compressionOf(new Uint8Array(out)), codec, `${tool} ${args.join(' ')}`);
      assert.equal(archiveKind(new Uint8Array(out)), undefined);
    }
    assert.equal(compressionOf(textBytes(100, 1)), undefined);
    assert.equal(compressionOf(new Uint8Array([0x1f])), undefined);
  });
});
