// The Raspberry Pi rules are data: catalog/rules/rpi-config.yaml (config.txt) and rpi-eeprom.yaml
// (the bootloader EEPROM config). Each row names its detector and that detector's parameters; the
// detectors live in config-txt-rules.ts and eeprom-rules.ts.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { parseWithSchema, readYamlFile } from '../../../io/yaml-file.ts';
import { type CheckMeta, type RuleListing, settingRuleBase } from '../../check.ts';

const key = z.string().regex(/^[A-Za-z0-9_.:+-]+$/);
const result = z.enum(['fail', 'pass', 'not-applicable', 'info']);

/** A key whose (effective) value must be off, on, or empty. */
const flagRule = z.strictObject({
  ...settingRuleBase,
  detector: z.literal('flag'),
  keys: z.array(key).min(1),
  want: z.enum(['off', 'on', 'empty']),
  /** When no line sets any of the keys (or only under [none]). */
  absent: result,
  /** Why the firmware default is what it is, for the absent message. */
  absentMessage: z.string().min(3).optional(),
  /** What a wrong value yields: a failure, or only information. */
  onBad: z.enum(['fail', 'info']).default('fail'),
  /** Evaluate only in a secure-boot recovery config.txt (the one recovery.bin reads). */
  context: z.literal('recovery').optional(),
});

/** Device-tree overlays and base parameters that switch an interface on. */
const overlayRule = z.strictObject({
  ...settingRuleBase,
  detector: z.enum(['overlays', 'base-params']),
  overlays: z.array(key).default([]),
  dtparams: z.array(key).default([]),
  onBad: z.enum(['fail', 'info']).default('fail'),
});

/** Overlays that make the PL011 the primary UART on GPIO 14/15, where enable_uart then defaults to 1. */
const bluetoothUartRule = z.strictObject({ ...settingRuleBase, detector: z.literal('bluetooth-uart'), overlays: z.array(key).min(1) });
/** USB controller overlays that can act as a device (gadget) unless put in host mode. */
const usbGadgetRule = z.strictObject({ ...settingRuleBase, detector: z.literal('usb-gadget'), overlays: z.array(key).min(1) });
/** Alternative firmware files; `start_debug=1` or a start_file ending in `db.elf`. */
const debugFirmwareRule = z.strictObject({ ...settingRuleBase, detector: z.literal('debug-firmware') });
/** Settings reported as facts: kernel and initramfs names. */
const factRule = z.strictObject({ ...settingRuleBase, detector: z.literal('fact'), keys: z.array(key).min(1) });
const includeRule = z.strictObject({ ...settingRuleBase, detector: z.literal('include') });
/** BOOT_ORDER nibbles that boot from something other than the device's own storage. */
const bootOrderRule = z.strictObject({ ...settingRuleBase, detector: z.literal('boot-order') });
const httpHostRule = z.strictObject({ ...settingRuleBase, detector: z.literal('http-host') });
/** Keys that belong in another file, where the firmware actually reads them. */
const misplacedRule = z.strictObject({
  ...settingRuleBase,
  detector: z.literal('misplaced'),
  keys: z.array(key).min(1),
  belongsIn: z.string().min(3),
});

export const rpiRuleSchema = z.discriminatedUnion('detector', [
  flagRule,
  overlayRule,
  bluetoothUartRule,
  usbGadgetRule,
  debugFirmwareRule,
  factRule,
  includeRule,
  bootOrderRule,
  httpHostRule,
  misplacedRule,
]);
export type RpiRule = z.infer<typeof rpiRuleSchema>;
export type RuleOf<D extends RpiRule['detector']> = Extract<RpiRule, { detector: D }>;

const rulesFileSchema = z.strictObject({ sources: z.array(z.string().min(3)).min(1), rules: z.array(rpiRuleSchema).min(1) });

export type RpiRuleSet = 'rpi' | 'rpi-eeprom';
const FILES: Record<RpiRuleSet, string> = { rpi: 'rpi-config.yaml', 'rpi-eeprom': 'rpi-eeprom.yaml' };
const cache = new Map<RpiRuleSet, RpiRule[]>();

export function rpiRules(set: RpiRuleSet): RpiRule[] {
  const cached = cache.get(set);
  if (cached) return cached;
  const path = `${CATALOG_DIR}rules/${FILES[set]}`;
  const rules = parseWithSchema(readYamlFile(path), rulesFileSchema).rules;
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) throw new Error(`${path}: rule id ${rule.id} is used twice`);
    ids.add(rule.id);
  }
  cache.set(set, rules);
  return rules;
}

export function checkMeta(set: RpiRuleSet, rule: RpiRule): CheckMeta {
  return {
    id: `config/${set}/${rule.id}`,
    title: rule.title,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    remediation: rule.remediation,
  };
}

export function ruleListing(set: RpiRuleSet, rule: RpiRule): RuleListing {
  return {
    kind: 'rpi',
    id: `config/${set}/${rule.id}`,
    title: rule.title,
    setting: rule.setting,
    expected: rule.expected,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: rule.rationale,
    source: rule.source,
  };
}
