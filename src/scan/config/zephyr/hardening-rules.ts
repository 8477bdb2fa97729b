// The Zephyr hardening profile is data (catalog/rules/zephyr-kconfig.yaml): each row names the symbols
// it reads, the value it wants, why, and where the recommendation comes from. This module validates
// the rows and hands them to the evaluators; a malformed row fails loudly at start-up.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { parseWithSchema, readYamlFile } from '../../../io/yaml-file.ts';
import { type CheckMeta, dataRuleBase, type RuleListing } from '../../check.ts';

const symbolName = z.string().regex(/^(SB_)?CONFIG_[A-Z0-9_]+$/, 'a Kconfig symbol such as CONFIG_SHELL or SB_CONFIG_BOOTLOADER_MCUBOOT');
const absentResult = z.enum(['fail', 'pass', 'not-applicable', 'info']);

const common = {
  ...dataRuleBase,
  /** What a good value looks like, in words, when the generated wording would not say it well. */
  expected: z.string().min(3).optional(),
};

/** One or more symbols compared with a wanted state or number. */
const symbolRule = z
  .strictObject({
    ...common,
    check: z.literal('symbol'),
    symbols: z.array(symbolName).min(1),
    /** enabled: any one of the symbols is y; disabled: none is; the numeric wants apply to each symbol present. */
    want: z.enum(['enabled', 'disabled', 'equals', 'at-least', 'at-most']),
    value: z.number().int().optional(),
    /** The rule applies only when all of these are enabled (e.g. the debug level only when logging is on). */
    when: z.array(symbolName).default([]),
    /** The rule does not apply when any of these is enabled (e.g. MCUboot's own image). */
    unless: z.array(symbolName).default([]),
    /** What a full .config without any of the symbols means: the option is off (fail) or does not exist here. */
    whenAbsent: absentResult.optional(),
  })
  .refine((r) => (r.want === 'enabled' || r.want === 'disabled') === (r.value === undefined), {
    message: 'a numeric want (equals, at-least, at-most) needs a value, and enabled/disabled must not have one',
  });

/** Any enabled symbol whose name matches: test code, per-module debug logging. */
const patternRule = z.strictObject({
  ...common,
  check: z.literal('pattern'),
  setting: z.string().min(3),
  /** Whole words of the name (split at _), e.g. TEST matches CONFIG_TEST_RANDOM_GENERATOR but not CONFIG_ATTEST. */
  tokens: z.array(z.string().regex(/^[A-Z0-9]+$/)).default([]),
  suffixes: z.array(z.string().regex(/^_[A-Z0-9_]+$/)).default([]),
  except: z.array(symbolName).default([]),
});

/** Zephyr's hidden marker (EXPERIMENTAL, DEPRECATED) plus the known symbols that select it. */
const lifecycleRule = z.strictObject({
  ...common,
  check: z.literal('lifecycle'),
  marker: symbolName,
  /** The user-visible switch that makes the build print a warning, reported alongside. */
  warning: symbolName.optional(),
  known: z.array(z.strictObject({ symbol: symbolName, source: z.string().min(3) })).min(1),
});

/** A string symbol naming a key file, compared with MCUboot's published sample keys. */
const keyFileRule = z.strictObject({
  ...common,
  check: z.literal('key-file'),
  symbols: z.array(symbolName).min(1),
  /** File names of the published sample keys. */
  sampleFiles: z.array(z.string().regex(/^[A-Za-z0-9._-]+$/)).min(1),
  /** A file named <prefix>… inside a directory named mcuboot is one of the samples, listed here or not. */
  samplePrefixes: z.array(z.string().regex(/^[A-Za-z0-9._-]+$/)).default([]),
  /** Symbols that default to a sample key when a fragment leaves them out, e.g. sysbuild's key file. */
  defaultsToSample: z.array(symbolName).default([]),
  when: z.array(symbolName).default([]),
  /** What it means when no key file is named at all: the result, and in words. */
  whenUnset: absentResult,
  unsetMeaning: z.string().min(3),
});

