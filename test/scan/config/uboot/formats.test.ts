// U-Boot environments in every stored form, made by U-Boot's own mkenvimage and read back by fw_printenv:
// single and redundant, little- and big-endian CRC, 0xff and 0x00 padding, a corrupted CRC, a redundant pair
// dumped together; and the text forms (u-boot-initial-env, uEnv.txt, mkenvimage input).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFileFrom, detectKind } from '../../../../src/scan/config/scan-config.ts';
import { locateBinary, readBinary, readText } from '../../../../src/scan/config/uboot/environment.ts';
import { readEnvironment, ubootKind } from '../../../../src/scan/config/uboot/index.ts';
import { corrupt, fwPrintenv, fwPrintenvTool, mkenvimage, mkenvimageTool } from '../../../helpers/make-uboot-env.ts';

const ENV = [
  'arch=arm',
  'baudrate=115200',
  'bootdelay=3',
  'console=ttyS0',
  'bootargs=console=${console},${baudrate} root=/dev/mmcblk0p2 rootwait',
  'bootcmd=run loadimage; bootz ${loadaddr} - ${fdt_addr_r}',
  'loadimage=load mmc 0:1 ${loadaddr} zImage',
  'script=echo one\\',
  'echo two',
  'loadaddr=0x82000000',
  '',
].join('\n');

const bin = (bytes: Uint8Array, path = 'uboot.env') => configFileFrom(path, bytes);
const text = (t: string, path = 'env.txt') => configFileFrom(path, new TextEncoder().encode(t));

/** fw_printenv's output (sorted by name, one name=value, values with newlines spanning lines) as a map. */
function printed(output: string, names: string[]): Map<string, string> {
  const map = new Map<string, string>();
  let current: string | undefined;
  for (const line of output.replace(/\n$/, '').split('\n')) {
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq) : '';
    if (names.includes(name) && !(current && map.get(current)?.endsWith('\\'))) {
      current = name;
      map.set(name, line.slice(eq + 1));
    } else if (current) map.set(current, `${map.get(current)}\n${line}`);
  }
  return map;
}

describe('binary environments made by mkenvimage', { skip: mkenvimageTool ? false : 'mkenvimage (u-boot-tools) not installed' }, () => {
  for (const variant of [
    { name: 'a single copy of 16 KiB', options: { size: 0x4000 }, format: 'binary' },
    { name: 'an 8 KiB single copy with a big-endian CRC', options: { size: 0x2000, bigEndian: true }, format: 'binary' },
    { name: 'a 64 KiB redundant variant', options: { size: 0x10000, redundant: true }, format: 'binary-redundant' },
    {
      name: 'a redundant variant, big-endian, padded with 0x00',
      options: { size: 0x1000, redundant: true, bigEndian: true, pad: 0 },
      format: 'binary-redundant',
    },
    { name: 'an odd size (0x3000)', options: { size: 0x3000 }, format: 'binary' },
  ] as const) {
    it(`reads ${variant.name} with its CRC checked`, () => {
      const image = mkenvimage(ENV, variant.options);
      const file = bin(image);
      assert.equal(detectKind(file).name, 'uboot');
      const env = readEnvironment(file);
      assert.equal(env.format, variant.format);
      assert.equal(env.layout?.crcValid, true);
      assert.equal(env.layout?.endian, 'bigEndian' in variant.options ? 'big' : 'little');
      if (variant.format === 'binary-redundant') assert.equal(env.layout?.flags, 1);
      assert.equal(env.variables.get('bootdelay')?.value, '3');
      assert.equal(env.variables.get('script')?.value, 'echo one\necho two');
      // Lines count entries as the text form shows them: script spans two.
      assert.equal(env.variables.get('loadaddr')?.line, 10);
      const scan = ubootKind.scan(file, {});
      assert.deepEqual(scan.incomplete, []);
      assert.match(scan.facts.crc ?? '', /valid/);
    });
  }

  it('agrees with fw_printenv on every variable', { skip: fwPrintenvTool ? false : 'fw_printenv (libubootenv-tool) not installed' }, () => {
    for (const redundant of [false, true]) {
      const size = 0x4000;
      const image = mkenvimage(ENV, { size, redundant });
      // libubootenv takes an environment as redundant when its config names two copies.
      const output = fwPrintenv(redundant ? new Uint8Array([...image, ...image]) : image, size, redundant ? 2 : 1);
      assert.ok(output, 'fw_printenv could not read the image');
      const env = readBinary(redundant ? new Uint8Array([...image, ...image]) : image);
      const theirs = printed(output, [...env.variables.keys()]);
      assert.deepEqual(new Map([...env.variables].map(([k, v]) => [k, v.value])), theirs);
    }
  });

  it('still reads an environment whose CRC does not match, and says U-Boot would not use it', () => {
    for (const redundant of [false, true]) {
      const image = corrupt(mkenvimage(ENV, { size: 0x2000, redundant }), 40);
      const file = bin(image);
      assert.equal(detectKind(file).name, 'uboot');
      const scan = ubootKind.scan(file, {});
      assert.match(scan.facts.format ?? '', redundant ? /redundant variant/ : /single copy/);
      assert.match(scan.facts.crc ?? '', /mismatch/);
      assert.equal(scan.incomplete.length, 1);
      assert.match(scan.incomplete[0]?.reason ?? '', /U-Boot rejects this copy and boots with its built-in default environment/);
      assert.ok(scan.findings.some((f) => f.check === 'config/uboot/autoboot-interruptible' && f.result === 'fail'));
    }
  });

  it('finds the environment at the start of a larger env partition dump', () => {
    const image = mkenvimage(ENV, { size: 0x2000 });
    const partition = new Uint8Array(0x20000).fill(0xff);
    partition.set(image);
    assert.equal(locateBinary(partition)?.size, 0x2000);
    assert.equal(readEnvironment(bin(partition)).variables.get('console')?.value, 'ttyS0');
  });

  it('picks the newer copy of a redundant pair, as U-Boot does', () => {
    const older = mkenvimage('bootdelay=5\nbootcmd=boot\n', { size: 0x1000, redundant: true });
    const newer = mkenvimage('bootdelay=-2\nbootcmd=boot\n', { size: 0x1000, redundant: true });
    newer[4] = 2; // the flag of the copy written last
    // The flag is outside the CRC, so the copy stays valid.
    const env = readBinary(new Uint8Array([...older, ...newer]));
    assert.equal(env.variables.get('bootdelay')?.value, '-2');
    assert.equal(env.otherCopy?.offset, 0);
    const scan = ubootKind.scan(bin(new Uint8Array([...older, ...newer])), {});
    assert.match(scan.facts.redundant ?? '', /uses the one at 0x1000/);
  });

  it('takes an empty value as deleting the variable, as env import does', () => {
    const env = readBinary(mkenvimage('verify=no\nbootcmd=boot\nverify=\n', { size: 0x1000 }));
    assert.equal(env.variables.has('verify'), false);
  });
});

