// Shared bits of the Zephyr tests: scanning a text, and finding one rule's findings.
import type { Finding } from '../../../../src/findings/schema.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { zephyrKind } from '../../../../src/scan/config/zephyr/index.ts';
import type { ConfigScan } from '../../../../src/scan/config/config-kind.ts';

export function scanText(text: string, path = 'prj.conf'): ConfigScan {
  return zephyrKind.scan(configFileFrom(path, new TextEncoder().encode(text)), {});
}

export function findingsOf(scan: ConfigScan, rule: string): Finding[] {
  return scan.findings.filter((f) => f.check === `config/zephyr/${rule}`);
}

/** Enough generated-file markers for the text to read as a full .config. */
export const FULL_HEADER = `CONFIG_BOARD="nrf52840dk"
CONFIG_SOC="nrf52840"
CONFIG_ARCH="arm"
#
# Logging
#
# end of Logging
#
# Boot Options
#
# end of Boot Options
`;

/** A full sysbuild .config preamble. */
export const SYSBUILD_HEADER = `SB_CONFIG_BOARD="nrf52840dk"
SB_CONFIG_SOC="nrf52840"
`;
