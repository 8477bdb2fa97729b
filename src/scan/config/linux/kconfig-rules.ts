// Kernel build options checked rule by rule against catalog/rules/linux-kconfig.yaml.
// Applicability first: a rule for another architecture, or for an option that this kernel version
// does not have under that name, is not applicable, never a failure.
import { z } from 'zod';
import type { Finding } from '../../../findings/schema.ts';
import { type CheckMeta, dataRuleBase, type FindingDraft, type RuleListing, toFinding } from '../../check.ts';
import { KERNEL_ARCHES } from './kernel-arch.ts';
import { compareVersions, formatVersion, type KernelVersion, parseKernelVersion } from './kernel-version.ts';
import type { KconfigEntry, KconfigFile } from './kconfig-parser.ts';
import { cached, loadRuleFile, RULES_DIR } from './rule-files.ts';

const optionName = z.string().regex(/^CONFIG_[A-Z0-9_]+$/, 'a kconfig option such as CONFIG_STACKPROTECTOR_STRONG');
/** A value as kconfig writes it, or "is not set". */
export const kconfigValue = z
  .string()
  .regex(/^(?:y|m|is not set|-?\d+|0x[0-9a-fA-F]+|"[^"]*")$/, 'y, m, "is not set", a number or a quoted string');
const versionText = z.string().regex(/^\d{1,2}\.\d{1,3}(?:\.\d{1,3})?$/, 'a kernel version such as "5.13", quoted');
const archName = z.enum(KERNEL_ARCHES);
const versionBound = z.union([versionText, z.partialRecord(archName, versionText)]);
const expectedSchema = z.union([kconfigValue, z.array(kconfigValue).min(1), z.strictObject({ min: z.number().int() })]);
export const kconfigConditionSchema = z.strictObject({ option: optionName, value: kconfigValue });

export const kconfigRuleSchema = z.strictObject({
  ...dataRuleBase,
  option: optionName,
  expected: expectedSchema,
  /** Architectures the rule is for; elsewhere it is not applicable. */
  arch: z.array(archName).min(1).optional(),
  /** First kernel version with the option under this name. */
  since: versionBound.optional(),
  /** First kernel version without it (renamed or removed). */
  until: versionBound.optional(),
  /** Settings that make the rule moot, e.g. module signing when CONFIG_MODULES is off. */
  satisfiedBy: z.array(kconfigConditionSchema).min(1).optional(),
});
export type KconfigRule = z.infer<typeof kconfigRuleSchema>;
type Expected = KconfigRule['expected'];
type VersionBound = NonNullable<KconfigRule['since']>;

export const kconfigRuleFileSchema = z.strictObject({ rules: z.array(kconfigRuleSchema).min(1) }).superRefine((data, ctx) => {
  data.rules.forEach((rule, index) => {
    for (const key of ['since', 'until'] as const) {
      const bound = rule[key];
      if (bound === undefined || typeof bound === 'string') continue;
      for (const arch of Object.keys(bound)) {
        if (rule.arch && !rule.arch.includes(arch as (typeof KERNEL_ARCHES)[number])) {
          ctx.addIssue({ code: 'custom', path: ['rules', index, key, arch], message: `${arch} is not in the rule's arch list` });
        }
      }
    }
    for (const arch of rule.arch ?? KERNEL_ARCHES) {
      const since = boundFor(rule.since, arch, 'since');
      const until = boundFor(rule.until, arch, 'until');
      if (since && until && compareVersions(since, until) >= 0) {
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'until'], message: `until must be later than since (${arch})` });
      }
    }
  });
});

export const loadKconfigRules = cached(() => loadRuleFile(kconfigRuleFileSchema, `${RULES_DIR}linux-kconfig.yaml`).rules);

/** What the scan knows about the kernel the config is for. */
export interface KernelFacts {
  version?: KernelVersion;
  arch?: string;
}

export function kconfigCheckMeta(rule: KconfigRule): CheckMeta {
  return {
    id: `config/linux/${rule.id}`,
    title: rule.title,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    remediation: rule.remediation ?? remediationFor(rule.option, rule.expected),
  };
}

export function checkKconfig(config: KconfigFile, path: string, kernel: KernelFacts, rules = loadKconfigRules()): Finding[] {
  return rules.map((rule) => toFinding(kconfigCheckMeta(rule), judge(rule, config, path, kernel)));
}

function judge(rule: KconfigRule, config: KconfigFile, path: string, kernel: KernelFacts): FindingDraft {
  const { option } = rule;
  if (rule.arch) {
    if (kernel.arch === undefined) {
      return notApplicable(
        path,
        `${option} is checked only on ${rule.arch.join(', ')}, and the architecture is unknown; pass --arch to check it`,
      );
    }
    if (!(rule.arch as string[]).includes(kernel.arch)) {
      return notApplicable(path, `not applicable: ${option} is checked only on ${rule.arch.join(', ')}, and this kernel is ${kernel.arch}`);
    }
  }
  const entry = config.entries.get(option);
  if (entry) return judgePresent(rule, entry, config, path);

  // Absent. Outside the option's versions that is expected; inside, kconfig would have written it.
  const since = boundFor(rule.since, kernel.arch, 'since');
  const until = boundFor(rule.until, kernel.arch, 'until');
  if (kernel.version) {
    if (since && compareVersions(kernel.version, since) < 0) {
      return notApplicable(
        path,
        `not applicable: ${option} does not exist in Linux ${formatVersion(kernel.version)} (it appeared in ${formatVersion(since)})`,
      );
    }
    if (until && compareVersions(kernel.version, until) >= 0) {
      return notApplicable(
        path,
        `not applicable: ${option} does not exist in Linux ${formatVersion(kernel.version)} (it was renamed or removed in ${formatVersion(until)})`,
      );
    }
  } else if (until) {
    return notApplicable(
      path,
      `not applicable unless the kernel is older than ${formatVersion(until)}, where ${option} was renamed or removed; the kernel version is unknown, so pass --kernel-version`,
    );
  }
  const moot = satisfyingCondition(rule, config);
  if (moot) return { result: 'pass', location: { path }, message: `${option} is absent, which is fine because ${moot}` };
  if (matches(undefined, rule.expected)) {
    return {
      result: 'pass',
      location: { path },
      message: `${option} is absent (its dependencies are not met), so it is off as recommended`,
    };
  }
  return {
    result: 'fail',
    location: { path },
    message: `${option} not found in the config; expected ${describeExpected(rule.expected)}. kconfig writes every option whose dependencies are met, so this kernel cannot offer it as configured`,
  };
}

