// The whole firmware scan on images made by the real tools: every container kind, nested ones, a flash
// dump carved by magic, and hostile images. Asserts what a user sees: findings, paths and exit codes.
import assert from 'node:assert/strict';
import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scanFirmware } from '../../../src/scan/firmware/scan-firmware.ts';
import { runCli } from '../../helpers/cli.ts';
import { mkimage } from '../../helpers/make-boot-images.ts';
import { mkenvimage } from '../../helpers/make-uboot-env.ts';
import { buildTree } from '../../helpers/firmware-rule-tester.ts';
import { tempDir } from '../../helpers/product.ts';

const TOOL = { name: 'test', version: '0' };
const defaultHash = execFileSync('mkpasswd', ['-m', 'sha-512', 'xc3511'], { encoding: 'utf8' }).trim();

/** A small root filesystem whose root password is a Mirai default. */
function rootfsTree(): string {
  return buildTree({
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
    'etc/shadow': `root:${defaultHash}:19000:0:99999:7:::\n`,
    'bin/busybox': 'not really busybox\n',
    'etc/hostname': 'device\n',
  });
}

const failing = (findings: Array<{ check: string; result: string; location: { path?: string } }>, check: string) =>
  findings.filter((f) => f.check === check && f.result === 'fail');

async function scan(path: string) {
  return scanFirmware(path, TOOL);
}

describe('firmware images, by content', () => {
  const tree = rootfsTree();
  const dir = tempDir('baseline-images-');
  const images: Record<string, string> = {};
  const make = (name: string, command: string) => {
    images[name] = join(dir, name);
    execSync(command.replaceAll('OUT', images[name] as string).replaceAll('SRC', tree), { stdio: 'ignore', shell: '/bin/bash' });
  };
  make('rootfs.squashfs', 'mksquashfs SRC OUT -comp zstd -noappend -quiet');
  make('rootfs.ext4', 'mkfs.ext4 -q -d SRC OUT 8M');
  make('rootfs.tar.xz', 'tar -C SRC -cJf OUT .');
  make('initramfs.cpio.gz', 'cd SRC && find . | cpio -o -H newc 2>/dev/null | gzip > OUT');
  make('update.zip', 'cd SRC && zip -qry OUT .');
  make('plain.bin', 'cp SRC/etc/hostname OUT');

  for (const name of ['rootfs.squashfs', 'rootfs.ext4', 'rootfs.tar.xz', 'initramfs.cpio.gz', 'update.zip']) {
    it(`finds the default root password in ${name}`, async () => {
      const result = await scan(images[name] as string);
      const found = failing(result.results.findings, 'firmware/default-password');
      assert.equal(found.length, 1, JSON.stringify(result.results.incomplete));
      assert.equal(found[0]?.location.path, '/etc/shadow');
    });
  }

  it('says plainly when nothing could be opened', async () => {
    const result = await scan(images['plain.bin'] as string);
    assert.equal(result.filesystems.length, 0);
    assert.ok(result.results.incomplete.some((p) => /no filesystem found/.test(p.reason)));
  });

  it("follows a squashfs inside a gzip'd tar, naming the layers in paths", async () => {
    const outer = tempDir('baseline-outer-');
    execFileSync('cp', [images['rootfs.squashfs'] as string, join(outer, 'rootfs.squashfs')]);
    writeFileSync(join(outer, 'manifest.txt'), 'version 1\n');
    const tarball = join(dir, 'release.tar.gz');
    execFileSync('tar', ['-C', outer, '-czf', tarball, '.']);
    const result = await scan(tarball);
    assert.equal(result.filesystems.length, 2);
    const found = failing(result.results.findings, 'firmware/default-password');
    assert.match(found[0]?.location.path ?? '', /release\.tar\.gz>gzip:\/rootfs\.squashfs:\/etc\/shadow$/);
  });

  it('carves a squashfs and an initramfs in a uImage out of a raw flash dump', async () => {
    const work = tempDir('baseline-flash-');
    const uimage = join(work, 'initramfs.uimg');
    mkimage(uimage, { type: 'ramdisk', compression: 'none', name: 'initramfs', data: images['initramfs.cpio.gz'] as string });
    const flash = join(work, 'flash.bin');
    const pad = (n: number) => Buffer.alloc(n, 0xff);
    writeFileSync(
      flash,
      Buffer.concat([
        pad(0x20000),
        readFileSync(uimage),
        pad(0x10000 - (readFileSync(uimage).length % 0x10000)),
        readFileSync(images['rootfs.squashfs'] as string),
        pad(0x8000),
      ]),
    );
    const result = await scan(flash);
    assert.equal(result.filesystems.length, 2, JSON.stringify(result.results.incomplete));
    assert.ok(
      result.filesystems.some((f) => /@0x20000>uImage>gzip$/.test(f.label) && /cpio/.test(f.format)),
      JSON.stringify(result.filesystems),
    );
    assert.ok(result.filesystems.some((f) => /^squashfs/.test(f.format)));
    assert.equal(failing(result.results.findings, 'firmware/default-password').length, 2);
  });

  it("checks the U-Boot environment partition of a raw flash dump: the kernel's serial console and an interruptible autoboot", async () => {
    const work = tempDir('baseline-flash-env-');
    const env = mkenvimage(
      'bootdelay=3\nconsole=ttyS0,115200\nbootargs=console=${console} root=/dev/mtdblock3 rootfstype=squashfs\nbootcmd=bootm 0x9f050000\n',
      { size: 0x10000 },
    );
    const flash = join(work, 'flash.bin');
    const pad = (n: number) => Buffer.alloc(n, 0xff);
    writeFileSync(flash, Buffer.concat([pad(0x40000), env, pad(0x30000), readFileSync(images['rootfs.squashfs'] as string), pad(0x8000)]));
    const result = await scan(flash);
    assert.deepEqual(
      result.containers.filter((c) => c.kind === 'uboot-env').map((c) => c.label),
      [`${flash}@0x40000`],
    );
    const onEnv = (check: string) => result.results.findings.find((f) => f.check === check && f.location.path === `${flash}@0x40000`);
    assert.equal(onEnv('config/uboot/autoboot-interruptible')?.result, 'fail');
    assert.equal(onEnv('config/linux-cmdline/serial-console')?.result, 'fail');
    assert.ok(result.filesystems.some((f) => /^squashfs/.test(f.format)));
    assert.equal(failing(result.results.findings, 'firmware/default-password').length, 1);
  });

  it('removes its work folder', async () => {
    const parent = tempDir('baseline-work-');
    await scanFirmware(images['rootfs.tar.xz'] as string, TOOL, { workDir: parent });
    assert.deepEqual(readdirSync(parent), []);
  });
});

