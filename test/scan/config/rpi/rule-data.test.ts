// The Raspberry Pi rule data: it loads, cites real provisions, lists every rule, and every rule is tested.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadEtsiCatalog } from '../../../../src/catalog/load.ts';
import { rpiKind } from '../../../../src/scan/config/rpi/index.ts';
import { rpiRules } from '../../../../src/scan/config/rpi/rpi-rules.ts';

describe('the Raspberry Pi rules', () => {
  const all = [
    ...rpiRules('rpi').map((r) => ({ set: 'rpi', rule: r })),
    ...rpiRules('rpi-eeprom').map((r) => ({ set: 'rpi-eeprom', rule: r })),
  ];

  it('cite provisions that exist in EN 303 645 V2.1.1', () => {
    const catalog = loadEtsiCatalog('2.1.1');
    for (const { rule } of all) for (const p of rule.provisions) assert.ok(catalog.byId.has(p), `${rule.id}: ${p}`);
  });

  it('cite Raspberry Pi documentation or tools as their source', () => {
    for (const { rule } of all) assert.match(rule.source, /Raspberry Pi|usbboot/, rule.id);
  });

  it('are all listed, config.txt and EEPROM alike', () => {
    const listed = rpiKind.rules();
    assert.equal(listed.length, all.length);
    for (const r of listed) {
      assert.equal(r.kind, 'rpi');
      assert.match(r.id, /^config\/rpi(-eeprom)?\/[a-z0-9-]+$/);
    }
  });

  it('each have passing and failing cases in the tests', () => {
    const tests = readdirSync(new URL('.', import.meta.url))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
      .join('\n');
    for (const { set, rule } of all)
      assert.ok(tests.includes(`'config/${set}/${rule.id}'`), `no configRuleTester cases for config/${set}/${rule.id}`);
  });
});
