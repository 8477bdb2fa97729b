import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDirectoryFs } from '../../../src/scan/firmware/directory-fs.ts';
import { ImageReadError, normaliseImagePath, resolveInImage } from '../../../src/scan/firmware/image-fs.ts';
import { tempDir } from '../../helpers/product.ts';

function rootfs(): string {
  const root = tempDir('baseline-rootfs-');
  mkdirSync(join(root, 'etc/init.d'), { recursive: true });
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/shadow'), 'root:$6$salt$hash:19000:0:99999:7:::\n');
  writeFileSync(join(root, 'bin/busybox'), 'ELF');
  chmodSync(join(root, 'bin/busybox'), 0o4755);
  symlinkSync('busybox', join(root, 'bin/sh'));
  symlinkSync('/etc/shadow', join(root, 'etc/shadow-link'));
  // Points at the host's own password file if followed outside the image: must not be.
  symlinkSync('/etc/hostname', join(root, 'etc/host-escape'));
  symlinkSync('../../../../../../etc/hostname', join(root, 'etc/relative-escape'));
  symlinkSync('loop-b', join(root, 'etc/loop-a'));
  symlinkSync('loop-a', join(root, 'etc/loop-b'));
  linkSync(join(root, 'etc/passwd'), join(root, 'etc/passwd-hardlink'));
  execFileSync('mkfifo', [join(root, 'etc/fifo')]);
  return root;
}

describe('directory as an image', () => {
  const fs = openDirectoryFs(rootfs());

  it('lists every entry with its type and mode, parents first', () => {
    const paths = [...fs.entries()].map((e) => e.path);
    assert.equal(paths[0], '/');
    assert.ok(paths.indexOf('/etc') < paths.indexOf('/etc/passwd'));
    assert.equal(fs.entry('/bin/busybox')?.mode, 0o4755);
    assert.equal(fs.entry('/bin/sh')?.type, 'symlink');
    assert.equal(fs.entry('/bin/sh')?.linkTarget, 'busybox');
    assert.equal(fs.entry('/etc/fifo')?.type, 'fifo');
    const hard = [fs.entry('/etc/passwd'), fs.entry('/etc/passwd-hardlink')].map((e) => e?.type).sort();
    assert.deepEqual(hard, ['file', 'hardlink']);
  });

  it('reads file contents, bounded', () => {
    assert.equal(new TextDecoder().decode(fs.read('/etc/passwd', 1000)), 'root:x:0:0:root:/root:/bin/sh\n');
    assert.equal(fs.read('/etc/passwd', 4).length, 4);
  });

  it('refuses to read links and directories as files', () => {
    assert.throws(() => fs.read('/etc/shadow-link', 100), ImageReadError);
    assert.throws(() => fs.read('/etc', 100), ImageReadError);
  });

  it('resolves absolute and relative links inside the image, never on the host', () => {
    assert.equal(resolveInImage(fs, '/etc/shadow-link')?.path, '/etc/shadow');
    assert.equal(resolveInImage(fs, '/bin/sh')?.path, '/bin/busybox');
    assert.equal(resolveInImage(fs, '/etc/host-escape'), undefined, 'the image has no /etc/hostname');
    assert.equal(resolveInImage(fs, '/etc/relative-escape'), undefined);
    assert.equal(resolveInImage(fs, '/etc/loop-a'), undefined, 'a link loop ends');
  });
});

describe('image paths', () => {
  it('are normalised and clamped at the root', () => {
    assert.deepEqual(normaliseImagePath('etc//./passwd'), { path: '/etc/passwd', escaped: false });
    assert.deepEqual(normaliseImagePath('../../etc/shadow'), { path: '/etc/shadow', escaped: true });
    assert.deepEqual(normaliseImagePath('/a/b/../../..'), { path: '/', escaped: true });
  });
});
