// Run-time kernel settings (sysctl) checked against catalog/rules/linux-sysctl.yaml.
// A key absent from the file falls back to the kernel's default: safe defaults pass, others fail,
// since a single sysctl file cannot show what other files set (scan `sysctl -a` output for that).
import { z } from 'zod';
import type { Finding } from '../../../findings/schema.ts';
import { type CheckMeta, dataRuleBase, type FindingDraft, type RuleListing, toFinding } from '../../check.ts';
import { compareVersions, formatVersion, type KernelVersion, parseKernelVersion } from './kernel-version.ts';
import { cached, loadRuleFile, RULES_DIR } from './rule-files.ts';
import { globMatches, type SysctlEntry, type SysctlFile } from './sysctl-parser.ts';

const sysctlKey = z.string().regex(/^[a-z0-9_]+(?:\.[a-z0-9_-]+)+$/, 'a dotted sysctl key such as kernel.kptr_restrict');
const sysctlValue = z.union([z.number().int(), z.string().min(1)]).transform(String);
const versionText = z.string().regex(/^\d{1,2}\.\d{1,3}(?:\.\d{1,3})?$/, 'a kernel version such as "5.13", quoted');

export const sysctlRuleSchema = z.strictObject({
  ...dataRuleBase,
  key: sysctlKey,
  /** One value, a list of acceptable values, or {min: N}. */
  expected: z.union([sysctlValue, z.array(sysctlValue).min(1), z.strictObject({ min: z.number().int() })]),
  /** The kernel's value when nothing sets the key; omitted when it depends on the build. */
  kernelDefault: sysctlValue.optional(),
  /** First kernel version with the key. */
  since: versionText.optional(),
});
export type SysctlRule = z.infer<typeof sysctlRuleSchema>;
export const sysctlRuleFileSchema = z.strictObject({ rules: z.array(sysctlRuleSchema).min(1) });

export const loadSysctlRules = cached(() => loadRuleFile(sysctlRuleFileSchema, `${RULES_DIR}linux-sysctl.yaml`).rules);

export function sysctlCheckMeta(rule: SysctlRule): CheckMeta {
  return {
    id: `config/linux-sysctl/${rule.id}`,
    title: rule.title,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    remediation: rule.remediation ?? `Set \`${rule.key} = ${goodValue(rule.expected)}\` in a file under /etc/sysctl.d/.`,
  };
}

export function checkSysctl(file: SysctlFile, path: string, version: KernelVersion | undefined, rules = loadSysctlRules()): Finding[] {
  return rules.map((rule) => toFinding(sysctlCheckMeta(rule), judge(rule, file, path, version)));
}

function judge(rule: SysctlRule, file: SysctlFile, path: string, version: KernelVersion | undefined): FindingDraft {
  let entry: SysctlEntry | undefined;
  for (const e of file.entries)
    if (e.key === rule.key || (e.key.includes('*') || e.key.includes('?') ? globMatches(e.key, rule.key) : false)) entry = e;
  const wanted = describeExpected(rule.expected);
  if (entry) {
    const location = { path, line: entry.line };
    const shown = `${rule.key} = ${entry.value}`;
    if (valueMatches(entry.value, rule.expected))
      return { result: 'pass', location, message: `${shown}, as recommended`, evidence: entry.text };
    return { result: 'fail', location, message: `${shown}; expected ${wanted}`, evidence: entry.text };
  }
  const since = rule.since === undefined ? undefined : parseKernelVersion(rule.since);
  if (version && since && compareVersions(version, since) < 0) {
    return {
      result: 'not-applicable',
      location: { path },
      message: `not applicable: ${rule.key} does not exist in Linux ${formatVersion(version)} (it appeared in ${formatVersion(since)})`,
    };
  }
  if (rule.kernelDefault !== undefined && valueMatches(rule.kernelDefault, rule.expected)) {
    return {
      result: 'pass',
      location: { path },
      message: `${rule.key} is not set here; the kernel default ${rule.kernelDefault} is already safe`,
    };
  }
  const fallback =
    rule.kernelDefault !== undefined ? `the kernel default ${rule.kernelDefault}` : 'the kernel default, which depends on the build,';
  return {
    result: 'fail',
    location: { path },
    message: `${rule.key} not found in this file, so ${fallback} applies unless another sysctl file sets it; expected ${wanted}`,
  };
}

function valueMatches(value: string, expected: SysctlRule['expected']): boolean {
  if (Array.isArray(expected)) return expected.some((e) => valueMatches(value, e));
  if (typeof expected === 'object') {
    const n = /^-?\d{1,18}$/.test(value) ? Number(value) : Number.NaN;
    return Number.isFinite(n) && n >= expected.min;
  }
  return value === expected || (/^-?\d{1,18}$/.test(value) && /^-?\d{1,18}$/.test(expected) && Number(value) === Number(expected));
}

function describeExpected(expected: SysctlRule['expected']): string {
  if (Array.isArray(expected)) return expected.join(' or ');
  if (typeof expected === 'object') return `at least ${expected.min}`;
  return expected;
}

function goodValue(expected: SysctlRule['expected']): string {
  if (Array.isArray(expected)) return expected[0] ?? '';
  if (typeof expected === 'object') return String(expected.min);
  return expected;
}

export function sysctlRuleListings(rules = loadSysctlRules()): RuleListing[] {
  return rules.map((rule) => ({
    kind: 'linux',
    id: sysctlCheckMeta(rule).id,
    title: rule.title,
    setting: rule.key,
    expected: `${describeExpected(rule.expected)}${rule.since ? ` (since ${rule.since})` : ''}`,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    source: rule.source,
  }));
}
