// The Raspberry Pi 4/5 bootloader keeps its own configuration in the SPI EEPROM (shown and edited
// with rpi-eeprom-config): config.txt syntax, upper-case properties. A `[config.txt]` section at
// the end holds lines the firmware appends to the boot partition's config.txt.
// Reference: https://www.raspberrypi.com/documentation/computers/raspberry-pi.html#raspberry-pi-bootloader-configuration

/** Properties documented for the bootloader configuration. */
export const EEPROM_KEYS = new Set([
  'BOOT_UART',
  'UART_BAUD',
  'WAKE_ON_GPIO',
  'POWER_OFF_ON_HALT',
  'WAIT_FOR_POWER_BUTTON',
  'BOOT_ORDER',
  'BOOT_WATCHDOG_TIMEOUT',
  'BOOT_WATCHDOG_PARTITION',
  'MAX_RESTARTS',
  'SD_BOOT_MAX_RETRIES',
  'SD_OVERCURRENT_CHECK',
  'SD_QUIRKS',
  'NET_BOOT_MAX_RETRIES',
  'DHCP_TIMEOUT',
  'DHCP_REQ_TIMEOUT',
  'TFTP_FILE_TIMEOUT',
  'TFTP_IP',
  'TFTP_PREFIX',
  'TFTP_PREFIX_STR',
  'PXE_OPTION43',
  'DHCP_OPTION97',
  'MAC_ADDRESS',
  'MAC_ADDRESS_OTP',
  'CLIENT_IP',
  'SUBNET',
  'GATEWAY',
  'DISABLE_HDMI',
  'HDMI_DELAY',
  'ENABLE_SELF_UPDATE',
  'FREEZE_VERSION',
  'HTTP_HOST',
  'HTTP_PORT',
  'HTTP_PATH',
  'IMAGER_REPO_URL',
  'NET_INSTALL_ENABLED',
  'NET_INSTALL_AT_POWER_ON',
  'NET_INSTALL_KEYBOARD_WAIT',
  'NETCONSOLE',
  'PARTITION',
  'PARTITION_WALK',
  'BOOTVAR0',
  'PSU_MAX_CURRENT',
  'USB_MSD_EXCLUDE_VID_PID',
  'USB_MSD_DISCOVER_TIMEOUT',
  'USB_MSD_LUN_TIMEOUT',
  'USB_MSD_PWR_OFF_TIME',
  'USB_MSD_STARTUP_DELAY',
  'VL805',
  'XHCI_DEBUG',
  'SDRAM_BANKLOW',
  'SIGNED_BOOT',
  'PCIE_PROBE',
]);

const SECTION_CONFIG_TXT = /^\s*\[config\.txt\]\s*$/i;
const KEY_LINE = /^\s*([A-Za-z0-9_]{1,64})\s*=/;

export interface EepromParts {
  /** The bootloader's own properties. */
  bootloader: string;
  /** Lines after `[config.txt]`, appended by the firmware to config.txt; undefined when absent. */
  configTxt?: { text: string; firstLine: number };
}

export function splitEepromConfig(text: string): EepromParts {
  const lines = text.split(/\r\n|\n|\r/);
  const at = lines.findIndex((l) => SECTION_CONFIG_TXT.test(l));
  if (at === -1) return { bootloader: text };
  return { bootloader: lines.slice(0, at).join('\n'), configTxt: { text: lines.slice(at + 1).join('\n'), firstLine: at + 2 } };
}

/** Bootloader EEPROM config or config.txt: the upper-case bootloader properties tell them apart. */
export function isEepromConfig(text: string): boolean {
  const { bootloader } = splitEepromConfig(text.length > 1024 * 1024 ? text.slice(0, 1024 * 1024) : text);
  let eeprom = 0;
  let upper = 0;
  let lower = 0;
  for (const line of bootloader.split(/\r\n|\n|\r/, 10_000)) {
    const key = KEY_LINE.exec(line)?.[1];
    if (!key) continue;
    if (EEPROM_KEYS.has(key)) eeprom++;
    if (key === key.toUpperCase() && /[A-Z]/.test(key)) upper++;
    else lower++;
  }
  return eeprom > 0 && upper >= lower;
}

export const BOOT_MODES: Record<string, { name: string; external: boolean }> = {
  '0': { name: 'SD card (wait for card detect)', external: false },
  '1': { name: 'SD card / eMMC', external: false },
  '2': { name: 'network (TFTP)', external: true },
  '3': { name: 'RPIBOOT over USB', external: true },
  '4': { name: 'USB mass storage', external: true },
  '5': { name: 'USB 2.0 mass storage on the Type-C / CM4IO port', external: true },
  '6': { name: 'NVMe', external: false },
  '7': { name: 'HTTP', external: true },
  e: { name: 'stop', external: false },
  f: { name: 'restart', external: false },
};

/** The boot modes tried, in order (read right to left), up to the first stop or restart. */
export function bootModes(value: string): string[] | undefined {
  const hex = /^0x([0-9a-fA-F]{1,8})$/.exec(value.trim());
  if (!hex) return undefined;
  const modes: string[] = [];
  for (const digit of [...(hex[1] as string).toLowerCase()].reverse()) {
    modes.push(digit);
    if (digit === 'e' || digit === 'f') break;
  }
  return modes;
}

/** Settings only recovery.bin's config.txt carries; any of them marks a secure-boot provisioning config. */
export const RECOVERY_KEYS = [
  'program_pubkey',
  'revoke_devkey',
  'program_jtag_lock',
  'program_rpiboot_gpio',
  'erase_eeprom',
  'recovery_metadata',
  'recovery_reboot',
  'eeprom_write_protect',
];
