// Kernel command-line parameters checked against catalog/rules/linux-cmdline.yaml. Three shapes:
// forbid (a parameter or value that weakens the kernel), require (a hardening parameter, whose default
// may come from the kernel config) and evidence (signs of a verified or encrypted root, reported as
// pass or info because the set-up can also live in the initramfs).
import { z } from 'zod';
import type { Finding } from '../../../findings/schema.ts';
import { type CheckMeta, dataRuleBase, type FindingDraft, type RuleListing, toFinding } from '../../check.ts';
import { type Cmdline, type CmdlineParam, paramKey } from './cmdline-parser.ts';
import type { KconfigFile } from './kconfig-parser.ts';
import { conditionHolds, kconfigConditionSchema } from './kconfig-rules.ts';
import { cached, loadRuleFile, RULES_DIR } from './rule-files.ts';

const paramName = z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/, 'a kernel parameter name such as slab_nomerge or module.sig_enforce');

/** A value matches when any one of the given tests does. */
const matchSchema = z
  .strictObject({
    values: z.array(z.string()).min(1).optional(),
    prefixes: z.array(z.string().min(1)).min(1).optional(),
    contains: z.array(z.string().min(1)).min(1).optional(),
    /** kstrtobool: true matches 1/y/yes/on/true, false matches 0/n/no/off/false. */
    bool: z.boolean().optional(),
    /** The parameter given without a value. */
    flag: z.literal(true).optional(),
  })
  .refine((m) => Object.keys(m).length > 0, 'give at least one of values, prefixes, contains, bool, flag');
type Match = z.infer<typeof matchSchema>;

const paramRule = {
  ...dataRuleBase,
  param: paramName,
  /** Other names the kernel accepts for the same parameter. */
  aliases: z.array(paramName).optional(),
};

const forbidRule = z.strictObject({
  ...paramRule,
  check: z.literal('forbid'),
  /** The bad values; omitted, the parameter's mere presence is bad. */
  match: matchSchema.optional(),
});

const requireRule = z.strictObject({
  ...paramRule,
  check: z.literal('require'),
  /** The good values; omitted, presence is enough. The last occurrence counts, as in the kernel. */
  match: matchSchema.optional(),
  /** Kernel config settings that make the behaviour the default when the parameter is absent. */
  kernelDefault: z.array(kconfigConditionSchema).min(1).optional(),
  /** The result when the parameter is absent and no kernel config is at hand to decide. */
  absent: z.enum(['pass', 'fail', 'info']),
});

const evidenceRule = z.strictObject({
  ...dataRuleBase,
  check: z.literal('evidence'),
  anyOf: z
    .array(
      z
        .strictObject({ param: paramName.optional(), paramPrefix: paramName.optional(), match: matchSchema.optional() })
        .refine((c) => (c.param === undefined) !== (c.paramPrefix === undefined), 'give param or paramPrefix'),
    )
    .min(1),
  /** What the evidence shows, for messages: e.g. "a dm-verity root". */
  shows: z.string().min(3),
});

export const cmdlineRuleSchema = z.discriminatedUnion('check', [forbidRule, requireRule, evidenceRule]);
export type CmdlineRule = z.infer<typeof cmdlineRuleSchema>;
export const cmdlineRuleFileSchema = z.strictObject({ rules: z.array(cmdlineRuleSchema).min(1) });

export const loadCmdlineRules = cached(() => loadRuleFile(cmdlineRuleFileSchema, `${RULES_DIR}linux-cmdline.yaml`).rules);

export function cmdlineCheckMeta(rule: CmdlineRule): CheckMeta {
  return {
    id: `config/linux-cmdline/${rule.id}`,
    title: rule.title,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    remediation: rule.remediation ?? remediationFor(rule),
  };
}

/** `kconfig`: the kernel's config when scanned along with --cmdline, to settle defaults. */
export function checkCmdline(cmdline: Cmdline, path: string, kconfig?: KconfigFile, rules = loadCmdlineRules()): Finding[] {
  return rules.map((rule) => toFinding(cmdlineCheckMeta(rule), judge(rule, cmdline, path, kconfig)));
}

