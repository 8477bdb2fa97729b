// Evaluates one symbol row of the hardening profile against a parsed Kconfig file. The same row reads
// differently in a full .config (absent = off, or not in this build) and in a fragment (absent = not
// decided here: info, never a failure).
import type { FindingDraft } from '../../check.ts';
import type { ConfigClassification } from './kconfig-fragment.ts';
import type { KconfigEntry, KconfigFile } from './kconfig-parser.ts';
import type { SymbolRule } from './hardening-rules.ts';

export interface RuleContext {
  path: string;
  file: KconfigFile;
  config: ConfigClassification;
}

export const FRAGMENT_NOTE =
  'the value comes from Kconfig defaults and the other fragments; scan the generated build/zephyr/.config for a verdict';

/** The symbols of a row that belong to this file's Kconfig tree (CONFIG_ or SB_CONFIG_). */
export function inDomain(symbols: readonly string[], context: RuleContext): string[] {
  return symbols.filter((s) => context.config.domains.has(s.startsWith('SB_') ? 'sysbuild' : 'image'));
}

export function evaluateSymbolRule(rule: SymbolRule, context: RuleContext): FindingDraft[] {
  const symbols = inDomain(rule.symbols, context);
  if (symbols.length === 0) return [];
  const gate = applicability(rule.when, rule.unless, context);
  if (gate) return [gate];
  switch (rule.want) {
    case 'enabled':
      return [wantEnabled(rule, symbols, context)];
    case 'disabled':
      return wantDisabled(rule, symbols, context);
    default:
      return wantNumber(rule, symbols, context);
  }
}

/** A not-applicable draft when the row's conditions rule it out, else undefined. */
export function applicability(when: readonly string[], unless: readonly string[], context: RuleContext): FindingDraft | undefined {
  const { file, config, path } = context;
  for (const symbol of inDomain(unless, context)) {
    const entry = file.entries.get(symbol);
    if (entry?.enabled)
      return { result: 'not-applicable', location: at(path, entry), message: `does not apply: ${symbol}=y`, evidence: entry.text };
  }
  for (const symbol of inDomain(when, context)) {
    const entry = file.entries.get(symbol);
    if (entry?.enabled) continue;
    if (entry || config.shape === 'full') {
      return {
        result: 'not-applicable',
        location: at(path, entry),
        message: `applies only when ${symbol} is enabled; ${entry ? `it is set to ${entry.raw}` : 'it is not in this .config'}`,
        ...(entry ? { evidence: entry.text } : {}),
      };
    }
  }
  return undefined;
}

function wantEnabled(rule: SymbolRule, symbols: string[], context: RuleContext): FindingDraft {
  const { file, config, path } = context;
  const on = symbols.map((s) => file.entries.get(s)).find((e) => e?.enabled);
  if (on) return { result: 'pass', location: at(path, on), message: `${on.name}=${on.raw}`, evidence: on.text };
  const off = symbols.map((s) => file.entries.get(s)).find((e) => e !== undefined);
  if (off) {
    return { result: 'fail', location: at(path, off), message: describeEntry(off), evidence: off.text };
  }
  const names = symbols.length === 1 ? symbols[0] : `none of ${symbols.join(', ')}`;
  if (config.shape === 'fragment')
    return { result: 'info', location: { path }, message: `${names} is not set in this fragment; ${FRAGMENT_NOTE}` };
  return absentInFull(rule, path, `${names} is not in this .config`, 'fail');
}

function wantDisabled(rule: SymbolRule, symbols: string[], context: RuleContext): FindingDraft[] {
  const { file, config, path } = context;
  const on = symbols.map((s) => file.entries.get(s)).filter((e): e is KconfigEntry => e?.enabled === true);
  if (on.length > 0) return on.map((e) => ({ result: 'fail', location: at(path, e), message: `${e.name}=${e.raw}`, evidence: e.text }));
  const off = symbols.map((s) => file.entries.get(s)).find((e) => e !== undefined);
  if (off) return [{ result: 'pass', location: at(path, off), message: describeEntry(off), evidence: off.text }];
  const names = symbols.join(', ');
  if (config.shape === 'fragment')
    return [{ result: 'info', location: { path }, message: `${names} not set in this fragment; ${FRAGMENT_NOTE}` }];
  return [absentInFull(rule, path, `${names} ${symbols.length > 1 ? 'are' : 'is'} not in this .config, so not enabled`, 'pass')];
}

function wantNumber(rule: SymbolRule, symbols: string[], context: RuleContext): FindingDraft[] {
  const { file, config, path } = context;
  const present = symbols.map((s) => file.entries.get(s)).filter((e): e is KconfigEntry => e !== undefined);
  if (present.length === 0) {
    const names = symbols.join(', ');
    if (config.shape === 'fragment')
      return [{ result: 'info', location: { path }, message: `${names} not set in this fragment; ${FRAGMENT_NOTE}` }];
    return [absentInFull(rule, path, `${names} ${symbols.length > 1 ? 'are' : 'is'} not in this .config`, 'not-applicable')];
  }
  return present.map((entry): FindingDraft => {
    const value = entry.number;
    if (value === undefined) {
      return {
        result: 'fail',
        location: at(path, entry),
        message: `${entry.name} is ${entry.raw}, not a number; expected ${describeWant(rule)}`,
        evidence: entry.text,
      };
    }
    const ok =
      rule.want === 'equals'
        ? value === rule.value
        : rule.want === 'at-least'
          ? value >= (rule.value as number)
          : value <= (rule.value as number);
    return {
      result: ok ? 'pass' : 'fail',
      location: at(path, entry),
      message: `${entry.name}=${entry.raw}${ok ? '' : `; expected ${describeWant(rule)}`}`,
      evidence: entry.text,
    };
  });
}

function describeWant(rule: SymbolRule): string {
  return rule.want === 'equals' ? `${rule.value}` : rule.want === 'at-least' ? `${rule.value} or more` : `${rule.value} or less`;
}

function absentInFull(rule: SymbolRule, path: string, what: string, fallback: FindingDraft['result']): FindingDraft {
  const result = rule.whenAbsent ?? fallback;
  const why =
    result === 'not-applicable'
      ? ': the option does not exist for this board or architecture, or its dependencies are not met'
      : result === 'fail' && rule.want === 'enabled'
        ? ', so it is off (a .config lists every option whose dependencies are met)'
        : '';
  return { result, location: { path }, message: `${what}${why}` };
}

/** `CONFIG_X is not set` for the generated comment form, `CONFIG_X=n` as written otherwise. */
export function describeEntry(entry: KconfigEntry): string {
  return entry.text.startsWith('#') ? `${entry.name} is not set` : `${entry.name}=${entry.raw}`;
}

export function at(path: string, entry: KconfigEntry | undefined): { path: string; line?: number } {
  return entry ? { path, line: entry.line } : { path };
}
