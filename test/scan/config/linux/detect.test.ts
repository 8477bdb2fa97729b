// Detection: the Linux kind claims kernel configs, kernel command lines and sysctl files, and leaves
// Zephyr configs, Raspberry Pi config.txt and other text alone (a low score for the other kinds to win).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../../src/io/input-error.ts';
import { bestFormat } from '../../../../src/scan/config/linux/detect-format.ts';
import { linuxKind } from '../../../../src/scan/config/linux/index.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { kconfigHeader } from './kconfig-text.ts';

const score = (text: string) => linuxKind.detect(configFileFrom('f', new TextEncoder().encode(text)));

const ZEPHYR_CONFIG = `CONFIG_GPIO=y
CONFIG_SERIAL=y
CONFIG_BOARD="nrf52840dk"
CONFIG_SOC_SERIES_NRF52X=y
CONFIG_SOC="nrf52840"
CONFIG_KERNEL_BIN_NAME="zephyr"
CONFIG_MAIN_STACK_SIZE=1024
CONFIG_SYS_CLOCK_TICKS_PER_SEC=32768
CONFIG_MULTITHREADING=y
CONFIG_PRINTK=y
CONFIG_64BIT=y
CONFIG_MMU=y
# CONFIG_USERSPACE is not set
CONFIG_HW_STACK_PROTECTION=y
`;

describe('detect', () => {
  it('claims a kernel config with its header', () => {
    assert.ok(score(`${kconfigHeader('x86_64', '6.1.0')}CONFIG_MODULES=y\n`) >= 0.9);
  });

  it('claims a headerless kernel fragment by Linux-only symbols', () => {
    assert.ok(score('CONFIG_STACKPROTECTOR_STRONG=y\nCONFIG_STRICT_KERNEL_RWX=y\n# CONFIG_DEVMEM is not set\n') >= 0.8);
    assert.ok(score('CONFIG_MODULE_SIG=y\n') >= 0.5);
  });

  it('leaves Zephyr configs and fragments to the Zephyr kind', () => {
    assert.ok(score(ZEPHYR_CONFIG) < 0.2);
    assert.ok(score('CONFIG_GPIO=y\nCONFIG_BT=y\n') < 0.5);
    assert.ok(score('# Zephyr Kernel Configuration\nCONFIG_GPIO=y\nCONFIG_MODULES=y\n') < 0.2);
  });

  it('claims a kernel command line', () => {
    assert.ok(score('console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait\n') >= 0.8);
    assert.ok(score('BOOT_IMAGE=/boot/vmlinuz-6.1.0-27-amd64 root=UUID=0b5e ro quiet\n') >= 0.8);
    assert.ok(score('quiet splash\n') >= 0.5);
    assert.equal(bestFormat('root=/dev/sda1 rootwait\n').format, 'cmdline');
  });

  it('claims sysctl files and `sysctl -a` output', () => {
    assert.ok(score('# /etc/sysctl.d/99-hardening.conf\nkernel.kptr_restrict = 2\nfs.protected_fifos=2\n') >= 0.8);
    assert.ok(score('kernel.kptr_restrict=2\n') >= 0.8);
    assert.equal(bestFormat('net.ipv4.conf.all.rp_filter = 1\n').format, 'sysctl');
  });

  it('does not claim a Raspberry Pi config.txt, YAML or prose', () => {
    assert.ok(
      score(
        '[all]\ndtparam=audio=on\ncamera_auto_detect=1\ndisplay_auto_detect=1\ndtoverlay=vc4-kms-v3d\nmax_framebuffers=2\narm_64bit=1\nenable_uart=1\n',
      ) < 0.5,
    );
    assert.ok(score('name: thermostat\nversion: 1.0\n') < 0.5);
    assert.ok(score('This is a README about the kernel.\nIt has no settings.\n') < 0.5);
    assert.equal(score(''), 0);
  });

  it('refuses to scan what it cannot read as any Linux format', () => {
    assert.throws(
      () =>
        linuxKind.scan(configFileFrom('notes.txt', new TextEncoder().encode('hello world\nthis is not a config\nat all\nreally\n')), {}),
      (e) => e instanceof InputError && /notes\.txt: found no kernel config options/.test(e.message),
    );
  });
});
