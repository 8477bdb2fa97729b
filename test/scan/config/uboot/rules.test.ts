// Every U-Boot environment rule, with environments that pass and environments that fail, and the Linux
// command-line rules reached through bootargs, its ${references} and the setenv bootargs that bootcmd runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { ubootKind } from '../../../../src/scan/config/uboot/index.ts';
import { configRuleTester } from '../../../helpers/config-rule-tester.ts';

const path = 'u-boot-initial-env';
const uEnv = '/boot/uEnv.txt';
const env = (...lines: string[]) => `${lines.join('\n')}\n`;

configRuleTester(ubootKind, 'config/uboot/autoboot-interruptible', {
  valid: [
    { path, text: env('bootcmd=run mmcboot', 'bootdelay=-2'), message: /boots without checking the console/ },
    { name: 'any negative value but -1 skips the check', path, text: env('bootcmd=boot', 'bootdelay=-5') },
    {
      name: 'stop key kept as a SHA-256',
      path,
      text: env('bootdelay=3', 'bootstopkeysha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
      message: /only the key whose hash bootstopkeysha256 holds stops autoboot \(with CONFIG_AUTOBOOT_KEYED and CONFIG_AUTOBOOT_ENCRYPTION/,
    },
    { name: 'stop key kept as a crypt hash', path, text: env('bootdelay=0', 'bootstopkeycrypt=$5$rounds=640000$salt$hash') },
    {
      name: 'stop string in clear is only information',
      path,
      text: env('bootdelay=2', 'bootstopkey=letmein'),
      result: 'info',
      message: /kept in clear: the same on every unit, readable from the image or with fw_printenv/,
    },
    {
      name: 'bootdelay not in a complete environment',
      path,
      text: env('bootcmd=boot', 'baudrate=115200'),
      result: 'info',
      message: /U-Boot uses CONFIG_BOOTDELAY .* or the device tree's \/config\/bootdelay/,
    },
    { name: 'bootdelay not in a uEnv.txt', path: uEnv, text: env('uenvcmd=run mmcboot'), result: 'info', message: /not set in this file/ },
  ],
  invalid: [
    { path, text: env('bootcmd=run mmcboot', 'bootdelay=3'), message: /any key on the console during the 3-second countdown/ },
    { name: 'bootdelay=0 still checks once', path, text: env('bootcmd=boot', 'bootdelay=0'), message: /still checks once for a key/ },
    {
      name: 'bootdelay=-1 waits at the shell',
      path,
      text: env('bootcmd=boot', 'bootdelay=-1'),
      message: /does not autoboot and waits at its command shell/,
    },
    { name: 'not a number reads as 0, as simple_strtol does', path, text: env('bootdelay=off'), message: /still checks once/ },
    { name: 'a stop key deleted with an empty value', path, text: env('bootdelay=1', 'bootstopkey=secret', 'bootstopkey=') },
    { name: 'silent does not help', path, text: env('bootdelay=1', 'silent=1'), message: /silent only hides the console output/ },
    { name: 'located at bootdelay', path, text: env('bootcmd=boot', 'baudrate=115200', 'bootdelay=5'), message: /^bootdelay=5:/ },
  ],
});

configRuleTester(ubootKind, 'config/uboot/image-verify', {
  valid: [
    { name: 'not set: bootm verifies by default', path, text: env('bootcmd=boot', 'bootdelay=-2'), message: /not set: bootm checks/ },
    { path, text: env('verify=yes') },
    { path, text: env('verify=1') },
    { name: 'anything starting with t or T', path, text: env('verify=True') },
    { name: 'not in a uEnv.txt', path: uEnv, text: env('uenvcmd=boot'), result: 'info', message: /built-in environment decides/ },
  ],
  invalid: [
    { path, text: env('verify=no'), message: /without checking their checksums, hashes or FIT configuration signatures/ },
    { path, text: env('verify=n') },
    { path, text: env('verify=0') },
    { name: 'off is not yes', path, text: env('verify=off') },
    { name: 'false', path, text: env('bootcmd=boot', 'verify=false') },
  ],
});

const distro = [
  'boot_targets=mmc0 usb0 pxe dhcp',
  'distro_bootcmd=for target in ${boot_targets}; do run bootcmd_${target}; done',
  'bootcmd_mmc0=devnum=0; run mmc_boot',
  'bootcmd_usb0=devnum=0; run usb_boot',
  'bootcmd_pxe=run boot_net_usb_start; dhcp; if pxe get; then pxe boot; fi',
  'bootcmd_dhcp=run boot_net_usb_start; if dhcp ${scriptaddr} ${boot_script_dhcp}; then source ${scriptaddr}; fi',
  'mmc_boot=if mmc dev ${devnum}; then devtype=mmc; run scan_dev_for_boot_part; fi',
  'usb_boot=usb start; if usb dev ${devnum}; then devtype=usb; run scan_dev_for_boot_part; fi',
  'boot_net_usb_start=usb start',
];

configRuleTester(ubootKind, 'config/uboot/network-boot', {
  valid: [
    { path, text: env('bootcmd=run mmcboot', 'mmcboot=load mmc 0:1 ${loadaddr} fitImage; bootm ${loadaddr}') },
    {
      name: 'a network boot autoboot never runs',
      path,
      text: env('bootcmd=run mmcboot', 'mmcboot=load mmc 0:1 ${loadaddr} fitImage; bootm', 'netboot=tftpboot ${loadaddr} fitImage; bootm'),
      message: /netboot would, but autoboot does not run it/,
    },
    {
      name: 'distro boot limited to local storage',
      path,
      text: env('bootcmd=run distro_bootcmd', ...distro.map((l) => (l.startsWith('boot_targets=') ? 'boot_targets=mmc0 usb0' : l))),
      message: /bootcmd and the \d+ variables it runs/,
    },
    { name: 'no bootcmd in a uEnv.txt', path: uEnv, text: env('bootargs=console=tty1'), result: 'not-applicable' },
    { name: 'no bootcmd in a complete environment', path, text: env('bootdelay=-2', 'baudrate=115200'), result: 'info' },
  ],
  invalid: [
    { path, text: env('bootcmd=tftpboot ${loadaddr} zImage; bootz'), message: /^bootcmd runs tftpboot on the autoboot path \(bootcmd\)/ },
    {
      name: 'the fallback of an if',
      path,
      text: env(
        'bootcmd=if run loadimage; then run mmcboot; else run netboot; fi',
        'loadimage=load mmc 0 ${loadaddr} zImage',
        'netboot=dhcp; bootz',
      ),
      message: /netboot runs dhcp on the autoboot path \(bootcmd → netboot\)/,
    },
    {
      name: "distro boot's pxe and dhcp targets, through the for loop",
      path,
      text: env('bootcmd=run distro_bootcmd', ...distro),
      message: /bootcmd_pxe runs dhcp on the autoboot path \(bootcmd → distro_bootcmd → bootcmd_pxe\)/,
    },
    {
      name: 'a target chosen at run time matches by name',
      path,
      text: env('bootcmd=run boot_${mode}', 'boot_emmc=bootm', 'boot_net=tftp ${loadaddr} fit.itb; bootm'),
      message: /boot_net runs tftp/,
    },
    { name: 'preboot', path, text: env('preboot=dhcp ${loadaddr} boot.scr; source', 'bootcmd=boot'), message: /preboot runs dhcp/ },
    { name: 'uenvcmd in a uEnv.txt', path: uEnv, text: env('uenvcmd=run netboot', 'netboot=tftpboot 0x80000000 uImage; bootm') },
    { name: 'env run, quoted and abbreviated', path, text: env('bootcmd="tftp" ${loadaddr} uImage && bootm') },
  ],
});

configRuleTester(ubootKind, 'config/uboot/kernel-cmdline', {
  valid: [
    {
      path,
      text: env('console=ttyS0', 'bootargs=console=${console} root=/dev/mmcblk0p2 ${extra}'),
      result: 'info',
      message:
        /checked with the Linux command-line rules: bootargs; not defined here, so taken as empty: \$\{extra\}; references left in bootargs are replaced by bootm only with CONFIG_BOOTARGS_SUBST/,
    },
    {
      name: 'every setenv bootargs autoboot runs',
      path,
      text: env('bootcmd=run mmcargs; bootz', 'mmcargs=setenv bootargs root=/dev/mmcblk0p2 rootwait'),
      result: 'info',
      message: /bootargs as mmcargs sets it \(bootcmd → mmcargs\)/,
    },
    {
      name: 'no bootargs anywhere',
      path,
      text: env('bootcmd=bootm', 'bootdelay=-2'),
      result: 'info',
      message: /device tree \(\/chosen\/bootargs\), CONFIG_CMDLINE or a boot script, and was not checked/,
    },
  ],
  // Information only: what the kernel command line is and where it comes from; the Linux rules judge it.
  invalid: [],
});

configRuleTester(ubootKind, 'config/linux-cmdline/serial-console', {
  valid: [
    { path, text: env('bootargs=console=tty1 root=/dev/mmcblk0p2 rootwait') },
    { name: 'no console at all', path, text: env('bootargs=root=/dev/mmcblk0p2 quiet') },
  ],
  invalid: [
    {
      path,
      text: env('bootargs=console=ttyS0,115200 root=/dev/mmcblk0p2'),
      message: /^bootargs: `console=ttyS0,115200` is on the kernel command line/,
    },
    {
      name: 'built from ${console}',
      path,
      text: env('console=ttyAMA0', 'baudrate=115200', 'bootargs=console=${console},${baudrate} root=/dev/mmcblk0p2'),
      message: /`console=ttyAMA0,115200`.*/,
    },
    {
      name: 'setenv bootargs in a script bootcmd runs',
      path,
      text: env(
        'console=ttymxc1',
        'mmcargs=setenv bootargs console=${console},${baudrate} root=${mmcroot}',
        'mmcboot=run mmcargs; bootz ${loadaddr} - ${fdt_addr}',
        'bootcmd=run mmcboot',
      ),
      message: /^bootargs as mmcargs sets it \(bootcmd → mmcboot → mmcargs\), with text from console: `console=ttymxc1,`/,
    },
    {
      name: 'appended with setenv bootargs ${bootargs} …',
      path,
      text: env('bootargs=root=/dev/sda1', 'bootcmd=setenv bootargs ${bootargs} console=ttyS2; bootm'),
    },
    { name: 'env set with a quoted value', path, text: env('bootcmd=env set bootargs "root=/dev/sda1 console=ttymxc0,115200"; bootm') },
    {
      name: 'a bootargs that is good, and a setenv that is not',
      path,
      text: env('bootargs=console=tty1', 'bootcmd=run netargs; bootm', 'netargs=setenv bootargs console=ttyS0'),
    },
  ],
});

configRuleTester(ubootKind, 'config/linux-cmdline/init-shell', {
  valid: [{ path, text: env('bootargs=root=/dev/mmcblk0p2 init=/sbin/init') }],
  invalid: [
    { path, text: env('bootcmd=setenv bootargs root=/dev/mmcblk0p2 init=/bin/sh; bootm'), message: /`init=\/bin\/sh`/ },
    {
      name: 'in single quotes, expanded when bootm runs',
      path,
      text: env("bootcmd=setenv bootargs 'init=${shell}'; bootm", 'shell=/bin/sh'),
    },
  ],
});

describe('kernel command-line findings', () => {
  const scan = (text: string) => ubootKind.scan(configFileFrom(path, new TextEncoder().encode(text)), {});

  it('point at the variable the offending text is written in', () => {
    const { findings } = scan(
      env(
        'console=ttymxc1',
        'baudrate=115200',
        'mmcargs=setenv bootargs console=${console},${baudrate} root=/dev/mmcblk2p2',
        'bootcmd=run mmcargs; bootz',
      ),
    );
    const serial = findings.find((f) => f.check === 'config/linux-cmdline/serial-console');
    assert.deepEqual(serial?.location, { path, line: 3 });
    assert.equal(serial?.evidence, 'console=ttymxc1,115200');
  });

  it('come once per rule, with the worst result over every command line', () => {
    const { findings } = scan(
      env('bootargs=console=tty1', 'bootcmd=run netargs; bootm', 'netargs=setenv bootargs console=ttyS0 init=/bin/sh'),
    );
    const serial = findings.filter((f) => f.check === 'config/linux-cmdline/serial-console');
    assert.equal(serial.length, 1);
    assert.equal(serial[0]?.result, 'fail');
    assert.deepEqual(serial[0]?.location, { path, line: 3 });
  });

  it('are not made up when no command line is in the environment', () => {
    const { findings } = scan(env('bootcmd=bootm', 'bootdelay=-2'));
    assert.equal(findings.filter((f) => f.check.startsWith('config/linux-cmdline/')).length, 0);
  });
});