function judge(rule: CmdlineRule, cmdline: Cmdline, path: string, kconfig: KconfigFile | undefined): FindingDraft {
  const at = (p: CmdlineParam) => ({ location: { path, line: p.line }, evidence: p.text });
  if (rule.check === 'evidence') {
    const found = cmdline.params.find((p) =>
      rule.anyOf.some(
        (c) =>
          (c.param !== undefined ? p.key === paramKey(c.param) : p.key.startsWith(paramKey(c.paramPrefix ?? ''))) &&
          (!c.match || valueMatches(p, c.match)),
      ),
    );
    if (found) return { result: 'pass', ...at(found), message: `\`${found.text}\` on the kernel command line shows ${rule.shows}` };
    return {
      result: 'info',
      location: { path },
      message: `nothing on the kernel command line shows ${rule.shows}; it may still be set up by the initramfs or bootloader`,
    };
  }

  const keys = new Set([rule.param, ...(rule.aliases ?? [])].map(paramKey));
  const occurrences = cmdline.params.filter((p) => keys.has(p.key));
  if (rule.check === 'forbid') {
    const bad = occurrences.find((p) => !rule.match || valueMatches(p, rule.match));
    if (bad) return { result: 'fail', ...at(bad), message: `\`${bad.text}\` is on the kernel command line` };
    const last = occurrences.at(-1);
    if (last) return { result: 'pass', ...at(last), message: `\`${last.text}\` is on the kernel command line, which is fine` };
    return { result: 'pass', location: { path }, message: `no ${describeForbidden(rule)} on the kernel command line` };
  }

  const last = occurrences.at(-1);
  if (last) {
    if (!rule.match || valueMatches(last, rule.match)) {
      return { result: 'pass', ...at(last), message: `\`${last.text}\` is on the kernel command line, as recommended` };
    }
    return { result: 'fail', ...at(last), message: `\`${last.text}\` is on the kernel command line; expected ${describeWanted(rule)}` };
  }
  if (rule.kernelDefault && kconfig) {
    const holding = rule.kernelDefault.find((c) => conditionHolds(c, kconfig));
    if (holding) {
      return {
        result: 'pass',
        location: { path },
        message: `\`${rule.param}\` is not on the command line, and the kernel config makes it the default (${describeCondition(holding)})`,
      };
    }
    return {
      result: 'fail',
      location: { path },
      message: `\`${rule.param}\` is not on the command line, and the kernel config does not make it the default (needs ${rule.kernelDefault.map(describeCondition).join(' or ')}); expected ${describeWanted(rule)}`,
    };
  }
  const absentMessages = {
    pass: `\`${rule.param}\` is not on the command line; the kernel's default is already safe`,
    fail: `\`${rule.param}\` is not on the kernel command line; expected ${describeWanted(rule)}`,
    info: `\`${rule.param}\` is not on the command line; the default depends on the kernel config${rule.kernelDefault ? ` (${rule.kernelDefault.map(describeCondition).join(' or ')})` : ''}: scan the kernel .config with --cmdline to settle it`,
  };
  return { result: rule.absent, location: { path }, message: absentMessages[rule.absent] };
}

const TRUE = new Set(['1', 'y', 'yes', 'on', 'true', 't']);
const FALSE = new Set(['0', 'n', 'no', 'off', 'false', 'f']);

function valueMatches(param: CmdlineParam, match: Match): boolean {
  const value = param.value;
  if (value === undefined) return match.flag === true;
  const lower = value.toLowerCase();
  return (
    (match.values?.some((v) => v.toLowerCase() === lower) ?? false) ||
    (match.prefixes?.some((p) => value.startsWith(p)) ?? false) ||
    (match.contains?.some((c) => value.includes(c)) ?? false) ||
    (match.bool === true && TRUE.has(lower)) ||
    (match.bool === false && FALSE.has(lower))
  );
}

function describeMatch(param: string, match: Match | undefined): string[] {
  if (!match) return [`\`${param}\``];
  const out: string[] = [];
  for (const v of match.values ?? []) out.push(`\`${param}=${v}\``);
  for (const p of match.prefixes ?? []) out.push(`\`${param}=${p}…\``);
  for (const c of match.contains ?? []) out.push(`\`${param}=…${c}…\``);
  if (match.bool === true) out.push(`\`${param}=1\``);
  if (match.bool === false) out.push(`\`${param}=0\``);
  if (match.flag) out.push(`\`${param}\``);
  return out;
}

function describeForbidden(rule: z.infer<typeof forbidRule>): string {
  const all = describeMatch(rule.param, rule.match);
  return all.length > 4 ? `${all.slice(0, 4).join(', ')} or similar` : all.join(' or ');
}

function describeWanted(rule: z.infer<typeof requireRule>): string {
  return describeMatch(rule.param, rule.match).join(' or ');
}

function describeCondition(c: z.infer<typeof kconfigConditionSchema>): string {
  return c.value === 'is not set' ? `${c.option} is not set` : `${c.option}=${c.value}`;
}

function remediationFor(rule: CmdlineRule): string {
  if (rule.check === 'forbid')
    return `Remove ${describeForbidden(rule)} from the kernel command line (bootloader config, cmdline.txt or CONFIG_CMDLINE).`;
  if (rule.check === 'require')
    return `Add ${describeWanted(rule)} to the kernel command line${rule.kernelDefault ? `, or build the kernel with ${rule.kernelDefault.map(describeCondition).join(' or ')}` : ''}.`;
  return `Consider ${rule.shows}, set up from the kernel command line or the initramfs.`;
}

export function cmdlineRuleListings(rules = loadCmdlineRules()): RuleListing[] {
  return rules.map((rule) => ({
    kind: 'linux',
    id: cmdlineCheckMeta(rule).id,
    title: rule.title,
    setting:
      rule.check === 'evidence'
        ? rule.anyOf.map((c) => c.param ?? `${c.paramPrefix}*`).join(', ')
        : [rule.param, ...(rule.aliases ?? [])].join(', '),
    expected:
      rule.check === 'forbid'
        ? `not ${describeForbidden(rule)}`
        : rule.check === 'require'
          ? describeWanted(rule)
          : `evidence of ${rule.shows} (info when none)`,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    source: rule.source,
  }));
}