describe('hostile images', () => {
  it("never reads the scanning machine's files through absolute or escaping links", async () => {
    const root = buildTree({
      'etc/passwd': { symlink: '/etc/passwd' },
      'etc/shadow': { symlink: '../../../../../../etc/shadow' },
      'etc/group': 'root:x:0:\n',
    });
    const result = await scan(root);
    assert.deepEqual(
      result.results.findings.filter((f) => f.check.startsWith('firmware/') && f.result === 'fail'),
      [],
    );
  });

  it('reports a tar member that tries to climb out, and keeps it inside', async () => {
    const src = tempDir('baseline-evil-');
    mkdirSync(join(src, 'a'));
    writeFileSync(join(src, 'a/shadow'), `root:${defaultHash}:1::::::\n`);
    writeFileSync(join(src, 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const tarball = join(tempDir(), 'evil.tar');
    execFileSync(
      'tar',
      [
        '-C',
        src,
        '-cf',
        tarball,
        '--transform',
        's,^a/shadow,../../etc/shadow,',
        '--transform',
        's,^passwd,etc/passwd,',
        'a/shadow',
        'passwd',
      ],
      { stdio: 'ignore' },
    );
    const result = await scan(tarball);
    assert.ok(
      result.results.incomplete.some((p) => /\.\./.test(p.part + p.reason)),
      JSON.stringify(result.results.incomplete),
    );
    assert.equal(failing(result.results.findings, 'firmware/default-password')[0]?.location.path, '/etc/shadow');
  });

  it('stops a decompression bomb at the limit', async () => {
    const bomb = join(tempDir(), 'bomb.gz');
    execSync(`head -c 64M /dev/zero | gzip -9 > ${bomb}`, { shell: '/bin/bash' });
    const result = await scanFirmware(bomb, TOOL, { limits: { maxTotalBytes: 8 * 2 ** 20 } });
    assert.ok(
      result.results.incomplete.some((p) => /beyond|limit/.test(p.reason)),
      JSON.stringify(result.results.incomplete),
    );
  });

  it('names a truncated squashfs instead of crashing', async () => {
    const tree = rootfsTree();
    const image = join(tempDir(), 'cut.squashfs');
    execFileSync('mksquashfs', [tree, image, '-noappend', '-quiet']);
    writeFileSync(image, readFileSync(image).subarray(0, 200));
    const result = await scan(image);
    assert.ok(result.results.incomplete.length > 0);
  });
});

describe('baseline scan firmware', () => {
  it('prints the findings and exits 1, and writes JSON that assess reads', () => {
    const root = rootfsTree();
    const r = runCli(['scan', 'firmware', root]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stdout,
      /^FAIL critical firmware\/default-password {2}\/etc\/shadow:1: account root has a known default password: x\*{5} \(6 characters\) \[5\.1-1, 5\.1-2\]$/m,
    );
    const out = join(tempDir(), 'fw.json');
    runCli(['scan', 'firmware', root, '--json', '--out', out]);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(results.format, 'baseline-findings/1');
    assert.ok(!JSON.stringify(results).includes('xc3511'), 'the password never appears');
    assert.ok(!JSON.stringify(results).includes(defaultHash), 'the hash never appears');
  });

  it('--sbom writes the software found as CycloneDX 1.6', () => {
    const root = buildTree({
      'var/lib/dpkg/status':
        'Package: openssl\nStatus: install ok installed\nArchitecture: arm64\nVersion: 3.0.15-1~deb12u1\n\nPackage: removed-one\nStatus: deinstall ok config-files\nVersion: 1.0\n',
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    });
    const sbom = join(tempDir(), 'sbom.cdx.json');
    const r = runCli(['scan', 'firmware', root, '--sbom', sbom]);
    assert.match(r.stderr, /wrote .*sbom\.cdx\.json: \d+ components/);
    const bom = JSON.parse(readFileSync(sbom, 'utf8'));
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    const openssl = bom.components.find((c: { name: string }) => c.name === 'openssl');
    assert.equal(openssl.version, '3.0.15-1~deb12u1');
    assert.match(openssl.purl, /^pkg:deb\/debian\/openssl@3\.0\.15-1~deb12u1\?arch=arm64/);
    assert.equal(
      bom.components.some((c: { name: string }) => c.name === 'removed-one'),
      false,
    );
  });

  it('exits 2 for a path that does not exist', () => {
    const r = runCli(['scan', 'firmware', join(tmpdir(), 'no-such-image.bin')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no-such-image\.bin: no such file or folder/);
  });
});
