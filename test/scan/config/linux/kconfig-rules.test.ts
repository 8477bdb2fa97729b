// Every kconfig rule, driven from its YAML row: the recommended value passes, a wrong value fails,
// and where the rule can be satisfied another way (satisfiedBy), that way passes too.
import { linuxKind } from '../../../../src/scan/config/linux/index.ts';
import { loadKconfigRules } from '../../../../src/scan/config/linux/kconfig-rules.ts';
import { configRuleTester, type RuleCase } from '../../../helpers/config-rule-tester.ts';
import { badLine, goodLine, kconfigHeader, kernelFor, notSatisfiedLines, setLine } from './kconfig-text.ts';

for (const rule of loadKconfigRules()) {
  const { arch, version } = kernelFor(rule);
  const head = kconfigHeader(arch, version);
  const valid: RuleCase[] = [
    { name: `${goodLine(rule)} (${arch}, ${version})`, text: `${head}${goodLine(rule)}\n`, message: /as recommended/ },
  ];
  for (const condition of rule.satisfiedBy ?? []) {
    valid.push({
      name: `${badLine(rule)} but ${setLine(condition.option, condition.value)}`,
      text: `${head}${setLine(condition.option, condition.value)}\n${badLine(rule)}\n`,
      message: /which is fine because|is absent, which is fine/,
    });
  }
  configRuleTester(linuxKind, `config/linux/${rule.id}`, {
    valid,
    invalid: [
      { name: `${badLine(rule)} (${arch}, ${version})`, text: `${head}${notSatisfiedLines(rule)}${badLine(rule)}\n`, message: /expected/ },
    ],
  });
}
