// The Raspberry Pi kind: config.txt (check ids config/rpi/…) and the bootloader EEPROM config
// (config/rpi-eeprom/…; its [config.txt] section is checked with the config.txt rules).
import type { ConfigFile, ConfigKind, ConfigScan } from '../config-kind.ts';
import { type ConfigTxt, CONFIG_TXT_LINE_LIMIT, parseConfigTxt } from './config-txt-parser.ts';
import { checkConfigTxt, isRecoveryConfig } from './config-txt-rules.ts';
import { describeScope } from './conditional-sections.ts';
import { detectRpi } from './detect-rpi.ts';
import { isEepromConfig, splitEepromConfig } from './eeprom-config.ts';
import { checkEeprom } from './eeprom-rules.ts';
import { ruleListing, rpiRules } from './rpi-rules.ts';

export const rpiKind: ConfigKind = {
  name: 'rpi',
  description: 'Raspberry Pi config.txt and bootloader EEPROM config (rpi-eeprom-config), conditional sections included',
  detect: detectRpi,
  scan: scanRpi,
  rules: () => [...rpiRules('rpi').map((r) => ruleListing('rpi', r)), ...rpiRules('rpi-eeprom').map((r) => ruleListing('rpi-eeprom', r))],
};

export function scanRpi(file: ConfigFile): ConfigScan {
  if (isEepromConfig(file.text)) return scanEeprom(file);
  const config = parseConfigTxt(file.path, file.text, { lineLimit: CONFIG_TXT_LINE_LIMIT });
  const facts: Record<string, string> = {
    format: isRecoveryConfig(config) ? 'config.txt for recovery.bin (secure-boot provisioning)' : 'config.txt',
    ...commonFacts(config),
  };
  return { findings: checkConfigTxt(file.path, config), facts, incomplete: [...config.incomplete, ...includesNotRead(file.path, config)] };
}

function scanEeprom(file: ConfigFile): ConfigScan {
  const parts = splitEepromConfig(file.text);
  const bootloader = parseConfigTxt(file.path, parts.bootloader);
  const findings = checkEeprom(file.path, bootloader);
  const incomplete = [...bootloader.incomplete];
  const facts: Record<string, string> = { format: 'bootloader EEPROM config', ...commonFacts(bootloader) };
  if (parts.configTxt) {
    const appended = parseConfigTxt(file.path, parts.configTxt.text, {
      firstLine: parts.configTxt.firstLine,
      lineLimit: CONFIG_TXT_LINE_LIMIT,
    });
    findings.push(...checkConfigTxt(file.path, appended, true));
    incomplete.push(...appended.incomplete, ...includesNotRead(file.path, appended));
    facts.appended = `[config.txt] section from line ${parts.configTxt.firstLine - 1}, appended by the firmware to config.txt`;
  }
  return { findings, facts, incomplete };
}

function commonFacts(config: ConfigTxt): Record<string, string> {
  const facts: Record<string, string> = {};
  const sections = [...new Set(config.sections.map((s) => `[${s.text}]`))];
  if (sections.length) facts.sections = sections.join(' ');
  const arm64 = config.settings.filter((s) => s.key === 'arm_64bit' && !s.scope.none).at(-1);
  if (arm64) facts.arm_64bit = `${arm64.value} (${describeScope(arm64.scope)})`;
  if (config.unparsed > 0) facts.unparsed = `${config.unparsed} line${config.unparsed === 1 ? '' : 's'} not in key=value form`;
  return facts;
}

/** An include names a file we were not given: say so, never a silent success. */
function includesNotRead(path: string, config: ConfigTxt): Array<{ part: string; reason: string }> {
  return config.includes
    .filter((i) => !i.scope.none)
    .map((i) => ({
      part: `${path}:${i.line} include ${i.value}`,
      reason: 'included file not read; pass it to baseline scan config as well',
    }));
}
