// The Zephyr kind: a generated .config (application, MCUboot or sysbuild) or a Kconfig fragment
// (prj.conf, sysbuild.conf), checked against the hardening profile in catalog/rules/zephyr-kconfig.yaml.
import type { FindingDraft } from '../../check.ts';
import { toFinding } from '../../check.ts';
import type { ConfigFile, ConfigKind, ConfigScan } from '../config-kind.ts';
import { detectZephyr } from './detect-zephyr.ts';
import { checkMeta, ruleListing, type ZephyrRule, zephyrRules } from './hardening-rules.ts';
import { classify } from './kconfig-fragment.ts';
import { parseKconfig } from './kconfig-parser.ts';
import { evaluateLifecycleRule } from './lifecycle-markers.ts';
import { evaluateKeyFileRule } from './sample-key-files.ts';
import { evaluatePatternRule } from './symbol-patterns.ts';
import { evaluateSymbolRule, type RuleContext } from './symbol-rules.ts';

export const zephyrKind: ConfigKind = {
  name: 'zephyr',
  description: 'Zephyr .config, prj.conf and sysbuild.conf, against the Kconfig hardening profile',
  detect: detectZephyr,
  scan: scanZephyr,
  rules: () => zephyrRules().map(ruleListing),
};

export function scanZephyr(file: ConfigFile): ConfigScan {
  const parsed = parseKconfig(file.path, file.text);
  const config = classify(parsed);
  const context: RuleContext = { path: file.path, file: parsed, config };
  const rules = zephyrRules();
  const covered = symbolsNamedByRows(rules);
  const findings = rules.flatMap((rule) => evaluate(rule, context, covered).map((draft) => toFinding(checkMeta(rule), draft)));
  return { findings, facts: factsOf(context), incomplete: parsed.incomplete };
}

function evaluate(rule: ZephyrRule, context: RuleContext, covered: ReadonlySet<string>): FindingDraft[] {
  switch (rule.check) {
    case 'symbol':
      return evaluateSymbolRule(rule, context);
    case 'pattern':
      return evaluatePatternRule(rule, context, covered);
    case 'lifecycle':
      return evaluateLifecycleRule(rule, context);
    case 'key-file':
      return evaluateKeyFileRule(rule, context);
  }
}

/** Symbols a symbol row judges by name; pattern rows leave them to that row. */
function symbolsNamedByRows(rules: readonly ZephyrRule[]): Set<string> {
  return new Set(rules.flatMap((r) => (r.check === 'symbol' ? r.symbols : [])));
}

function factsOf({ file, config }: RuleContext): Record<string, string> {
  const facts: Record<string, string> = {
    config: config.shape === 'full' ? `full .config (${config.because})` : `fragment (${config.because})`,
  };
  if (config.domains.size > 0) facts.domain = [...config.domains].join('+');
  const board = file.entries.get('CONFIG_BOARD')?.string ?? file.entries.get('SB_CONFIG_BOARD')?.string;
  if (board) facts.board = board;
  const soc = file.entries.get('CONFIG_SOC')?.string ?? file.entries.get('SB_CONFIG_SOC')?.string;
  if (soc) facts.soc = soc;
  if (file.entries.get('CONFIG_MCUBOOT')?.enabled) facts.image = 'MCUboot';
  if (file.unparsed > 0) facts.unparsed = `${file.unparsed} line${file.unparsed === 1 ? '' : 's'} not in Kconfig syntax`;
  return facts;
}
