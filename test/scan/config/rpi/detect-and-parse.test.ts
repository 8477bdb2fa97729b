// Recognising config.txt and EEPROM configs (and leaving cmdline.txt to the Linux kind), parsing
// config.txt syntax, and surviving hostile input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../../src/io/input-error.ts';
import { parseConfigTxt, settingsFor } from '../../../../src/scan/config/rpi/config-txt-parser.ts';
import { bootModes, isEepromConfig } from '../../../../src/scan/config/rpi/eeprom-config.ts';
import { rpiKind } from '../../../../src/scan/config/rpi/index.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const file = (text: string, path = 'config.txt') => configFileFrom(path, new TextEncoder().encode(text));
const fixture = (path: string) => readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url), 'utf8');

describe('detecting Raspberry Pi configs', () => {
  it('is sure of config.txt files and EEPROM configs', () => {
    for (const name of [
      'bookworm-config.txt',
      'product-config.txt',
      'product-eeprom.conf',
      'pi5-eeprom.conf',
      'secure-boot-recovery-config.txt',
    ]) {
      assert.ok(rpiKind.detect(file(fixture(`rpi/${name}`))) >= 0.8, name);
    }
    assert.ok(rpiKind.detect(file('enable_uart=1\n')) >= 0.5);
  });
  it('scores a kernel command line low: cmdline.txt is the Linux kind’s', () => {
    assert.ok(rpiKind.detect(file(fixture('rpi/cmdline.txt'))) < 0.2);
    assert.ok(rpiKind.detect(file('console=serial0,115200 console=tty1 root=/dev/mmcblk0p2 rootwait\n')) < 0.2);
  });
  it('scores Kconfig files and other text zero or low', () => {
    assert.equal(rpiKind.detect(file(fixture('zephyr/prj.conf'))), 0);
    assert.equal(rpiKind.detect(file('')), 0);
    assert.equal(rpiKind.detect(file('enable_uart=1\u0000')), 0);
    assert.ok(rpiKind.detect(file('[section]\nname=value\nother=thing\n')) < 0.5);
  });
  it('tells the EEPROM config from config.txt', () => {
    assert.equal(isEepromConfig(fixture('rpi/product-eeprom.conf')), true);
    assert.equal(isEepromConfig(fixture('rpi/bookworm-config.txt')), false);
    assert.equal(isEepromConfig('[all]\nBOOT_UART=1\n[config.txt]\nenable_uart=1\ndtoverlay=uart2\narm_64bit=1\n'), true);
  });
});

describe('config.txt syntax', () => {
  it('reads key=value, sections, include and initramfs, and skips comments', () => {
    const config = parseConfigTxt('c', '# comment\nenable_uart=1\n[cm4]\ninitramfs initrd.img followkernel\ninclude extra.txt\n');
    assert.deepEqual(
      config.settings.map((s) => [s.key, s.value, s.line]),
      [
        ['enable_uart', '1', 2],
        ['initramfs', 'initrd.img followkernel', 4],
      ],
    );
    assert.deepEqual(
      config.includes.map((s) => [s.value, s.line]),
      [['extra.txt', 5]],
    );
    assert.deepEqual(config.sections, [{ line: 3, text: 'cm4' }]);
  });
  it('splits dtparam lines into one setting per parameter; a bare name means on', () => {
    const config = parseConfigTxt('c', 'dtparam=audio=on,i2c_arm,spi=off\n');
    assert.deepEqual(
      config.settings.map((s) => [s.key, s.value]),
      [
        ['dtparam:audio', 'on'],
        ['dtparam:i2c_arm', 'on'],
        ['dtparam:spi', 'off'],
      ],
    );
  });
  it('cuts config.txt lines at the firmware’s 98-character limit when asked', () => {
    const long = `dtoverlay=${'x'.repeat(120)}`;
    assert.equal(settingsFor(parseConfigTxt('c', long, { lineLimit: 98 }), `dtoverlay:${'x'.repeat(88)}`).length, 1);
  });
  it('counts lines that are not settings', () => {
    assert.equal(parseConfigTxt('c', 'just words\n=value\nok=1\n').unparsed, 2);
  });
  it('reads boot orders right to left, up to restart or stop', () => {
    assert.deepEqual(bootModes('0xf41'), ['1', '4', 'f']);
    assert.deepEqual(bootModes('0x4f1'), ['1', 'f']);
    assert.equal(bootModes('41'), undefined);
  });
  it('refuses binary data with a one-line input error', () => {
    assert.throws(
      () => rpiKind.scan(file('enable_uart=1\n\u0000\u0007'), {}),
      (e: unknown) => e instanceof InputError && !e.message.includes('\n'),
    );
  });
});

describe('fuzzing the Raspberry Pi kind', () => {
  const lineish = fc.oneof(
    fc.constantFrom(
      '[all]',
      '[none]',
      '[cm4]',
      '[gpio4=1]',
      '[config.txt]',
      '[',
      ']',
      'dtoverlay=',
      'dtoverlay=dwc2',
      'dtparam=',
      'dtparam==,=,',
      'dtparam=dr_mode=host',
      'enable_uart=1',
      'BOOT_ORDER=0xzz',
      'BOOT_ORDER=0x',
      'include',
      'include x',
      'initramfs a b',
      'SIGNED_BOOT=1',
      'HTTP_HOST=h',
      'program_pubkey=1',
      '=',
      '#',
    ),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 120 }),
  );

  function scanOrInputError(text: string): void {
    const f = file(text);
    const score = rpiKind.detect(f);
    assert.ok(score >= 0 && score <= 1);
    try {
      rpiKind.scan(f, {});
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      assert.equal(error.message.includes('\n'), false);
    }
  }

  it('answers arbitrary text with findings or a one-line input error', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 500 }), scanOrInputError), { numRuns: RUNS });
  });

  it('answers config.txt-like text with findings or a one-line input error', () => {
    fc.assert(
      fc.property(fc.array(lineish, { maxLength: 40 }), fc.constantFrom('\n', '\r\n', '\r'), (lines, eol) =>
        scanOrInputError(lines.join(eol)),
      ),
      { numRuns: RUNS },
    );
  });

  it('stays fast on long lines and many sections', () => {
    const started = Date.now();
    scanOrInputError(`dtparam=${'a=b,'.repeat(100_000)}\n[${'['.repeat(100_000)}\n${'x'.repeat(300_000)}=1`);
    scanOrInputError('[cm4]\nenable_uart=1\n[all]\nenable_uart=0\n'.repeat(5_000));
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});
