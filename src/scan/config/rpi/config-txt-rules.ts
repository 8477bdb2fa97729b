// The config.txt detectors: UART and JTAG on the 40-pin header, debug firmware, USB gadget mode,
// interface parameters, kernel facts, include directives, and the secure-boot OTP settings that
// recovery.bin reads from its own config.txt.
import type { Finding } from '../../../findings/schema.ts';
import { type FindingDraft, toFinding } from '../../check.ts';
import { describeScope, scopeLabel } from './conditional-sections.ts';
import { type ConfigTxt, overlayParams } from './config-txt-parser.ts';
import { RECOVERY_KEYS } from './eeprom-config.ts';
import { checkMeta, type RpiRule, type RuleOf, rpiRules } from './rpi-rules.ts';
import {
  absentDraft,
  draftFor,
  effectiveOf,
  evaluateFlag,
  evaluateMisplaced,
  evaluateOverlays,
  located,
  type RpiContext,
  shown,
} from './setting-rules.ts';

export function isRecoveryConfig(config: ConfigTxt): boolean {
  return config.settings.some((s) => RECOVERY_KEYS.includes(s.key));
}

export function checkConfigTxt(path: string, config: ConfigTxt, appended = false): Finding[] {
  const context: RpiContext = { path, config, recovery: isRecoveryConfig(config), appended };
  return rpiRules('rpi').flatMap((rule) =>
    evaluate(rule, context).map((draft) =>
      toFinding(
        checkMeta('rpi', rule),
        appended ? { ...draft, message: `in the EEPROM config's [config.txt] section, appended to config.txt: ${draft.message}` } : draft,
      ),
    ),
  );
}

function evaluate(rule: RpiRule, context: RpiContext): FindingDraft[] {
  switch (rule.detector) {
    case 'flag':
      return evaluateFlag(rule, context);
    case 'overlays':
    case 'base-params':
      return evaluateOverlays(rule, context);
    case 'bluetooth-uart':
      return evaluateBluetoothUart(rule, context);
    case 'usb-gadget':
      return evaluateUsbGadget(rule, context);
    case 'debug-firmware':
      return evaluateDebugFirmware(context);
    case 'fact':
      return evaluateFacts(rule, context);
    case 'include':
      return evaluateIncludes(context);
    case 'misplaced':
      return evaluateMisplaced(rule, context);
    case 'boot-order':
    case 'http-host':
      throw new Error(`config.txt rule ${rule.id}: detector ${rule.detector} reads the bootloader EEPROM config`);
  }
}

/**
 * disable-bt and miniuart-bt hand the PL011 to GPIO 14/15 as the primary UART, and with a PL011 primary
 * the firmware's default is enable_uart=1 (UART configuration documentation): the header gets a serial
 * port unless enable_uart=0 says otherwise.
 */
function evaluateBluetoothUart(rule: RuleOf<'bluetooth-uart'>, context: RpiContext): FindingDraft[] {
  const overlays = rule.overlays.flatMap((name) => effectiveOf(context.config, `dtoverlay:${name}`));
  if (overlays.length === 0) {
    return context.appended
      ? []
      : [{ result: 'pass', location: { path: context.path }, message: `none of ${rule.overlays.join(', ')} is loaded` }];
  }
  const uart = effectiveOf(context.config, 'enable_uart');
  const allOff = uart.length > 0 && uart.every((u) => u.setting.value.trim() === '0');
  return overlays.map((o) =>
    allOff
      ? draftFor(context, 'info', o, `; the PL011 is the primary UART on GPIO 14/15, but enable_uart=0 keeps it off`)
      : draftFor(
          context,
          'fail',
          o,
          uart.length
            ? `; the PL011 becomes the primary UART on GPIO 14/15 and ${uart.map((u) => `line ${u.setting.line} sets ${shown(u.setting)}`).join(', ')}`
            : '; the PL011 becomes the primary UART on GPIO 14/15, where enable_uart then defaults to 1',
        ),
  );
}

/** The dwc2 controller defaults to dr_mode=otg, i.e. it can be a USB device (gadget) for g_serial or g_ether. */
function evaluateUsbGadget(rule: RuleOf<'usb-gadget'>, context: RpiContext): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  for (const name of rule.overlays) {
    for (const e of effectiveOf(context.config, `dtoverlay:${name}`)) {
      const mode = overlayParams(e.setting, context.config.settings).get('dr_mode');
      const value = mode?.value.trim().toLowerCase() ?? 'otg';
      drafts.push(
        value === 'host'
          ? draftFor(context, 'pass', e, `: host mode only${mode && mode.line !== e.setting.line ? ` (line ${mode.line})` : ''}`)
          : draftFor(
              context,
              'fail',
              e,
              `: dr_mode=${value}${mode ? '' : ' (the default)'} lets the port act as a USB device; with g_serial or g_ether (cmdline.txt modules-load=, /etc/modules) it is a console or network link`,
            ),
      );
    }
  }
  if (drafts.length > 0 || context.appended) return drafts;
  return [{ result: 'pass', location: { path: context.path }, message: `${rule.overlays.join(', ')} not loaded: no USB device mode` }];
}

function evaluateDebugFirmware(context: RpiContext): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  for (const e of effectiveOf(context.config, 'start_debug')) {
    if (e.setting.value.trim() !== '0') drafts.push(draftFor(context, 'fail', e, ': loads the debug firmware start_db.elf'));
  }
  for (const e of effectiveOf(context.config, 'start_file')) {
    if (/db\.elf$/i.test(e.setting.value.trim())) drafts.push(draftFor(context, 'fail', e, ': a debug build of the GPU firmware'));
  }
  if (drafts.length > 0 || context.appended) return drafts;
  return [{ result: 'pass', location: { path: context.path }, message: 'no debug firmware selected (start_debug, start_file)' }];
}

function evaluateFacts(rule: RuleOf<'fact'>, context: RpiContext): FindingDraft[] {
  const drafts = rule.keys.flatMap((key) => effectiveOf(context.config, key).map((e) => draftFor(context, 'info', e)));
  if (drafts.length > 0) return drafts.sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0));
  return absentDraft(context, 'not-applicable', rule.keys, 'the firmware loads its default kernel for the model');
}

function evaluateIncludes(context: RpiContext): FindingDraft[] {
  const includes = context.config.includes.filter((i) => !i.scope.none);
  if (includes.length > 0) {
    return includes.map((i) => ({
      result: 'info',
      location: located(context, i),
      message: `include ${i.value}${scopeLabel(i.scope) ? ` under ${scopeLabel(i.scope)}` : ''} (${describeScope(i.scope)}): not followed; scan ${i.value} as well, its settings count as if written here`,
      evidence: i.text,
    }));
  }
  if (context.appended) return [];
  return [{ result: 'pass', location: { path: context.path }, message: 'no include directives: every setting is in this file' }];
}
