// The zip reader against Info-ZIP: `zip -r -y` archives (stored and deflated members, symlinks stored as
// links, Unix modes and owners), compared with `unzip -Z` and with the source tree; zip64; members the
// reader cannot read (encrypted, bzip2) are listed with a problem.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openArchive, openZip, ZipFs } from '../../../../src/scan/firmware/archives/index.ts';
import { BufferSource } from '../../../../src/scan/firmware/byte-source.ts';
import { buildArchiveTree, describeTree, hasTool, listZip, makeZip, type SourceEntry } from '../../../helpers/make-archives.ts';
import { matchesSource, matchesTool } from './compare.ts';

describe(
  'zip archives made by Info-ZIP zip',
  { skip: hasTool('zip') && hasTool('unzip') ? false : 'zip/unzip not installed', timeout: 300_000 },
  () => {
    let work: string;
    let src: string;
    let tree: Map<string, SourceEntry>;

    before(() => {
      work = mkdtempSync(join(tmpdir(), 'baseline-zip-'));
      src = join(work, 'src');
      buildArchiveTree(src);
      tree = describeTree(src);
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    // zip stores neither fifos nor devices, and stores each hard link as its own file.
    const notInZip = (_path: string, entry?: SourceEntry): boolean => entry?.type === 'fifo' || entry?.type === 'char-device';

    for (const level of ['-6', '-0'] as const) {
      it(`reads zip -r -y ${level} like unzip -Z and the source tree`, () => {
        const archive = join(work, `tree${level}.zip`);
        makeZip(src, archive, [level]);
        const fs = openZip(archive);
        try {
          assert.equal(fs.format, 'zip');
          assert.deepEqual(fs.problems, []);
          matchesTool(fs, listZip(archive), '-');
          matchesSource(fs, tree, notInZip);
          assert.equal(fs.entry('/link-absolute')?.type, 'symlink');
          assert.equal(fs.entry('/bin/busybox')?.mode, 0o4755);
          assert.equal(fs.entry('/etc/shadow')?.uid, 0);
        } finally {
          fs.close();
        }
      });
    }

    it('finds the central directory of a zip with data before it (a self-extractor stub)', async () => {
      const archive = join(work, 'plain.zip');
      makeZip(src, archive);
      const shifted = join(work, 'shifted.bin');
      writeFileSync(shifted, Buffer.concat([Buffer.alloc(4096, 0x90), readFileSync(archive)]));
      const fs = await openArchive(shifted);
      assert.equal(fs.format, 'zip');
      matchesSource(fs, tree, notInZip);
      assert.ok(fs.problems.some((p) => /shifted/.test(p.reason)));
      fs.close();
    });

    it('reads zip64 (zip -fz)', () => {
      const archive = join(work, 'z64.zip');
      makeZip(src, archive, ['-fz']);
      const fs = new ZipFs(new BufferSource(new Uint8Array(readFileSync(archive))));
      assert.deepEqual(fs.problems, []);
      matchesSource(fs, tree, notInZip);
    });

    it('lists encrypted and bzip2 members with a problem, and refuses to read them', () => {
      const dir = join(work, 'small');
      mkdirSync(dir);
      writeFileSync(join(dir, 'secret.txt'), 'password=hunter2\n'.repeat(20));
      const encrypted = join(work, 'enc.zip');
      execFileSync('zip', ['-q', '-P', 'pass', encrypted, 'secret.txt'], { cwd: dir });
      const fs = openZip(encrypted);
      assert.equal(fs.entry('/secret.txt')?.type, 'file');
      assert.ok(fs.problems.some((p) => p.part === '/secret.txt' && /encrypted/.test(p.reason)));
      assert.throws(() => fs.read('/secret.txt', 100), { name: 'ImageReadError', message: /encrypted/ });
      fs.close();
      const bzip = join(work, 'bz.zip');
      const made = execFileSync('sh', ['-c', `zip -q -Z bzip2 "${bzip}" secret.txt && echo ok || true`], { cwd: dir, encoding: 'utf8' });
      if (made.includes('ok')) {
        const bz = openZip(bzip);
        assert.ok(
          bz.problems.some((p) => /method 12/.test(p.reason)),
          JSON.stringify(bz.problems),
        );
        assert.throws(() => bz.read('/secret.txt', 100), { name: 'ImageReadError' });
        bz.close();
      }
    });
  },
);
