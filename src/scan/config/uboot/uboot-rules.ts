// The U-Boot environment rules are data: catalog/rules/uboot-env.yaml. Each row names its detector
// (checks.ts) and that detector's parameters; the file also names where autoboot starts running commands.
import { z } from 'zod';
import { type CheckMeta, type RuleListing, settingRuleBase } from '../../check.ts';
import { cached, loadRuleFile, RULES_DIR } from '../linux/rule-files.ts';

const variable = z.string().regex(/^[A-Za-z0-9_.#:-]{1,64}$/, 'a U-Boot variable or command name such as bootdelay');

const autobootRule = z.strictObject({
  ...settingRuleBase,
  detector: z.literal('autoboot'),
  /** Stop strings compared in clear (CONFIG_AUTOBOOT_KEYED). */
  plainKeys: z.array(variable).min(1),
  /** Stop strings kept as a hash (CONFIG_AUTOBOOT_ENCRYPTION). */
  hashedKeys: z.array(variable).min(1),
});
const verifyRule = z.strictObject({ ...settingRuleBase, detector: z.literal('verify'), variable });
const networkBootRule = z.strictObject({ ...settingRuleBase, detector: z.literal('network-boot'), commands: z.array(variable).min(1) });
const kernelCmdlineRule = z.strictObject({ ...settingRuleBase, detector: z.literal('kernel-cmdline') });

export const ubootRuleSchema = z.discriminatedUnion('detector', [autobootRule, verifyRule, networkBootRule, kernelCmdlineRule]);
export type UbootRule = z.infer<typeof ubootRuleSchema>;
export type UbootRuleOf<D extends UbootRule['detector']> = Extract<UbootRule, { detector: D }>;

export const ubootRuleFileSchema = z.strictObject({
  sources: z.array(z.string().min(3)).min(1),
  /** Variables U-Boot runs by itself, where the boot path starts. */
  roots: z.array(variable).min(1),
  rules: z.array(ubootRuleSchema).min(1),
});
export type UbootRuleFile = z.infer<typeof ubootRuleFileSchema>;

export const UBOOT_RULES_PATH = `${RULES_DIR}uboot-env.yaml`;

export const loadUbootRules = cached(() => loadRuleFile(ubootRuleFileSchema, UBOOT_RULES_PATH));

export function ubootRule<D extends UbootRule['detector']>(file: UbootRuleFile, detector: D): UbootRuleOf<D> | undefined {
  return file.rules.find((r): r is UbootRuleOf<D> => r.detector === detector);
}

export function checkMeta(rule: UbootRule): CheckMeta {
  return {
    id: `config/uboot/${rule.id}`,
    title: rule.title,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    remediation: rule.remediation,
  };
}

export function ruleListing(rule: UbootRule): RuleListing {
  return {
    kind: 'uboot',
    id: `config/uboot/${rule.id}`,
    title: rule.title,
    setting: rule.setting,
    expected: rule.expected,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    source: rule.source,
  };
}
