// The rule tables themselves: they load, name real EN 303 645 V2.1.1 provisions, carry a rationale
// and a source per row, and are all listed by `baseline rules`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEtsiCatalog } from '../../../../src/catalog/load.ts';
import { InputError } from '../../../../src/io/input-error.ts';
import { loadCmdlineRules } from '../../../../src/scan/config/linux/cmdline-rules.ts';
import { linuxKind } from '../../../../src/scan/config/linux/index.ts';
import { kconfigRuleFileSchema, loadKconfigRules } from '../../../../src/scan/config/linux/kconfig-rules.ts';
import { loadRuleFile } from '../../../../src/scan/config/linux/rule-files.ts';
import { loadSysctlRules } from '../../../../src/scan/config/linux/sysctl-rules.ts';

describe('Linux rule data', () => {
  const all = [...loadKconfigRules(), ...loadCmdlineRules(), ...loadSysctlRules()];

  it('has the expected number of rules', () => {
    assert.ok(loadKconfigRules().length >= 50, `${loadKconfigRules().length} kconfig rules`);
    assert.ok(loadCmdlineRules().length >= 20);
    assert.ok(loadSysctlRules().length >= 15);
  });

  it('names only provisions that exist in EN 303 645 V2.1.1', () => {
    const catalog = loadEtsiCatalog('2.1.1');
    for (const rule of all) for (const p of rule.provisions) assert.ok(catalog.byId.has(p), `${rule.id}: ${p}`);
  });

  it('gives every rule a source with a project or document and a rationale of its own', () => {
    for (const rule of all) {
      assert.ok(rule.source.length >= 10, rule.id);
      assert.ok(rule.rationale.length >= 40, rule.id);
    }
  });

  it('lists every rule for `baseline rules`, with unique ids', () => {
    const listed = linuxKind.rules();
    assert.equal(listed.length, all.length);
    assert.equal(new Set(listed.map((r) => r.id)).size, listed.length);
    assert.ok(listed.every((r) => r.kind === 'linux' && r.setting && r.expected));
    const kgdb = listed.find((r) => r.id === 'config/linux/kgdb-off');
    assert.equal(kgdb?.setting, 'CONFIG_KGDB');
    assert.equal(kgdb?.expected, 'is not set');
    assert.equal(
      listed.find((r) => r.id === 'config/linux/randomize-base')?.expected,
      'y (x86_64/arm64/riscv; since 3.14 on x86_64, 4.6 on arm64, 6.6 on riscv)',
    );
    assert.equal(listed.find((r) => r.id === 'config/linux/devkmem-off')?.expected, 'is not set (before 5.13)');
    assert.equal(listed.find((r) => r.id === 'config/linux-sysctl/kptr-restrict')?.setting, 'kernel.kptr_restrict');
    assert.equal(listed.find((r) => r.id === 'config/linux-cmdline/slab-nomerge')?.setting, 'slab_nomerge, slub_nomerge');
  });

  it('rejects broken data with the file and line', () => {
    const load = (text: string) => loadRuleFile(kconfigRuleFileSchema, 'bad.yaml', text);
    const row = (extra: string) =>
      `rules:\n  - id: x\n    option: CONFIG_X\n    expected: y\n    title: Title\n    rationale: A reason that is long enough.\n    source: KSPP\n    provisions: [5.6-8]\n    severity: low\n${extra}`;
    assert.throws(
      () => load(row('    since: 4.10\n')),
      (e) => e instanceof InputError && /bad\.yaml:10:.*since/.test(e.message),
    );
    assert.throws(
      () => load(row('    since: "5.0"\n    until: "4.18"\n')),
      (e) => e instanceof InputError && /until must be later than since/.test(e.message),
    );
    assert.throws(
      () => load(row('    arch: [arm64]\n    since: { x86_64: "4.0" }\n')),
      (e) => e instanceof InputError && /not in the rule's arch list/.test(e.message),
    );
    assert.throws(
      () => load(`${row('')}${row('').replace('rules:\n', '')}`),
      (e) => e instanceof InputError && /"x" is used twice/.test(e.message),
    );
    assert.throws(
      () => load(row('    colour: red\n')),
      (e) => e instanceof InputError && /unknown field "colour"/.test(e.message),
    );
  });
});
