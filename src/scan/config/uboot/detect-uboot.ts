// Recognises a U-Boot environment by content. A binary one by its CRC-32 (there is no magic), or failing
// that by a well-formed list of entries naming U-Boot's own variables; a text one by `name=value` lines
// naming them. A kernel command line, a kernel .config, a sysctl file or a config.txt names none of them.
import type { ConfigFile } from '../config-kind.ts';
import { textLines } from '../linux/text-lines.ts';
import { isName, isTextual, locateBinary, looksLikeBinaryEnv } from './environment.ts';

/** Variables U-Boot itself reads or its default environments define (doc/usage/environment.rst, include/env_default.h). */
const UBOOT_VARIABLES = new Set([
  'bootcmd',
  'bootargs',
  'bootdelay',
  'baudrate',
  'bootfile',
  'bootm_low',
  'bootm_size',
  'bootm_mapsize',
  'fdt_high',
  'initrd_high',
  'fdtcontroladdr',
  'loadaddr',
  'fdt_addr',
  'fdt_addr_r',
  'kernel_addr_r',
  'ramdisk_addr_r',
  'scriptaddr',
  'pxefile_addr_r',
  'fdtfile',
  'distro_bootcmd',
  'boot_targets',
  'boot_prefixes',
  'boot_scripts',
  'ethaddr',
  'eth1addr',
  'serverip',
  'ipaddr',
  'netmask',
  'gatewayip',
  'stdin',
  'stdout',
  'stderr',
  'preboot',
  'altbootcmd',
  'bootlimit',
  'bootcount',
  'upgrade_available',
  'bootstopkey',
  'bootstopkeysha256',
  'bootstopkeycrypt',
  'bootdelaykey',
  'verify',
  'silent',
  'silent_linux',
  'uenvcmd',
  'autoload',
  'autostart',
  'ver',
  'soc',
  'board_name',
  'mmcdev',
  'mmcpart',
  'mmcroot',
  'mmcargs',
  'mmcboot',
  'netargs',
  'netboot',
  'loadimage',
  'loadfdt',
  'loadbootenv',
  'importbootenv',
  'bootenv',
  'bootscript',
]);
/** Any one of these makes a short file a U-Boot environment. */
const DECISIVE = new Set([
  'bootcmd',
  'bootargs',
  'bootdelay',
  'uenvcmd',
  'distro_bootcmd',
  'bootstopkey',
  'bootstopkeysha256',
  'bootdelaykey',
]);

export function isUbootVariable(name: string): boolean {
  return UBOOT_VARIABLES.has(name) || name.startsWith('bootcmd_');
}

/** Detection reads at most this much text. */
const SAMPLE_CHARS = 256 * 1024;

export type DetectedForm = { form: 'binary'; crc: boolean; headerSize?: 4 | 5 } | { form: 'text' };

export function detectForm(file: ConfigFile): { score: number; detected?: DetectedForm } {
  if (!isTextual(file.bytes)) {
    if (locateBinary(file.bytes)) return { score: 0.99, detected: { form: 'binary', crc: true } };
    for (const headerSize of [4, 5] as const)
      if (looksLikeBinaryEnv(file.bytes, headerSize, isUbootVariable))
        return { score: 0.9, detected: { form: 'binary', crc: false, headerSize } };
    return { score: 0 };
  }
  const score = textScore(file.text.length > SAMPLE_CHARS ? file.text.slice(0, SAMPLE_CHARS) : file.text);
  return score > 0 ? { score, detected: { form: 'text' } } : { score: 0 };
}

export function detectUboot(file: ConfigFile): number {
  return detectForm(file).score;
}

function textScore(text: string): number {
  let lines = 0;
  let assignments = 0;
  let known = 0;
  let decisive = false;
  let continued = false;
  for (const line of textLines(text)) {
    if (line.number > 20_000) break;
    const body = line.text.replace(/^[ \t]+/, '');
    const wasContinued = continued;
    continued = body.endsWith('\\');
    if (wasContinued || line.unreadable || body === '' || body.startsWith('#')) continue;
    if (body.startsWith('CONFIG_') || body.startsWith('[')) return 0; // Kconfig; config.txt sections
    lines++;
    const eq = body.indexOf('=');
    const name = eq > 0 ? body.slice(0, eq) : '';
    if (!isName(name)) continue;
    assignments++;
    if (isUbootVariable(name)) {
      known++;
      if (DECISIVE.has(name)) decisive = true;
    }
  }
  if (lines === 0 || assignments / lines < 0.8 || known === 0) return 0;
  if (known >= 3 || (decisive && known >= 1)) return 0.9;
  return known >= 2 ? 0.8 : 0.55;
}