describe('text environments', () => {
  it('reads u-boot-initial-env and mkenvimage input: comments, blank lines, continued values', () => {
    const env = readText(ENV.replace('arch=arm', '# generated\n\narch=arm'));
    assert.equal(env.variables.get('arch')?.line, 3);
    assert.equal(env.variables.get('script')?.value, 'echo one\necho two');
    assert.equal(env.variables.get('loadaddr')?.line, 12);
    assert.deepEqual(env.unreadable, []);
  });

  it('reads a uEnv.txt as imported over the built-in environment', () => {
    const file = text(
      '# board overrides\n  optargs=quiet\nuenvcmd=run loadimage; run mmcboot\nbootargs=console=ttyO0,115200n8 ${optargs}\r\n',
      '/boot/uEnv.txt',
    );
    assert.equal(detectKind(file).name, 'uboot');
    const scan = ubootKind.scan(file, {});
    assert.match(scan.facts.imported ?? '', /built-in environment/);
    const delay = scan.findings.find((f) => f.check === 'config/uboot/autoboot-interruptible');
    assert.equal(delay?.result, 'info');
    assert.match(delay?.message ?? '', /not set in this file/);
    const serial = scan.findings.find((f) => f.check === 'config/linux-cmdline/serial-console');
    assert.equal(serial?.result, 'fail');
    assert.deepEqual(serial?.location, { path: '/boot/uEnv.txt', line: 4 });
  });

  it('names the lines that are not name=value', () => {
    const scan = ubootKind.scan(text('bootcmd=boot\nbootdelay=2\nnot a setting\n'), {});
    assert.deepEqual(scan.incomplete, [{ part: 'env.txt: 1 line', reason: 'not in name=value form or too long, not read: line 3' }]);
  });

  it('is told apart from the other kinds by content', () => {
    const cases: Array<[string, string]> = [
      ['bootargs=console=ttyS0,115200 root=/dev/mmcblk0p2 rootwait\n', 'uboot'],
      ['bootcmd=run distro_bootcmd\nbootdelay=2\n', 'uboot'],
      ['baudrate=115200\nloadaddr=0x1000000\nfdtfile=am335x-boneblack.dtb\n', 'uboot'],
      ['console=ttyS0,115200 root=/dev/mmcblk0p2 rootwait\n', 'linux'],
      ['enable_uart=1\ndtoverlay=disable-bt\narm_64bit=1\n', 'rpi'],
      ['kernel.kptr_restrict = 2\nnet.ipv4.tcp_syncookies = 1\n', 'linux'],
      ['# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_ARM64=y\nCONFIG_CMDLINE="bootdelay=2"\n', 'linux'],
    ];
    for (const [content, kind] of cases) assert.equal(detectKind(text(content)).name, kind, content);
  });

  it('refuses input that is not an environment with a one-line InputError', () => {
    assert.throws(() => ubootKind.scan(text('just some notes\n', 'notes.txt'), {}), {
      name: 'InputError',
      message: 'notes.txt: no U-Boot environment variables (name=value lines) found, nor a boot script (setenv, load, bootz… commands)',
    });
    assert.throws(() => ubootKind.scan(bin(new Uint8Array(4096).fill(7).fill(0, 100, 200), 'blob.bin'), {}), {
      name: 'InputError',
      message: /^blob\.bin: no U-Boot environment CRC matches/,
    });
  });
});
