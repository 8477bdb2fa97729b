// The bootloader EEPROM detectors: boot UART, signed boot, update freezing, network logging,
// the boot order, HTTP boot, and secure-boot OTP keys written where the bootloader ignores them.
import type { Finding } from '../../../findings/schema.ts';
import { type FindingDraft, toFinding } from '../../check.ts';
import type { ConfigTxt, Setting } from './config-txt-parser.ts';
import { BOOT_MODES, bootModes } from './eeprom-config.ts';
import { checkMeta, type RpiRule, rpiRules } from './rpi-rules.ts';
import {
  absentDraft,
  draftFor,
  effectiveOf,
  evaluateFlag,
  evaluateMisplaced,
  evaluateOverlays,
  type RpiContext,
  shown,
} from './setting-rules.ts';
import type { Effective } from './conditional-sections.ts';

/** The default when BOOT_ORDER is empty (bootloader configuration documentation). */
const DEFAULT_BOOT_ORDER = '0xf41';

export function checkEeprom(path: string, config: ConfigTxt): Finding[] {
  const context: RpiContext = { path, config, recovery: false, appended: false };
  return rpiRules('rpi-eeprom').flatMap((rule) => evaluate(rule, context).map((draft) => toFinding(checkMeta('rpi-eeprom', rule), draft)));
}

function evaluate(rule: RpiRule, context: RpiContext): FindingDraft[] {
  switch (rule.detector) {
    case 'flag':
      return evaluateFlag(rule, context);
    case 'overlays':
    case 'base-params':
      return evaluateOverlays(rule, context);
    case 'misplaced':
      return evaluateMisplaced(rule, context);
    case 'boot-order':
      return evaluateBootOrder(context);
    case 'http-host':
      return evaluateHttpHost(context);
    default:
      throw new Error(`EEPROM rule ${rule.id}: detector ${rule.detector} reads config.txt`);
  }
}

function signedBoot(context: RpiContext): Array<Effective<Setting>> {
  return effectiveOf(context.config, 'SIGNED_BOOT').filter((e) => e.setting.value.trim() === '1');
}

function describeModes(modes: readonly string[]): string {
  const last = modes.at(-1);
  const tried = modes.filter((m) => m !== 'e' && m !== 'f').map((m) => BOOT_MODES[m]?.name ?? `unknown mode 0x${m}`);
  return `${tried.join(', then ')}${last === 'f' ? ' (then starts over)' : last === 'e' ? ' (then stops)' : ''}`;
}

/** Booting from USB or the network lets whoever controls that medium choose the operating system, unless images must be signed. */
function evaluateBootOrder(context: RpiContext): FindingDraft[] {
  const signed = signedBoot(context).length > 0;
  const caveat = signed
    ? ' SIGNED_BOOT=1 is set, so every medium must provide a boot.img signed with your key.'
    : ' Without signed boot, whoever controls such a medium chooses the operating system.';
  const orders = effectiveOf(context.config, 'BOOT_ORDER');
  if (orders.length === 0) {
    const modes = bootModes(DEFAULT_BOOT_ORDER) as string[];
    return absentDraft(context, 'info', ['BOOT_ORDER'], `the default ${DEFAULT_BOOT_ORDER} tries ${describeModes(modes)}.${caveat}`);
  }
  return orders.map((e) => {
    const modes = bootModes(e.setting.value);
    if (!modes) return draftFor(context, 'info', e, ': not a hexadecimal boot order; the bootloader falls back to its default');
    const external = modes.filter((m) => BOOT_MODES[m]?.external);
    if (external.length === 0) return draftFor(context, 'pass', e, `: boots only from the device's own storage: ${describeModes(modes)}`);
    const names = external.map((m) => BOOT_MODES[m]?.name as string).join(' and ');
    return draftFor(
      context,
      'info',
      e,
      `: tries ${describeModes(modes)}; ${names} ${external.length > 1 ? 'are' : 'is'} outside the device's own storage.${caveat}`,
    );
  });
}

/** Setting HTTP_HOST switches HTTP boot and network install from HTTPS to plain HTTP. */
function evaluateHttpHost(context: RpiContext): FindingDraft[] {
  const hosts = effectiveOf(context.config, 'HTTP_HOST').filter((e) => e.setting.value.trim() !== '');
  if (hosts.length === 0)
    return absentDraft(context, 'pass', ['HTTP_HOST'], 'HTTP boot and network install use HTTPS to the Raspberry Pi server');
  const signed = signedBoot(context);
  return hosts.map((e) =>
    signed.length > 0
      ? draftFor(
          context,
          'info',
          e,
          `: boot images come over plain HTTP, but ${shown(signed[0]?.setting as Setting)} means they must be signed with your key`,
        )
      : draftFor(
          context,
          'fail',
          e,
          ': boot images come over plain HTTP and SIGNED_BOOT is not set, so anyone on the network path can serve their own',
        ),
  );
}
