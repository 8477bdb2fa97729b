// Configs inside a root filesystem get the same checks as `baseline scan config`.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { BufferSource } from '../../../src/scan/firmware/byte-source.ts';
import { findUbootEnvironments } from '../../../src/scan/firmware/carving/uboot-env.ts';
import { scanConfigsInImage, scanUbootEnvironmentsInBlob } from '../../../src/scan/firmware/configs-in-image.ts';
import { openDirectoryFs } from '../../../src/scan/firmware/directory-fs.ts';
import { SquashfsImage } from '../../../src/scan/firmware/squashfs/squashfs-fs.ts';
import { debianKernelConfigs } from '../../helpers/debian-kernels.ts';
import { hasTool, mksquashfs } from '../../helpers/make-squashfs.ts';
import { mkenvimage, mkenvimageTool, mkimageScript, mkimageScriptTool } from '../../helpers/make-uboot-env.ts';
import { tempDir } from '../../helpers/product.ts';

const fixture = (path: string) => new URL(`../../fixtures/${path}`, import.meta.url).pathname;

function rootfs(): string {
  const root = tempDir('baseline-rootfs-');
  mkdirSync(join(root, 'boot/firmware'), { recursive: true });
  mkdirSync(join(root, 'etc/sysctl.d'), { recursive: true });
  copyFileSync(fixture('rpi/product-config.txt'), join(root, 'boot/firmware/config.txt'));
  copyFileSync(fixture('rpi/cmdline.txt'), join(root, 'boot/firmware/cmdline.txt'));
  writeFileSync(join(root, 'etc/sysctl.d/10-defaults.conf'), 'kernel.kptr_restrict = 1\nkernel.dmesg_restrict = 1\n');
  writeFileSync(join(root, 'etc/sysctl.d/99-product.conf'), '# product override\nkernel.dmesg_restrict = 0\n');
  // A gzip'd arm64 kernel image carrying its config the way CONFIG_IKCONFIG embeds it.
  const config =
    '# Linux/arm64 6.6.31 Kernel Configuration\nCONFIG_ARM64=y\nCONFIG_MODULES=y\nCONFIG_DEBUG_FS=y\n# CONFIG_STACKPROTECTOR_STRONG is not set\n';
  const kernel = Buffer.concat([
    Buffer.alloc(4096, 0x90),
    Buffer.from('IKCFG_ST'),
    gzipSync(config),
    Buffer.from('IKCFG_ED'),
    Buffer.alloc(1024),
  ]);
  writeFileSync(join(root, 'boot/firmware/kernel8.img'), gzipSync(kernel));
  return root;
}