function judgePresent(rule: KconfigRule, entry: KconfigEntry, config: KconfigFile, path: string): FindingDraft {
  const location = { path, line: entry.line };
  const shown = entry.value === undefined ? `${entry.option} is not set` : `${entry.option}=${entry.value}`;
  if (matches(entry.value, rule.expected)) return { result: 'pass', location, message: `${shown}, as recommended`, evidence: entry.text };
  const moot = satisfyingCondition(rule, config);
  if (moot) return { result: 'pass', location, message: `${shown}, which is fine because ${moot}`, evidence: entry.text };
  return { result: 'fail', location, message: `${shown}; expected ${describeExpected(rule.expected)}`, evidence: entry.text };
}

function notApplicable(path: string, message: string): FindingDraft {
  return { result: 'not-applicable', location: { path }, message };
}

/** The first satisfiedBy condition that holds, in words. */
function satisfyingCondition(rule: KconfigRule, config: KconfigFile): string | undefined {
  const condition = rule.satisfiedBy?.find((c) => conditionHolds(c, config));
  if (!condition) return undefined;
  return condition.value === 'is not set' ? `${condition.option} is not set` : `${condition.option}=${condition.value}`;
}

export function conditionHolds(condition: z.infer<typeof kconfigConditionSchema>, config: KconfigFile): boolean {
  return matches(config.entries.get(condition.option)?.value, condition.value);
}

/** `value` undefined means not set (or absent). */
export function matches(value: string | undefined, expected: Expected): boolean {
  if (typeof expected === 'string') return expected === 'is not set' ? value === undefined : value === expected;
  if (Array.isArray(expected)) return expected.some((e) => matches(value, e));
  const n = value === undefined ? Number.NaN : kconfigNumber(value);
  return Number.isFinite(n) && n >= expected.min;
}

function kconfigNumber(value: string): number {
  if (/^-?\d{1,20}$/.test(value)) return Number(value);
  if (/^0[xX][0-9a-fA-F]{1,16}$/.test(value)) return Number.parseInt(value.slice(2), 16);
  return Number.NaN;
}

export function describeExpected(expected: Expected): string {
  if (typeof expected === 'string') return expected;
  if (Array.isArray(expected)) return expected.join(' or ');
  return `at least ${expected.min}`;
}

/**
 * The version bound that applies: the architecture's own where the data gives one; otherwise the most
 * cautious (earliest appearance, latest removal), so a rule is never wrongly called not applicable.
 */
export function boundFor(bound: VersionBound | undefined, arch: string | undefined, kind: 'since' | 'until'): KernelVersion | undefined {
  if (bound === undefined) return undefined;
  if (typeof bound === 'string') return parseKernelVersion(bound);
  const own = arch === undefined ? undefined : (bound as Record<string, string | undefined>)[arch];
  if (own !== undefined) return parseKernelVersion(own);
  const all = Object.values(bound)
    .map((v) => (v === undefined ? undefined : parseKernelVersion(v)))
    .filter((v): v is KernelVersion => v !== undefined)
    .sort(compareVersions);
  return kind === 'since' ? all[0] : all.at(-1);
}

function remediationFor(option: string, expected: Expected): string {
  if (expected === 'is not set') return `Turn ${option} off ("# ${option} is not set") and rebuild the kernel.`;
  if (typeof expected === 'object' && !Array.isArray(expected)) return `Set ${option} to at least ${expected.min} and rebuild the kernel.`;
  return `Set ${option}=${describeExpected(expected).replace(' or ', ' or =')} (meeting its dependencies) and rebuild the kernel.`;
}

function describeBound(bound: VersionBound | undefined): string | undefined {
  if (bound === undefined) return undefined;
  if (typeof bound === 'string') return bound;
  return Object.entries(bound)
    .map(([arch, v]) => `${v} on ${arch}`)
    .join(', ');
}

export function kconfigRuleListings(rules = loadKconfigRules()): RuleListing[] {
  return rules.map((rule) => {
    const scope = [
      rule.arch ? rule.arch.join('/') : undefined,
      rule.since ? `since ${describeBound(rule.since)}` : undefined,
      rule.until ? `before ${describeBound(rule.until)}` : undefined,
    ].filter(Boolean);
    return {
      kind: 'linux',
      id: kconfigCheckMeta(rule).id,
      title: rule.title,
      setting: rule.option,
      expected: `${describeExpected(rule.expected)}${scope.length ? ` (${scope.join('; ')})` : ''}`,
      provisions: rule.provisions,
      severity: rule.severity,
      rationale: rule.rationale,
      source: rule.source,
    };
  });
}
