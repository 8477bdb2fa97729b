// Build and boot configurations found inside a firmware image go through the same checks as
// `baseline scan config`: kernel configs in /boot, a kernel's embedded IKCONFIG, the Raspberry Pi's
// config.txt and cmdline.txt, U-Boot environments and boot scripts, and sysctl files. The firmware scanner
// calls this on every root filesystem; scanUbootEnvironmentsInBlob does the same for environments carved
// from a raw dump.
import { gunzipSync } from 'node:zlib';
import type { Finding } from '../../findings/schema.ts';
import type { ConfigFile, ConfigKindName, ConfigScan } from '../config/config-kind.ts';
import { kindNamed } from '../config/kinds.ts';
import { configFileFrom, MAX_CONFIG_BYTES } from '../config/scan-config.ts';
import { scanBootScript } from '../config/uboot/index.ts';
import { findUbootEnvironments, type UbootEnvOptions } from './carving/uboot-env.ts';
import type { ReadAt } from './carving/uimage.ts';
import { type FsEntry, type ImageFs, ImageReadError, type ReadProblem } from './image-fs.ts';

/** Largest kernel image read to look for an embedded config. */
const MAX_KERNEL_BYTES = 128 * 1024 * 1024;
const IKCONFIG_START = Buffer.from('IKCFG_ST');
const IKCONFIG_END = Buffer.from('IKCFG_ED');

interface ConfigPlace {
  kind: ConfigKindName;
  matches(path: string): boolean;
  /** How a file there is read, when its place says more than the kind (a boot script, not an environment). */
  scan?: (file: ConfigFile) => ConfigScan;
}

const PLACES: ConfigPlace[] = [
  { kind: 'linux', matches: (p) => /^\/boot\/config-[^/]+$/.test(p) },
  { kind: 'linux', matches: (p) => /^\/boot(\/firmware)?\/cmdline\.txt$/.test(p) },
  { kind: 'rpi', matches: (p) => /^\/boot(\/firmware)?\/config\.txt$/.test(p) },
  // U-Boot: the environment file ENV_IS_IN_FAT/EXT4 reads from the boot partition (uboot.env), a uEnv.txt
  // that the default bootcmd imports, and the default environment Yocto installs for fw_printenv.
  { kind: 'uboot', matches: (p) => /^\/boot(\/firmware)?\/u-?boot\.env$/.test(p) },
  { kind: 'uboot', matches: (p) => /^(\/boot(\/firmware)?)?\/uEnv\.txt$/.test(p) },
  { kind: 'uboot', matches: (p) => /^\/etc\/u-boot-initial-env(-[^/]+)?$/.test(p) },
  // U-Boot boot scripts, which distro boot looks for in /boot and at the root of the boot partition: boot.scr
  // (mkimage's uImage) and its source boot.cmd (Armbian, Debian's flash-kernel, Yocto's u-boot-script).
  { kind: 'uboot', matches: (p) => /^(\/boot(\/firmware)?)?\/boot\.(scr|cmd)$/.test(p), scan: (file) => scanBootScript(file) },
];

// systemd-sysctl reads these folders; a file name in an earlier folder hides the same name in a later one.
const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'];

const KERNEL_IMAGE = /^\/boot(\/firmware)?\/(kernel[^/]*\.img|vmlinu[xz][^/]*|Image(\.gz)?|zImage[^/]*)$/;

export interface ConfigsInImage {
  findings: Finding[];
  /** Each config found, with the kind it was checked as and what the check learnt. */
  scanned: Array<{ path: string; kind: ConfigKindName; facts: Record<string, string> }>;
  problems: ReadProblem[];
}

export function scanConfigsInImage(fs: ImageFs): ConfigsInImage {
  const result: ConfigsInImage = { findings: [], scanned: [], problems: [] };
  const record = (path: string, kind: ConfigKindName, scan: ConfigScan) => {
    result.findings.push(...scan.findings);
    result.scanned.push({ path, kind, facts: scan.facts });
    result.problems.push(...scan.incomplete);
  };
  const sysctlFiles: string[] = [];
  for (const entry of fs.entries()) {
    if (entry.type !== 'file') continue;
    if (isSysctlFile(entry.path)) {
      sysctlFiles.push(entry.path);
      continue;
    }
    const place = PLACES.find((p) => p.matches(entry.path));
    try {
      if (place) {
        const file = configFileFrom(entry.path, fs.read(entry.path, MAX_CONFIG_BYTES));
        record(entry.path, place.kind, place.scan ? place.scan(file) : kindNamed(place.kind).scan(file, {}));
      } else if (KERNEL_IMAGE.test(entry.path)) {
        const embedded = embeddedKernelConfig(fs, entry);
        if (embedded)
          record(`${entry.path}#IKCONFIG`, 'linux', kindNamed('linux').scan(configFileFrom(`${entry.path}#IKCONFIG`, embedded), {}));
      }
    } catch (error) {
      if (!(error instanceof ImageReadError) && !(error instanceof Error && error.name === 'InputError')) throw error;
      result.problems.push({ part: entry.path, reason: error.message });
    }
  }
  if (sysctlFiles.length) {
    try {
      const merged = mergeSysctl(fs, sysctlFiles);
      record(merged.label, 'linux', merged.scan);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      result.problems.push({ part: 'sysctl settings', reason: error.message });
    }
  }
  return result;
}

