// Rows that match symbols by name rather than list them: every enabled test option (CONFIG_TEST,
// CONFIG_ZTEST, CONFIG_TEST_RANDOM_GENERATOR…), every module set to debug logging (…_LOG_LEVEL_DBG).
import type { FindingDraft } from '../../check.ts';
import type { PatternRule } from './hardening-rules.ts';
import type { KconfigEntry } from './kconfig-parser.ts';
import { at, FRAGMENT_NOTE, type RuleContext } from './symbol-rules.ts';

/** @param coveredElsewhere symbols another row already judges, so one problem is not reported twice. */
export function evaluatePatternRule(rule: PatternRule, context: RuleContext, coveredElsewhere: ReadonlySet<string>): FindingDraft[] {
  const { file, config, path } = context;
  const except = new Set(rule.except);
  const hits: KconfigEntry[] = [];
  for (const entry of file.entries.values()) {
    if (!entry.enabled || except.has(entry.name) || coveredElsewhere.has(entry.name)) continue;
    if (matchesPattern(entry.name, rule)) hits.push(entry);
  }
  if (hits.length > 0) {
    return hits.map((e) => ({ result: 'fail', location: at(path, e), message: `${e.name}=${e.raw}`, evidence: e.text }));
  }
  if (config.shape === 'fragment')
    return [{ result: 'info', location: { path }, message: `this fragment enables no ${rule.setting}; ${FRAGMENT_NOTE}` }];
  return [{ result: 'pass', location: { path }, message: `no ${rule.setting} enabled` }];
}

export function matchesPattern(name: string, rule: Pick<PatternRule, 'tokens' | 'suffixes'>): boolean {
  const bare = name.replace(/^(SB_)?CONFIG_/, '');
  if (rule.suffixes.some((suffix) => bare.endsWith(suffix))) return true;
  if (rule.tokens.length === 0) return false;
  const tokens = new Set(rule.tokens);
  return bare.split('_').some((word) => tokens.has(word));
}