describe('configs inside a root filesystem', () => {
  it('are found and checked by the kind their place implies', () => {
    const { scanned, findings, problems } = scanConfigsInImage(openDirectoryFs(rootfs()));
    assert.deepEqual(scanned.map((s) => `${s.path} ${s.kind}`).sort(), [
      '/boot/firmware/cmdline.txt linux',
      '/boot/firmware/config.txt rpi',
      '/boot/firmware/kernel8.img#IKCONFIG linux',
      'sysctl settings (/etc/sysctl.d/10-defaults.conf, /etc/sysctl.d/99-product.conf) linux',
    ]);
    const fail = (check: string, path: string) =>
      findings.find((f) => f.check === check && f.location.path === path && f.result === 'fail');
    assert.ok(fail('config/rpi/enable-uart', '/boot/firmware/config.txt'));
    assert.ok(fail('config/linux-cmdline/serial-console', '/boot/firmware/cmdline.txt'));
    // The later file wins, and the finding points at its line.
    const dmesg = fail('config/linux-sysctl/dmesg-restrict', '/etc/sysctl.d/99-product.conf');
    assert.equal(dmesg?.location.line, 2);
    assert.ok(
      findings.some(
        (f) =>
          f.check === 'config/linux-sysctl/kptr-restrict' && f.result === 'pass' && f.location.path === '/etc/sysctl.d/10-defaults.conf',
      ),
    );
    assert.ok(fail('config/linux/stackprotector-strong', '/boot/firmware/kernel8.img#IKCONFIG'));
    assert.ok(fail('config/linux/debug-fs-off', '/boot/firmware/kernel8.img#IKCONFIG'));
    assert.equal(scanned.find((s) => s.path.endsWith('#IKCONFIG'))?.facts.arch, 'arm64');
    assert.ok(problems.some((p) => p.part.includes('include extraconfig.txt')));
  });

  it('checks a distribution kernel config in /boot', () => {
    const root = tempDir('baseline-rootfs-');
    mkdirSync(join(root, 'boot'));
    const debian = debianKernelConfigs().amd64;
    writeFileSync(join(root, 'boot', basename(debian)), readFileSync(debian));
    const { scanned, findings } = scanConfigsInImage(openDirectoryFs(root));
    assert.equal(scanned[0]?.facts.arch, 'x86_64');
    assert.ok(findings.some((f) => f.check === 'config/linux/module-sig-force' && f.result === 'fail'));
    assert.ok(findings.some((f) => f.check === 'config/linux/stackprotector-strong' && f.result === 'pass'));
  });

  it('names a kernel image whose embedded config is cut short, and goes on', () => {
    const root = tempDir('baseline-rootfs-');
    mkdirSync(join(root, 'boot'));
    writeFileSync(join(root, 'boot/Image'), Buffer.concat([Buffer.from('IKCFG_ST'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0])]));
    const { problems, scanned } = scanConfigsInImage(openDirectoryFs(root));
    assert.equal(scanned.length, 0);
    assert.match(problems[0]?.reason ?? '', /starts but does not end/);
  });
});

const UBOOT_ENV = `bootdelay=1
console=ttymxc0,115200
mmcargs=setenv bootargs console=\${console} root=/dev/mmcblk2p2 rootwait rw
bootcmd=run mmcargs; load mmc 2:1 \${loadaddr} fitImage; bootm \${loadaddr}
`;