export const zephyrRuleSchema = z.discriminatedUnion('check', [symbolRule, patternRule, lifecycleRule, keyFileRule]);
export type ZephyrRule = z.infer<typeof zephyrRuleSchema>;
export type SymbolRule = Extract<ZephyrRule, { check: 'symbol' }>;
export type PatternRule = Extract<ZephyrRule, { check: 'pattern' }>;
export type LifecycleRule = Extract<ZephyrRule, { check: 'lifecycle' }>;
export type KeyFileRule = Extract<ZephyrRule, { check: 'key-file' }>;

export const zephyrRulesFileSchema = z.strictObject({
  /** Where the profile as a whole comes from. */
  sources: z.array(z.string().min(3)).min(1),
  rules: z.array(zephyrRuleSchema).min(1),
});

export const ZEPHYR_RULES_PATH = `${CATALOG_DIR}rules/zephyr-kconfig.yaml`;
let cached: ZephyrRule[] | undefined;

export function zephyrRules(): ZephyrRule[] {
  if (cached) return cached;
  const file = readYamlFile(ZEPHYR_RULES_PATH);
  const rules = parseWithSchema(file, zephyrRulesFileSchema).rules;
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.id)) throw new Error(`${ZEPHYR_RULES_PATH}: rule id ${rule.id} is used twice`);
    seen.add(rule.id);
  }
  cached = rules;
  return rules;
}

export function checkMeta(rule: ZephyrRule): CheckMeta {
  return {
    id: `config/zephyr/${rule.id}`,
    title: rule.title,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    remediation: rule.remediation ?? defaultRemediation(rule),
  };
}

export function settingOf(rule: ZephyrRule): string {
  switch (rule.check) {
    case 'symbol':
    case 'key-file':
      return rule.symbols.join(' / ');
    case 'pattern':
      return rule.setting;
    case 'lifecycle':
      return rule.marker;
  }
}

export function expectedOf(rule: ZephyrRule): string {
  if (rule.expected) return rule.expected;
  switch (rule.check) {
    case 'symbol':
      switch (rule.want) {
        case 'enabled':
          return rule.symbols.length > 1 ? 'y (any one of them)' : 'y';
        case 'disabled':
          return 'n or not set';
        case 'equals':
          return `${rule.value}`;
        case 'at-least':
          return `${rule.value} or more`;
        case 'at-most':
          return `${rule.value} or less`;
      }
      break;
    case 'pattern':
      return 'none set to y';
    case 'lifecycle':
      return `not selected; no listed symbol enabled`;
    case 'key-file':
      return 'your own key file, not an MCUboot sample key';
  }
}

function defaultRemediation(rule: ZephyrRule): string {
  const where =
    rule.check !== 'lifecycle' && rule.check !== 'pattern' && rule.symbols.every((s) => s.startsWith('SB_')) ? 'sysbuild.conf' : 'prj.conf';
  switch (rule.check) {
    case 'symbol': {
      const first = rule.symbols[0] as string;
      if (rule.want === 'enabled') return `Set ${first}=y in ${where}.`;
      if (rule.want === 'disabled')
        return `Set ${rule.symbols.map((s) => `${s}=n`).join(', ')} in the production ${where} (or remove what selects them).`;
      return `Set ${first} to ${expectedOf(rule)} in ${where}.`;
    }
    case 'pattern':
      return 'Build production images from a configuration without these options; keep them in a separate test or debug overlay.';
    case 'lifecycle':
      return `Find the enabled options that select ${rule.marker} (menuconfig shows them) and replace them with stable ones for production.`;
    case 'key-file':
      return `Generate your own key (imgtool keygen), keep it out of the repository, and point ${rule.symbols[0]} at it.`;
  }
}

export function ruleListing(rule: ZephyrRule): RuleListing {
  return {
    kind: 'zephyr',
    id: `config/zephyr/${rule.id}`,
    title: rule.title,
    setting: settingOf(rule),
    expected: expectedOf(rule),
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    source: rule.source,
  };
}
