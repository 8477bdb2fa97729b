// MCUboot ships sample signing and encryption keys (root-ec-p256.pem…) whose private halves are
// public, and sysbuild defaults to them. An image signed with one can be replaced by anyone's.
import type { FindingDraft } from '../../check.ts';
import type { KeyFileRule } from './hardening-rules.ts';
import { applicability, at, FRAGMENT_NOTE, inDomain, type RuleContext } from './symbol-rules.ts';

export type SampleMatch = 'mcuboot-directory' | 'file-name' | undefined;

/**
 * How surely a key path is one of MCUboot's sample keys: in MCUboot's own tree, or only by its name.
 * @param relativeToMcuboot MCUboot's own BOOT_*_KEY_FILE symbols resolve relative paths against the MCUboot repository.
 */
export function sampleKeyMatch(
  value: string,
  rule: Pick<KeyFileRule, 'sampleFiles' | 'samplePrefixes'>,
  relativeToMcuboot = false,
): SampleMatch {
  const path = value.trim().replaceAll('\\', '/');
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1).toLowerCase();
  const directory = slash === -1 ? '' : path.slice(0, slash);
  const lastDirectory = directory.slice(directory.lastIndexOf('/') + 1).toLowerCase();
  const relative = !/^([/$~]|[A-Za-z]:)/.test(path);
  const inMcuboot =
    lastDirectory === 'mcuboot' || /ZEPHYR_MCUBOOT_MODULE_DIR/.test(directory) || (relativeToMcuboot && relative && directory === '');
  const listed = rule.sampleFiles.some((f) => f.toLowerCase() === name);
  const prefixed = rule.samplePrefixes.some((p) => name.startsWith(p.toLowerCase()));
  if (inMcuboot && (listed || prefixed)) return 'mcuboot-directory';
  if (listed) return 'file-name';
  return undefined;
}

export function evaluateKeyFileRule(rule: KeyFileRule, context: RuleContext): FindingDraft[] {
  const { file, config, path } = context;
  const symbols = inDomain(rule.symbols, context);
  if (symbols.length === 0) return [];
  const gate = applicability(rule.when, [], context);
  if (gate) return [gate];
  const drafts: FindingDraft[] = [];
  for (const symbol of symbols) {
    const entry = file.entries.get(symbol);
    if (!entry) continue;
    const value = entry.string ?? entry.raw;
    if (value.trim() === '' || entry.enabled === false) {
      drafts.push({
        result: rule.whenUnset,
        location: at(path, entry),
        message: `${symbol} names no key file: ${rule.unsetMeaning}`,
        evidence: entry.text,
      });
      continue;
    }
    // CONFIG_BOOT_… symbols are MCUboot's own configuration, whose relative paths start at the MCUboot repository.
    const match = sampleKeyMatch(value, rule, symbol.startsWith('CONFIG_BOOT_'));
    const name = value.replaceAll('\\', '/').split('/').pop();
    if (match === 'mcuboot-directory') {
      drafts.push({
        result: 'fail',
        location: at(path, entry),
        message: `${symbol} is MCUboot's published sample key ${name}: its private half is public, so anyone can produce images this device accepts`,
        evidence: entry.text,
      });
    } else if (match === 'file-name') {
      drafts.push({
        result: 'fail',
        severity: 'high',
        location: at(path, entry),
        message: `${symbol} has the name of MCUboot's published sample key ${name}; unless it is a key you generated yourself under that name, its private half is public`,
        evidence: entry.text,
      });
    } else {
      drafts.push({
        result: 'pass',
        location: at(path, entry),
        message: `${symbol} names ${name}, not a published MCUboot sample key`,
        evidence: entry.text,
      });
    }
  }
  if (drafts.length > 0) return drafts;
  const names = symbols.join(', ');
  if (config.shape === 'full')
    return [{ result: rule.whenUnset, location: { path }, message: `${names} ${symbols.length > 1 ? 'are' : 'is'} not in this .config` }];
  const defaulting = inDomain(rule.defaultsToSample, context);
  if (defaulting.length > 0) {
    return [
      {
        result: 'info',
        location: { path },
        message: `${defaulting.join(', ')} is not set in this fragment; unless another fragment sets it, sysbuild falls back to MCUboot's sample key, whose private half is public`,
      },
    ];
  }
  return [{ result: 'info', location: { path }, message: `${names} not set in this fragment; ${FRAGMENT_NOTE}` }];
}
