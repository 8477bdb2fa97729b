// The U-Boot rule data: it loads, cites real provisions and U-Boot's documentation, lists every rule, and
// every rule is tested.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadEtsiCatalog } from '../../../../src/catalog/load.ts';
import { ubootKind } from '../../../../src/scan/config/uboot/index.ts';
import { loadUbootRules, UBOOT_RULES_PATH, ubootRuleFileSchema } from '../../../../src/scan/config/uboot/uboot-rules.ts';
import { loadRuleFile } from '../../../../src/scan/config/linux/rule-files.ts';

describe('the U-Boot environment rules', () => {
  const { rules, roots } = loadUbootRules();

  it('cite provisions that exist in EN 303 645 V2.1.1', () => {
    const catalog = loadEtsiCatalog('2.1.1');
    for (const rule of rules) for (const p of rule.provisions) assert.ok(catalog.byId.has(p), `${rule.id}: ${p}`);
  });

  it("cite U-Boot's documentation or sources", () => {
    for (const rule of rules) assert.match(rule.source, /U-Boot .*(doc\/|README|\.c\b)/, rule.id);
  });

  it('start the boot path where U-Boot runs commands by itself', () => {
    assert.deepEqual(roots, ['preboot', 'bootcmd', 'altbootcmd', 'uenvcmd']);
  });

  it('are all listed by baseline rules --kind uboot', () => {
    const listed = ubootKind.rules();
    assert.equal(listed.length, rules.length);
    for (const r of listed) {
      assert.equal(r.kind, 'uboot');
      assert.match(r.id, /^config\/uboot\/[a-z0-9-]+$/);
    }
  });

  it('refuse a duplicated id with file and line', () => {
    const text = readFileSync(UBOOT_RULES_PATH, 'utf8').replace('id: image-verify', 'id: autoboot-interruptible');
    assert.throws(() => loadRuleFile(ubootRuleFileSchema, 'uboot-env.yaml', text), {
      name: 'InputError',
      message: /uboot-env\.yaml:\d+:\d+: .*used twice/,
    });
  });

  it('each have cases in the tests', () => {
    const tests = readdirSync(new URL('.', import.meta.url))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
      .join('\n');
    for (const rule of rules)
      assert.ok(tests.includes(`'config/uboot/${rule.id}'`), `no configRuleTester cases for config/uboot/${rule.id}`);
  });
});