describe('U-Boot environments in a firmware image', { skip: mkenvimageTool ? false : 'mkenvimage (u-boot-tools) not installed' }, () => {
  function ubootRootfs(): string {
    const root = tempDir('baseline-rootfs-');
    mkdirSync(join(root, 'boot'), { recursive: true });
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'boot/uboot.env'), mkenvimage(UBOOT_ENV, { size: 0x4000 }));
    writeFileSync(join(root, 'boot/uEnv.txt'), 'uenvcmd=run netboot\nnetboot=tftpboot ${loadaddr} fitImage; bootm\n');
    writeFileSync(join(root, 'etc/u-boot-initial-env'), 'bootdelay=-2\nbootcmd=run distro_bootcmd\nverify=no\n');
    writeFileSync(join(root, 'etc/u-boot-initial-env.bak'), 'bootdelay=5\n');
    return root;
  }

  function checkFound(result: ReturnType<typeof scanConfigsInImage>): void {
    assert.deepEqual(result.scanned.map((s) => `${s.path} ${s.kind}`).sort(), [
      '/boot/uEnv.txt uboot',
      '/boot/uboot.env uboot',
      '/etc/u-boot-initial-env uboot',
    ]);
    const find = (check: string, path: string) => result.findings.find((f) => f.check === check && f.location.path === path);
    assert.equal(find('config/uboot/autoboot-interruptible', '/boot/uboot.env')?.result, 'fail');
    assert.deepEqual(find('config/linux-cmdline/serial-console', '/boot/uboot.env')?.location, { path: '/boot/uboot.env', line: 3 });
    assert.equal(find('config/linux-cmdline/serial-console', '/boot/uboot.env')?.result, 'fail');
    assert.equal(find('config/uboot/network-boot', '/boot/uEnv.txt')?.result, 'fail');
    assert.equal(find('config/uboot/autoboot-interruptible', '/etc/u-boot-initial-env')?.result, 'pass');
    assert.equal(find('config/uboot/image-verify', '/etc/u-boot-initial-env')?.result, 'fail');
    assert.match(result.scanned.find((s) => s.path === '/boot/uboot.env')?.facts.crc ?? '', /valid/);
    assert.deepEqual(result.problems, []);
  }

  it('are found at their usual places in a root filesystem folder', () => {
    checkFound(scanConfigsInImage(openDirectoryFs(ubootRootfs())));
  });

  it('are found in a squashfs root filesystem', { skip: hasTool('mksquashfs') ? false : 'mksquashfs not installed' }, () => {
    const image = join(tempDir('baseline-squashfs-'), 'rootfs.squashfs');
    mksquashfs(ubootRootfs(), image, ['-comp', 'gzip']);
    checkFound(scanConfigsInImage(new SquashfsImage(new BufferSource(new Uint8Array(readFileSync(image))))));
  });

  it(
    'are carved from a raw flash dump by CRC, and nothing else is',
    { skip: hasTool('mksquashfs') ? false : 'mksquashfs not installed' },
    () => {
      // NOR flash: U-Boot (whose default environment has no CRC), an env partition with two redundant copies,
      // then the root filesystem.
      const bootloader = new Uint8Array(0x40000).fill(0x13);
      bootloader.set(new TextEncoder().encode('\0bootcmd=run distro_bootcmd\0bootdelay=2\0baudrate=115200\0\0'), 0x1234);
      const partition = new Uint8Array(0x20000).fill(0xff);
      partition.set(mkenvimage(UBOOT_ENV, { size: 0x8000, redundant: true }), 0);
      partition.set(
        mkenvimage(UBOOT_ENV.replace('bootdelay=1', 'bootdelay=-2'), { size: 0x8000, redundant: true, bigEndian: true }),
        0x10000,
      );
      const image = join(tempDir('baseline-squashfs-'), 'rootfs.squashfs');
      mksquashfs(ubootRootfs(), image, ['-comp', 'xz']);
      const dump = new Uint8Array([...bootloader, ...partition, ...readFileSync(image)]);
      const read = (p: number, l: number) => dump.subarray(p, p + l);

      const hits = findUbootEnvironments(dump.length, read, { chunkSize: 64 * 1024 });
      assert.deepEqual(
        hits.map((h) => [h.offset, h.size, h.redundant, h.endian]),
        [
          [0x40000, 0x8000, true, 'little'],
          [0x50000, 0x8000, true, 'big'],
        ],
      );
      const result = scanUbootEnvironmentsInBlob('flash.bin', dump.length, read);
      assert.deepEqual(
        result.scanned.map((s) => s.path),
        ['flash.bin@0x40000', 'flash.bin@0x50000'],
      );
      const autoboot = result.findings
        .filter((f) => f.check === 'config/uboot/autoboot-interruptible')
        .map((f) => `${f.location.path} ${f.result}`);
      assert.deepEqual(autoboot, ['flash.bin@0x40000 fail', 'flash.bin@0x50000 pass']);
      assert.ok(
        result.findings.some(
          (f) => f.check === 'config/linux-cmdline/serial-console' && f.location.path === 'flash.bin@0x40000' && f.location.line === 3,
        ),
      );
    },
  );
});

const BOOT_CMD = `setenv bootargs "console=ttyS0,115200 root=/dev/mmcblk0p2 rootwait"
if load mmc 0:1 \${kernel_addr_r} zImage; then bootz \${kernel_addr_r}; else run netboot; fi
`;