function isSysctlFile(path: string): boolean {
  if (path === '/etc/sysctl.conf') return true;
  const slash = path.lastIndexOf('/');
  return path.endsWith('.conf') && SYSCTL_DIRS.includes(path.slice(0, slash));
}

/**
 * The kernel ends up with the settings of all sysctl files together, applied in file-name order and
 * /etc/sysctl.conf last, so a key is judged once on the merged text. Each finding's line is then traced
 * back to the file and line it came from.
 */
function mergeSysctl(fs: ImageFs, paths: string[]): { label: string; scan: ConfigScan } {
  const byName = new Map<string, string>();
  for (const dir of SYSCTL_DIRS) {
    for (const path of paths.filter((p) => p.startsWith(`${dir}/`))) {
      const name = path.slice(dir.length + 1);
      if (!byName.has(name)) byName.set(name, path);
    }
  }
  const ordered = [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, path]) => path);
  if (paths.includes('/etc/sysctl.conf')) ordered.push('/etc/sysctl.conf');
  const origins: Array<{ path: string; line: number }> = [];
  const parts: string[] = [];
  for (const path of ordered) {
    const lines = new TextDecoder().decode(fs.read(path, MAX_CONFIG_BYTES)).split('\n');
    lines.forEach((line, i) => {
      parts.push(line);
      origins.push({ path, line: i + 1 });
    });
  }
  const label = ordered.length === 1 ? (ordered[0] as string) : `sysctl settings (${ordered.join(', ')})`;
  const scan = kindNamed('linux').scan(configFileFrom(label, new TextEncoder().encode(parts.join('\n'))), {});
  for (const finding of scan.findings) {
    const origin = finding.location.line === undefined ? undefined : origins[finding.location.line - 1];
    if (origin) finding.location = { path: origin.path, line: origin.line };
  }
  return { label, scan };
}

/**
 * A kernel built with CONFIG_IKCONFIG carries its .config gzip'd between the markers IKCFG_ST and
 * IKCFG_ED. Raw and gzip'd kernel images (arm64 Image, Raspberry Pi kernel8.img) are searched; a
 * self-extracting zImage or bzImage would need its payload carved first and is left to the carver.
 */
function embeddedKernelConfig(fs: ImageFs, entry: FsEntry): Uint8Array | undefined {
  let kernel = Buffer.from(fs.read(entry.path, MAX_KERNEL_BYTES));
  if (kernel[0] === 0x1f && kernel[1] === 0x8b) {
    try {
      kernel = gunzipSync(kernel, { maxOutputLength: MAX_KERNEL_BYTES });
    } catch (error) {
      throw new ImageReadError(`${entry.path}: gzip'd kernel cannot be decompressed (${(error as Error).message})`);
    }
  }
  const start = kernel.indexOf(IKCONFIG_START);
  if (start < 0) return undefined;
  const end = kernel.indexOf(IKCONFIG_END, start);
  if (end < 0) throw new ImageReadError(`${entry.path}: embedded kernel config starts but does not end`);
  try {
    return gunzipSync(kernel.subarray(start + IKCONFIG_START.length, end), { maxOutputLength: MAX_CONFIG_BYTES });
  } catch (error) {
    throw new ImageReadError(`${entry.path}: embedded kernel config cannot be decompressed (${(error as Error).message})`);
  }
}

/**
 * U-Boot environments carved from a raw flash dump (found by their variables and a matching CRC-32, see
 * carving/uboot-env.ts), each checked like a uboot.env and named `label@0xOFFSET`.
 */
export function scanUbootEnvironmentsInBlob(label: string, size: number, read: ReadAt, options: UbootEnvOptions = {}): ConfigsInImage {
  const result: ConfigsInImage = { findings: [], scanned: [], problems: [] };
  let hits;
  try {
    hits = findUbootEnvironments(size, read, options);
  } catch (error) {
    if (!(error instanceof ImageReadError)) throw error;
    result.problems.push({ part: label, reason: error.message });
    return result;
  }
  for (const hit of hits) scanUbootEnvironment(`${label}@0x${hit.offset.toString(16)}`, read(hit.offset, hit.size), result);
  return result;
}

/** One carved environment, checked like a uboot.env; what it finds is added to `result`. */
export function scanUbootEnvironment(path: string, bytes: Uint8Array, result: ConfigsInImage): ConfigsInImage {
  try {
    const scan = kindNamed('uboot').scan(configFileFrom(path, bytes), {});
    result.findings.push(...scan.findings);
    result.scanned.push({ path, kind: 'uboot', facts: scan.facts });
    result.problems.push(...scan.incomplete);
  } catch (error) {
    if (!(error instanceof ImageReadError) && !(error instanceof Error && error.name === 'InputError')) throw error;
    result.problems.push({ part: path, reason: error.message });
  }
  return result;
}
