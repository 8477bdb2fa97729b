// Kconfig syntax as Zephyr writes and reads it, and hostile input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../../src/io/input-error.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { zephyrKind } from '../../../../src/scan/config/zephyr/index.ts';
import { MAX_KCONFIG_LINE_CHARS, parseKconfig, unquote } from '../../../../src/scan/config/zephyr/kconfig-parser.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('Kconfig parsing', () => {
  it('reads y, n, not set, strings, decimals and hex, with the line of each', () => {
    const file = parseKconfig(
      'x',
      [
        'CONFIG_A=y',
        '# CONFIG_B is not set',
        'CONFIG_C=n',
        'CONFIG_D="a \\"quoted\\" \\\\ path"',
        'CONFIG_E=-42',
        'CONFIG_F=0x1F',
        'SB_CONFIG_G=m',
      ].join('\n'),
    );
    const e = (n: string) => file.entries.get(n);
    assert.equal(e('CONFIG_A')?.enabled, true);
    assert.equal(e('CONFIG_B')?.enabled, false);
    assert.equal(e('CONFIG_B')?.line, 2);
    assert.equal(e('CONFIG_C')?.enabled, false);
    assert.equal(e('CONFIG_D')?.string, 'a "quoted" \\ path');
    assert.equal(e('CONFIG_E')?.number, -42);
    assert.equal(e('CONFIG_F')?.number, 31);
    assert.equal(e('SB_CONFIG_G')?.enabled, true);
  });

  it('keeps the last assignment, as merging fragments does', () => {
    const file = parseKconfig('x', 'CONFIG_SHELL=y\n# comment\nCONFIG_SHELL=n\n');
    assert.equal(file.entries.get('CONFIG_SHELL')?.enabled, false);
    assert.equal(file.entries.get('CONFIG_SHELL')?.line, 3);
  });

  it('reads CRLF and CR line ends and spaces around =', () => {
    const file = parseKconfig('x', 'CONFIG_A=y\r\nCONFIG_B = 3\rCONFIG_C=y');
    assert.equal(file.entries.get('CONFIG_B')?.number, 3);
    assert.equal(file.entries.get('CONFIG_B')?.line, 2);
    assert.equal(file.entries.get('CONFIG_C')?.line, 3);
  });

  it('counts lines that are not Kconfig rather than guessing', () => {
    const file = parseKconfig('x', 'CONFIG_A=y\nsome text\nexport X=1\n');
    assert.equal(file.unparsed, 2);
    assert.equal(file.entries.size, 1);
  });

  it('leaves an unterminated string unparsed as a string', () => {
    assert.equal(unquote('"abc'), undefined);
    assert.equal(parseKconfig('x', 'CONFIG_A="abc\n').entries.get('CONFIG_A')?.string, undefined);
  });

  it('cuts an overlong line and says so', () => {
    const file = parseKconfig('x', `CONFIG_A="${'a'.repeat(MAX_KCONFIG_LINE_CHARS * 2)}"\nCONFIG_B=y\n`);
    assert.equal(file.incomplete.length, 1);
    assert.match(file.incomplete[0]?.reason ?? '', /longer than/);
    assert.equal(file.entries.get('CONFIG_B')?.enabled, true);
  });

  it('refuses binary data with a one-line input error', () => {
    assert.throws(
      () => parseKconfig('zephyr.bin', 'CONFIG_A=y\u0000\u0001'),
      (e: unknown) => e instanceof InputError && !e.message.includes('\n'),
    );
  });
});

describe('fuzzing the Zephyr kind', () => {
  const kconfigish = fc.array(
    fc.oneof(
      fc.constantFrom(
        'CONFIG_SHELL=y',
        '# CONFIG_X is not set',
        'CONFIG_LOG_DEFAULT_LEVEL=4',
        'SB_CONFIG_BOOT_SIGNATURE_KEY_FILE="',
        '#',
        '\r',
        '""',
        '=',
        'CONFIG_=',
        'CONFIG_EXPERIMENTAL=y',
      ),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 200 }).map((s) => `CONFIG_${s}`),
    ),
    { maxLength: 40 },
  );

  function scanOrInputError(text: string): void {
    const file = configFileFrom('fuzz.conf', new TextEncoder().encode(text));
    const score = zephyrKind.detect(file);
    assert.ok(score >= 0 && score <= 1);
    try {
      zephyrKind.scan(file, {});
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      assert.equal(error.message.includes('\n'), false);
    }
  }

  it('answers arbitrary text with findings or a one-line input error', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 500 }), scanOrInputError), { numRuns: RUNS });
  });

  it('answers Kconfig-like text with findings or a one-line input error', () => {
    fc.assert(
      fc.property(kconfigish, (lines) => scanOrInputError(lines.join(fc.sample(fc.constantFrom('\n', '\r\n', '\r'), 1)[0]))),
      { numRuns: RUNS },
    );
  });

  it('stays linear on long hostile lines', () => {
    const started = Date.now();
    const hostile = [
      `CONFIG_${'A_'.repeat(100_000)}`,
      `CONFIG_A="${'\\"'.repeat(100_000)}`,
      `# CONFIG_${'X '.repeat(100_000)} is not set`,
      ' '.repeat(200_000) + '=',
    ].join('\n');
    scanOrInputError(hostile);
    scanOrInputError('CONFIG_A=y\n'.repeat(50_000));
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });
});