describe('U-Boot boot scripts in a firmware image', { skip: mkimageScriptTool ? false : 'mkimage (u-boot-tools) not installed' }, () => {
  function scriptRootfs(): string {
    const root = tempDir('baseline-rootfs-');
    mkdirSync(join(root, 'boot/firmware'), { recursive: true });
    writeFileSync(join(root, 'boot/boot.scr'), mkimageScript(BOOT_CMD));
    writeFileSync(join(root, 'boot/boot.cmd'), BOOT_CMD);
    writeFileSync(join(root, 'boot/firmware/boot.scr'), mkimageScript("setenv netboot 'dhcp; bootz'\nsetenv verify no\nrun netboot\n"));
    // Not at a place distro boot looks: left alone.
    mkdirSync(join(root, 'usr/share/doc/u-boot'), { recursive: true });
    writeFileSync(join(root, 'usr/share/doc/u-boot/boot.scr'), mkimageScript('setenv verify no\nbootm\n'));
    return root;
  }

  function checkFound(result: ReturnType<typeof scanConfigsInImage>): void {
    assert.deepEqual(result.scanned.map((s) => `${s.path} ${s.kind}`).sort(), [
      '/boot/boot.cmd uboot',
      '/boot/boot.scr uboot',
      '/boot/firmware/boot.scr uboot',
    ]);
    const find = (check: string, path: string) => result.findings.find((f) => f.check === check && f.location.path === path);
    for (const path of ['/boot/boot.scr', '/boot/boot.cmd']) {
      assert.equal(find('config/linux-cmdline/serial-console', path)?.result, 'fail');
      assert.deepEqual(find('config/linux-cmdline/serial-console', path)?.location, { path, line: 1 });
      // The else branch runs netboot, which the script does not define: left to the environment.
      assert.equal(find('config/uboot/network-boot', path)?.result, 'info');
      assert.match(find('config/uboot/network-boot', path)?.message ?? '', /but it runs netboot, which the environment defines/);
    }
    assert.match(result.scanned.find((s) => s.path === '/boot/boot.scr')?.facts['data crc'] ?? '', /valid/);
    const net = find('config/uboot/network-boot', '/boot/firmware/boot.scr');
    assert.equal(net?.result, 'fail');
    assert.deepEqual(net?.location, { path: '/boot/firmware/boot.scr', line: 1 });
    assert.deepEqual(find('config/uboot/image-verify', '/boot/firmware/boot.scr')?.location, { path: '/boot/firmware/boot.scr', line: 2 });
    assert.deepEqual(result.problems, []);
  }

  it('are found at /boot/boot.scr, /boot/boot.cmd and under /boot/firmware in a root filesystem folder', () => {
    checkFound(scanConfigsInImage(openDirectoryFs(scriptRootfs())));
  });

  it('are found in a squashfs root filesystem', { skip: hasTool('mksquashfs') ? false : 'mksquashfs not installed' }, () => {
    const image = join(tempDir('baseline-squashfs-'), 'rootfs.squashfs');
    mksquashfs(scriptRootfs(), image, ['-comp', 'gzip']);
    checkFound(scanConfigsInImage(new SquashfsImage(new BufferSource(new Uint8Array(readFileSync(image))))));
  });

  it('are found at the root of a boot partition, and a corrupted one is named, not fatal', () => {
    const root = tempDir('baseline-bootfs-');
    const image = mkimageScript(BOOT_CMD);
    image[image.length - 2] = (image[image.length - 2] as number) ^ 1;
    writeFileSync(join(root, 'boot.scr'), image);
    writeFileSync(join(root, 'boot.cmd'), 'not a script at all\0\0\0');
    const result = scanConfigsInImage(openDirectoryFs(root));
    assert.deepEqual(
      result.scanned.map((s) => s.path),
      ['/boot.scr'],
    );
    assert.ok(result.findings.some((f) => f.check === 'config/linux-cmdline/serial-console' && f.location.path === '/boot.scr'));
    assert.deepEqual(result.problems.map((p) => p.part).sort(), ['/boot.cmd', '/boot.scr']);
    assert.match(result.problems.find((p) => p.part === '/boot.scr')?.reason ?? '', /^data CRC mismatch/);
    assert.match(result.problems.find((p) => p.part === '/boot.cmd')?.reason ?? '', /not a U-Boot boot script/);
  });
});
