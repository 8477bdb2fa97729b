// Zephyr marks unfinished and retiring features by having them select the hidden symbols EXPERIMENTAL
// and DEPRECATED; WARN_EXPERIMENTAL / WARN_DEPRECATED only decide whether the build prints a warning.
// In a full .config the marker is authoritative. The short list of known symbols names the likely
// culprit, and is the only clue in a fragment; lists age, so a listed symbol the build no longer marks
// is reported as information, not as a failure.
import type { FindingDraft } from '../../check.ts';
import type { LifecycleRule } from './hardening-rules.ts';
import type { KconfigEntry } from './kconfig-parser.ts';
import { at, FRAGMENT_NOTE, inDomain, type RuleContext } from './symbol-rules.ts';

export function evaluateLifecycleRule(rule: LifecycleRule, context: RuleContext): FindingDraft[] {
  const { file, config, path } = context;
  if (inDomain([rule.marker], context).length === 0) return [];
  const status = rule.marker.replace(/^(SB_)?CONFIG_/, '').toLowerCase();
  const marker = file.entries.get(rule.marker);
  const listed = rule.known
    .map((k) => ({ known: k, entry: file.entries.get(k.symbol) }))
    .filter((k): k is { known: LifecycleRule['known'][number]; entry: KconfigEntry } => k.entry?.enabled === true);
  const warning = rule.warning ? file.entries.get(rule.warning) : undefined;
  const warningNote = rule.warning
    ? `; ${rule.warning} ${warning?.enabled ? 'is on, so the build warned' : 'is off, so the build did not warn'}`
    : '';

  if (marker?.enabled) {
    const culprits = listed.length ? ` (listed here: ${listed.map((l) => l.entry.name).join(', ')})` : '';
    return [
      {
        result: 'fail',
        location: at(path, marker),
        message: `${marker.name}=y: an enabled option is ${status}${culprits}${warningNote}`,
        evidence: marker.text,
      },
      ...listed.map((l): FindingDraft => ({
        result: 'fail',
        location: at(path, l.entry),
        message: `${l.entry.name}=${l.entry.raw} is ${status} (${l.known.source})`,
        evidence: l.entry.text,
      })),
    ];
  }
  if (listed.length > 0) {
    const why =
      config.shape === 'full'
        ? `but this build does not select ${rule.marker}, so this Zephyr version no longer marks it ${status}`
        : `${rule.marker} in the generated .config tells whether your Zephyr version still marks it so`;
    return listed.map((l) => ({
      result: 'info',
      location: at(path, l.entry),
      message: `${l.entry.name}=${l.entry.raw} is listed as ${status} (${l.known.source}); ${why}`,
      evidence: l.entry.text,
    }));
  }
  if (config.shape === 'fragment')
    return [{ result: 'info', location: { path }, message: `this fragment enables no symbol known to be ${status}; ${FRAGMENT_NOTE}` }];
  return [
    { result: 'pass', location: at(path, marker), message: `${rule.marker} is not selected: no enabled option is ${status}${warningNote}` },
  ];
}
