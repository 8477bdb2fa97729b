// Configs inside a root filesystem get the same checks as `baseline scan config`.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { scanConfigsInImage } from '../../../src/scan/firmware/configs-in-image.ts';
import { openDirectoryFs } from '../../../src/scan/firmware/directory-fs.ts';
import { debianKernelConfigs } from '../../helpers/debian-kernels.ts';
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
