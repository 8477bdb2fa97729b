// Recognises config.txt and the bootloader EEPROM config by their keys and section filters. A kernel
// command line (cmdline.txt) is one line of space-separated options: it is the Linux kind's, not ours.
import type { ConfigFile } from '../config-kind.ts';
import { EEPROM_KEYS, RECOVERY_KEYS } from './eeprom-config.ts';

const CONFIG_TXT_KEYS = new Set([
  'dtoverlay',
  'dtparam',
  'enable_uart',
  'enable_rp1_uart',
  'arm_64bit',
  'arm_boost',
  'arm_freq',
  'gpu_mem',
  'camera_auto_detect',
  'display_auto_detect',
  'max_framebuffers',
  'disable_overscan',
  'disable_fw_kms_setup',
  'auto_initramfs',
  'kernel',
  'initramfs',
  'ramfsfile',
  'cmdline',
  'device_tree',
  'os_prefix',
  'overlay_prefix',
  'start_x',
  'start_debug',
  'start_file',
  'fixup_file',
  'otg_mode',
  'dtdebug',
  'enable_jtag_gpio',
  'uart_2ndstage',
  'disable_splash',
  'boot_delay',
  'over_voltage',
  'core_freq',
  'force_turbo',
  'avoid_warnings',
  'gpio',
  'sdtv_mode',
  'config_hdmi_boost',
  'boot_ramdisk',
  'usb_max_current_enable',
  'disable_poe_fan',
  ...RECOVERY_KEYS,
  'bootloader_update',
]);
const CONFIG_TXT_PREFIXES = ['hdmi_', 'gpu_mem_', 'framebuffer_', 'overscan_'];
const FILTER =
  /^\[(all|none|pi[0-9a-z+]*|cm[0-9a-z]*|board-type=[0-9a-fx]+|gpio[0-9]+=[01]|0x[0-9a-f]+|tryboot|edid=.*|hdmi:[01]|partition=[0-9]+|bootvar0.*|config\.txt)\]$/i;

export function detectRpi(file: ConfigFile): number {
  const text = file.text.length > 1024 * 1024 ? file.text.slice(0, 1024 * 1024) : file.text;
  if (text.includes('\u0000')) return 0;
  const lines = text
    .split(/\r\n|\n|\r/, 20_000)
    .map((l) => l.slice(0, 1024).trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) return 0;
  let known = 0;
  for (const line of lines) {
    if (/^(SB_)?CONFIG_[A-Za-z0-9_]+\s*=/.test(line)) return 0; // Kconfig, not ours
    if (FILTER.test(line)) {
      known++;
      continue;
    }
    if (/^(include|initramfs)[ \t]+\S/.test(line) && !line.includes('=')) {
      known++;
      continue;
    }
    const key = /^([A-Za-z0-9_]+)=/.exec(line)?.[1];
    if (key && (CONFIG_TXT_KEYS.has(key) || EEPROM_KEYS.has(key) || CONFIG_TXT_PREFIXES.some((p) => key.startsWith(p)))) known++;
  }
  // A kernel command line: one line, several space-separated options.
  if (lines.length === 1 && (lines[0] as string).split(/\s+/).length > 1 && known === 0) return 0.02;
  if (known === 0) return 0.05;
  const share = known / lines.length;
  if (share < 0.25) return 0.3;
  return Math.min(0.95, 0.45 + 0.1 * Math.min(known, 5) * Math.min(1, share + 0.25));
}
