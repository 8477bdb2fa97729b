// `baseline scan config` on U-Boot environments and `baseline rules --kind uboot`, as a user runs them.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';
import { corrupt, mkenvimage, mkenvimageTool, mkimageScript, mkimageScriptTool } from '../../../helpers/make-uboot-env.ts';
import { tempDir } from '../../../helpers/product.ts';

const ENV = `bootdelay=2
console=ttyS0,115200
bootargs=console=\${console} root=/dev/mmcblk0p2 rootwait
bootcmd=load mmc 0:1 \${loadaddr} fitImage; bootm \${loadaddr}
`;

describe(
  'baseline scan config on a U-Boot environment',
  { skip: mkenvimageTool ? false : 'mkenvimage (u-boot-tools) not installed' },
  () => {
    it('--json writes the findings, located at the variables', () => {
      const dir = tempDir();
      const env = join(dir, 'uboot.env');
      writeFileSync(env, mkenvimage(ENV, { size: 0x4000, redundant: true }));
      const out = join(dir, 'uboot.json');
      const r = runCli(['scan', 'config', env, '--json', '--out', out]);
      assert.equal(r.status, 1, r.stderr);
      const json = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(json.format, 'baseline-findings/1');
      const find = (check: string) => json.findings.find((f: { check: string }) => f.check === check);
      assert.deepEqual(find('config/uboot/autoboot-interruptible').location, { path: env, line: 1 });
      assert.equal(find('config/uboot/autoboot-interruptible').result, 'fail');
      assert.deepEqual(find('config/uboot/autoboot-interruptible').provisions, ['5.6-4']);
      const serial = find('config/linux-cmdline/serial-console');
      assert.equal(serial.result, 'fail');
      assert.deepEqual(serial.location, { path: env, line: 3 });
      assert.equal(serial.evidence, 'console=ttyS0,115200');
      assert.equal(find('config/uboot/image-verify').result, 'pass');
      assert.deepEqual(json.incomplete, []);
    });

    it('prints the layout it found, and the CRC mismatch as a part not read', () => {
      const dir = tempDir();
      const env = join(dir, 'uboot.env');
      writeFileSync(env, corrupt(mkenvimage(ENV, { size: 0x2000 }), 30));
      const r = runCli(['scan', 'config', env]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(
        r.stdout,
        /uboot\.env: uboot \(format binary environment, 8192 bytes \(single copy\), variables 4, crc stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}: mismatch/,
      );
      assert.match(r.stdout, /^not read: .*uboot\.env: CRC-32: .*U-Boot rejects this copy/m);
      assert.match(r.stdout, /^FAIL high {5}config\/uboot\/autoboot-interruptible .*uboot\.env:1: bootdelay=2: /m);
    });
  },
);

const BOOT_CMD = `# boot.cmd: mkimage -A arm -T script -C none -d boot.cmd boot.scr
setenv console ttyS0,115200
setenv bootargs "console=\${console} root=/dev/mmcblk0p2 rootwait"
load mmc 0:1 \${kernel_addr_r} zImage
bootz \${kernel_addr_r} - \${fdt_addr_r}
`;

describe('baseline scan config on a boot script', { skip: mkimageScriptTool ? false : 'mkimage (u-boot-tools) not installed' }, () => {
  it('boot.scr --json: findings at the script line, CRCs in the summary', () => {
    const dir = tempDir();
    const scr = join(dir, 'boot.scr');
    writeFileSync(scr, mkimageScript(BOOT_CMD));
    const r = runCli(['scan', 'config', scr, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.format, 'baseline-findings/1');
    const find = (check: string) => json.findings.find((f: { check: string }) => f.check === check);
    const serial = find('config/linux-cmdline/serial-console');
    assert.equal(serial.result, 'fail');
    assert.deepEqual(serial.location, { path: scr, line: 3 });
    assert.equal(serial.evidence, 'console=ttyS0,115200');
    assert.equal(
      serial.message,
      'bootargs as the script sets it (line 3), with text from line 2: `console=ttyS0,115200` is on the kernel command line',
    );
    assert.equal(find('config/uboot/network-boot').result, 'pass');
    assert.equal(find('config/uboot/autoboot-interruptible').result, 'not-applicable');
    assert.deepEqual(json.incomplete, []);

    const text = runCli(['scan', 'config', scr]);
    assert.match(
      text.stdout,
      /boot\.scr: uboot \(format compiled boot script \(uImage type script, arm, \d+ bytes of data\), lines 5, header crc 0x[0-9a-f]{8}, valid, data crc 0x[0-9a-f]{8}, valid, kernel command line set at line 3\)/,
    );
    assert.match(text.stdout, /^FAIL medium {3}config\/linux-cmdline\/serial-console .*boot\.scr:3: bootargs as the script sets it/m);
  });

  it('boot.cmd is told by content, and a corrupted boot.scr is reported, not refused', () => {
    const dir = tempDir();
    const cmd = join(dir, 'boot.cmd');
    writeFileSync(cmd, BOOT_CMD);
    const scr = join(dir, 'boot.scr');
    const image = mkimageScript(BOOT_CMD);
    writeFileSync(scr, corrupt(image, image.length - 3));
    const r = runCli(['scan', 'config', cmd, scr]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /boot\.cmd: uboot \(format boot script text \(boot\.cmd\), lines 5/);
    assert.match(r.stdout, /boot\.scr: uboot \(.*data crc 0x[0-9a-f]{8}: mismatch/);
    assert.match(r.stdout, /^not read: .*boot\.scr: data CRC mismatch: .*\("Bad data crc"\)/m);
  });
});

describe('baseline scan config on a text environment', () => {
  it('tells a uEnv.txt by content and exits 0 when nothing fails', () => {
    const dir = tempDir();
    const path = join(dir, 'uEnv.txt');
    writeFileSync(
      path,
      'bootargs=console=tty1 root=/dev/mmcblk0p2 rootwait module.sig_enforce=1 lockdown=integrity debugfs=off slab_nomerge page_alloc.shuffle=1\n',
    );
    const r = runCli(['scan', 'config', path]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /uEnv\.txt: uboot \(format text environment/);
  });

  it('--kind uboot on something else is a one-line input error, exit 2', () => {
    const dir = tempDir();
    const path = join(dir, 'blob.bin');
    writeFileSync(path, new Uint8Array(4096).fill(0x5a).fill(0, 10, 20));
    const r = runCli(['scan', 'config', path, '--kind', 'uboot']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `baseline: ${path}: no U-Boot environment CRC matches and the data is not a list of name=value entries\n`);
  });
});

describe('baseline rules --kind uboot', () => {
  it('lists the U-Boot rules with their source', () => {
    const r = runCli(['rules', '--kind', 'uboot', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rules = JSON.parse(r.stdout) as Array<{ kind: string; id: string; source: string; provisions: string[] }>;
    assert.deepEqual(
      rules.map((x) => x.id),
      ['config/uboot/autoboot-interruptible', 'config/uboot/image-verify', 'config/uboot/network-boot', 'config/uboot/kernel-cmdline'],
    );
    assert.ok(rules.every((x) => x.kind === 'uboot' && /U-Boot/.test(x.source)));
    const table = runCli(['rules', '--kind', 'uboot']);
    assert.match(table.stdout, /config\/uboot\/autoboot-interruptible +bootdelay, bootstopkey/);
  });
});
