// Every symbol row of catalog/rules/zephyr-kconfig.yaml, tested from its own data: a value that meets
// the row passes, a value that breaks it fails, in a fragment and in a full .config.
import type { SymbolRule } from '../../../../src/scan/config/zephyr/hardening-rules.ts';
import { zephyrRules } from '../../../../src/scan/config/zephyr/hardening-rules.ts';
import { zephyrKind } from '../../../../src/scan/config/zephyr/index.ts';
import { configRuleTester, type RuleCase } from '../../../helpers/config-rule-tester.ts';
import { FULL_HEADER, SYSBUILD_HEADER } from './helpers.ts';

function header(symbol: string): string {
  return symbol.startsWith('SB_') ? SYSBUILD_HEADER : FULL_HEADER;
}

/** The row's `when` symbols switched on, so the row applies. */
function preconditions(rule: SymbolRule, symbol: string): string {
  const sameTree = (s: string) => s.startsWith('SB_') === symbol.startsWith('SB_');
  return rule.when
    .filter(sameTree)
    .map((s) => `${s}=y\n`)
    .join('');
}

function casesFor(rule: SymbolRule): { valid: RuleCase[]; invalid: RuleCase[] } {
  const valid: RuleCase[] = [];
  const invalid: RuleCase[] = [];
  const first = rule.symbols[0] as string;
  switch (rule.want) {
    case 'enabled':
      for (const s of rule.symbols) valid.push({ name: `fragment: ${s}=y`, text: `${preconditions(rule, s)}${s}=y\n` });
      invalid.push({ name: `fragment turns ${first} off`, text: `${preconditions(rule, first)}${first}=n\n` });
      invalid.push({
        name: `full .config: ${first} is not set`,
        path: '.config',
        text: `${header(first)}${preconditions(rule, first)}# ${first} is not set\n`,
      });
      break;
    case 'disabled':
      for (const s of rule.symbols) {
        valid.push({ name: `fragment: ${s}=n`, text: `${preconditions(rule, s)}${s}=n\n` });
        invalid.push({ name: `fragment: ${s}=y`, text: `${preconditions(rule, s)}${s}=y\n` });
      }
      valid.push({ name: `full .config without ${first}`, path: '.config', text: `${header(first)}${preconditions(rule, first)}` });
      invalid.push({
        name: `full .config: ${first}=y`,
        path: '.config',
        text: `${header(first)}${preconditions(rule, first)}${first}=y\n`,
      });
      break;
    default: {
      const v = rule.value as number;
      const bad = rule.want === 'at-least' ? v - 1 : v + 1;
      valid.push({ name: `${first}=${v}`, text: `${preconditions(rule, first)}${first}=${v}\n` });
      invalid.push({ name: `${first}=${bad}`, text: `${preconditions(rule, first)}${first}=${bad}\n`, message: /expected/ });
      invalid.push({
        name: `full .config: ${first}=${bad}`,
        path: '.config',
        text: `${header(first)}${preconditions(rule, first)}${first}=${bad}\n`,
      });
    }
  }
  return { valid, invalid };
}

for (const rule of zephyrRules()) {
  if (rule.check === 'symbol') configRuleTester(zephyrKind, `config/zephyr/${rule.id}`, casesFor(rule));
}
