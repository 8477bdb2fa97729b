// `baseline scan config` and `baseline rules` as a user runs them, and their results read by `assess`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { conformantProductData, tempDir, writeProduct } from '../helpers/product.ts';

const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url).pathname;

describe('baseline scan config', () => {
  it("tells each file's kind by content and prints a summary", () => {
    const r = runCli([
      'scan',
      'config',
      fixture('rpi/product-config.txt'),
      fixture('rpi/cmdline.txt'),
      fixture('zephyr/nrf52840-sensor.config'),
    ]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /product-config\.txt: rpi /);
    assert.match(r.stdout, /cmdline\.txt: linux /);
    assert.match(r.stdout, /nrf52840-sensor\.config: zephyr/);
    assert.match(r.stdout, /^FAIL medium {3}config\/linux-cmdline\/serial-console .*console=serial0,115200.* \[5\.6-4\]$/m);
  });

  it('writes the shared findings format that assess reads', () => {
    const dir = tempDir();
    const results = join(dir, 'mcuboot.json');
    const r = runCli(['scan', 'config', fixture('mcuboot/app-ec256-samplekey.signed.bin'), '--json', '--out', results]);
    assert.equal(r.status, 1, r.stderr);
    const json = JSON.parse(readFileSync(results, 'utf8'));
    assert.equal(json.format, 'baseline-findings/1');
    const sample = json.findings.find((f: { check: string }) => f.check === 'config/mcuboot/sample-key');
    assert.equal(sample.result, 'fail');
    assert.deepEqual(sample.provisions, ['5.3-7', '5.7-1']);

    const a = runCli(['assess', writeProduct(conformantProductData(), dir), '--evidence', results, '--json']);
    assert.equal(a.status, 1);
    const verdicts = JSON.parse(a.stdout).provisions;
    const p537 = verdicts.find((p: { id: string }) => p.id === '5.3-7');
    assert.equal(p537.verdict, 'FAIL');
    assert.ok(p537.reasons.some((reason: string) => /config\/mcuboot\/sample-key/.test(reason)));
  });

  it('verifies an MCUboot signature with --key and exits 0 when nothing fails', () => {
    const r = runCli(['scan', 'config', fixture('mcuboot/app-ed25519.signed.bin'), '--key', fixture('mcuboot/own-ed25519.pub.pem')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^OK .*config\/mcuboot\/signature /m);
  });

  it('writes SARIF 2.1.0 with one result per failing finding', () => {
    const r = runCli([
      'scan',
      'config',
      fixture('mcuboot/app-ed25519-tampered.signed.bin'),
      '--sarif',
      '--key',
      fixture('mcuboot/own-ed25519.pub.pem'),
    ]);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'config/mcuboot/image-hash'));
  });

  it('--fail-on critical ignores lesser failures', () => {
    const r = runCli(['scan', 'config', fixture('rpi/cmdline.txt'), '--fail-on', 'critical']);
    assert.equal(r.status, 0);
  });

  it('names a file it cannot classify, in one line, exit 2', () => {
    const dir = tempDir();
    const path = writeProduct('just some notes\n', dir, 'notes.txt');
    const r = runCli(['scan', 'config', path]);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      `baseline: ${path}: cannot tell what kind of configuration this is; pass --kind mcuboot|linux|zephyr|rpi|uboot\n`,
    );
  });

  it('--kind mcuboot on something else is an input error', () => {
    const r = runCli(['scan', 'config', fixture('rpi/cmdline.txt'), '--kind', 'mcuboot']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^baseline: .*cmdline\.txt: /);
  });
});

describe('baseline rules', () => {
  it("--json names every rule's option or setting, with rationale and source", () => {
    const r = runCli(['rules', '--json']);
    assert.equal(r.status, 0);
    const rules = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const kinds = new Set(rules.map((x) => x.kind));
    for (const kind of ['linux', 'zephyr', 'rpi', 'mcuboot'])
      assert.ok(
        [...kinds].some((k) => String(k).startsWith(kind)),
        kind,
      );
    for (const rule of rules) {
      for (const field of ['id', 'setting', 'expected', 'rationale', 'source'])
        assert.ok(String(rule[field] ?? '').length > 0, `${rule.id} lacks ${field}`);
      assert.ok(Array.isArray(rule.provisions) && rule.provisions.length > 0);
    }
    assert.ok(rules.some((x) => x.setting === 'CONFIG_STACKPROTECTOR_STRONG'));
    assert.ok(rules.some((x) => String(x.setting).startsWith('enable_uart')));
  });

  it('--kind filters', () => {
    const r = runCli(['rules', '--kind', 'zephyr', '--json']);
    assert.ok(JSON.parse(r.stdout).every((x: { kind: string }) => x.kind === 'zephyr'));
  });
});
