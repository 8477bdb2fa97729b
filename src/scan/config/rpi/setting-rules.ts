// Detectors shared by config.txt and the bootloader EEPROM config: a key that must be off, on or
// empty; overlays and parameters that switch an interface on; keys placed where nothing reads them.
// Every one judges only the settings that take effect on some board (conditional-sections.ts).
import type { FindingDraft } from '../../check.ts';
import { type Effective, effectiveSettings, whereItApplies } from './conditional-sections.ts';
import { type ConfigTxt, isOn, numberOf, type Setting, settingsFor } from './config-txt-parser.ts';
import type { RuleOf } from './rpi-rules.ts';

export interface RpiContext {
  path: string;
  config: ConfigTxt;
  /** The file is the config.txt that recovery.bin reads to program secure boot. */
  recovery: boolean;
  /** Settings appended from the EEPROM's [config.txt] section: report what is set, not what is missing. */
  appended: boolean;
}

export function located(context: RpiContext, setting: Setting): { path: string; line: number } {
  return { path: context.path, line: setting.line };
}

/** How a setting reads in a message: `enable_uart=1`, `dtparam=uart0=on`, `dtoverlay=dwc2,dr_mode=otg`. */
export function shown(setting: Setting): string {
  if (setting.key.startsWith('dtparam:')) return `dtparam=${setting.key.slice(8)}=${setting.value}`;
  if (setting.key.startsWith('dtoverlay:')) return `dtoverlay=${setting.key.slice(10)}${setting.value ? `,${setting.value}` : ''}`;
  if (setting.key === 'initramfs') return `initramfs ${setting.value}`;
  return `${setting.key}=${setting.value}`;
}

export function effectiveOf(config: ConfigTxt, key: string): Array<Effective<Setting>> {
  return effectiveSettings(settingsFor(config, key));
}

export function draftFor(context: RpiContext, result: FindingDraft['result'], effective: Effective<Setting>, detail = ''): FindingDraft {
  return {
    result,
    location: located(context, effective.setting),
    message: `${shown(effective.setting)}${whereItApplies(effective)}${detail}`,
    evidence: effective.setting.text,
  };
}

/** The result for a setting nobody sets, mentioning lines that only [none] holds. */
export function absentDraft(context: RpiContext, result: FindingDraft['result'], keys: readonly string[], note: string): FindingDraft[] {
  if (context.appended) return [];
  const parked = keys.flatMap((k) => settingsFor(context.config, k)).filter((s) => s.scope.none);
  const what = keys.join(' / ');
  const message = parked.length
    ? `${what} only set under [none] (line ${parked.map((s) => s.line).join(', ')}), which never applies; ${note}`
    : `${what} not set; ${note}`;
  return [{ result, location: { path: context.path }, message }];
}

function isBadFlag(want: 'off' | 'on' | 'empty', value: string): boolean {
  if (want === 'empty') return value.trim() !== '';
  const on = (numberOf(value) ?? 0) !== 0;
  return want === 'off' ? on : !on;
}

export function evaluateFlag(rule: RuleOf<'flag'>, context: RpiContext): FindingDraft[] {
  if (rule.context === 'recovery' && !context.recovery) return [];
  const bad: Array<Effective<Setting>> = [];
  const good: Array<Effective<Setting>> = [];
  for (const key of rule.keys)
    for (const e of effectiveOf(context.config, key)) (isBadFlag(rule.want, e.setting.value) ? bad : good).push(e);
  if (bad.length > 0) return bad.map((e) => draftFor(context, rule.onBad, e));
  if (good.length > 0) {
    const last = good.reduce((a, b) => (b.setting.line > a.setting.line ? b : a));
    return [{ ...draftFor(context, 'pass', last), message: good.map((e) => `${shown(e.setting)}${whereItApplies(e)}`).join('; ') }];
  }
  return absentDraft(context, rule.absent, rule.keys, rule.absentMessage ?? 'the firmware default applies');
}

/** Overlays that are loaded, and base parameters that are on, each a finding of its own. */
export function evaluateOverlays(rule: RuleOf<'overlays' | 'base-params'>, context: RpiContext): FindingDraft[] {
  const bad: Array<Effective<Setting>> = [];
  const good: Array<Effective<Setting>> = [];
  for (const name of rule.overlays) bad.push(...effectiveOf(context.config, `dtoverlay:${name}`));
  for (const param of rule.dtparams) {
    for (const e of effectiveOf(context.config, `dtparam:${param}`)) (isOn(e.setting.value) ? bad : good).push(e);
  }
  bad.sort((a, b) => a.setting.line - b.setting.line);
  if (bad.length > 0) return bad.map((e) => draftFor(context, rule.onBad, e));
  if (good.length > 0)
    return [
      { ...draftFor(context, 'pass', good[good.length - 1] as Effective<Setting>), message: good.map((e) => shown(e.setting)).join('; ') },
    ];
  if (context.appended) return [];
  return [{ result: 'pass', location: { path: context.path }, message: `none of ${rule.setting} is set` }];
}

/** Keys written in a file that does not read them (compared without regard to case). */
export function evaluateMisplaced(rule: RuleOf<'misplaced'>, context: RpiContext): FindingDraft[] {
  const wanted = new Set(rule.keys.map((k) => k.toLowerCase()));
  const found = context.config.settings.filter((s) => wanted.has(s.key.toLowerCase()) && !s.scope.none);
  if (found.length > 0) {
    return found.map((s) => ({
      result: 'info',
      location: located(context, s),
      message: `${shown(s)} has no effect here: ${rule.belongsIn}`,
      evidence: s.text,
    }));
  }
  if (context.appended) return [];
  return [{ result: 'pass', location: { path: context.path }, message: `none of ${rule.keys.join(', ')} is set here` }];
}
