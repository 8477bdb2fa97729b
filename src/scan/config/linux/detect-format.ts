// Tells the three Linux formats apart by content, each with a 0..1 score: a kernel .config, a kernel
// command line (cmdline.txt, /proc/cmdline) and a sysctl file. Zephyr's .config also has CONFIG_
// lines, so Zephyr-only symbols push the kernel-config score down for the Zephyr kind to claim.
import { type CmdlineParam, parseCmdline } from './cmdline-parser.ts';
import { parseSysctlLine } from './sysctl-parser.ts';
import { isLinuxConfigHeader, isZephyrOnly, LINUX_ONLY_SYMBOLS } from '../kconfig-dialect.ts';
import { textLines } from './text-lines.ts';

export type LinuxFormat = 'kconfig' | 'cmdline' | 'sysctl';

/** Detection reads at most this much: every format shows itself in its first lines. */
const SAMPLE_CHARS = 256 * 1024;

const CMDLINE_STRONG = new Set(['root', 'console', 'rootwait', 'BOOT_IMAGE', 'rootfstype', 'init', 'nfsroot', 'rootflags']);
const CMDLINE_WEAK = new Set([
  'quiet',
  'splash',
  'ro',
  'rw',
  'loglevel',
  'earlycon',
  'earlyprintk',
  'fsck.repair',
  'fsck.mode',
  'net.ifnames',
  'biosdevname',
  'cgroup_enable',
  'cgroup_memory',
  'panic',
  'noinitrd',
  'elevator',
  'nomodeset',
  'apparmor',
  'security',
  'selinux',
  'lsm',
  'mitigations',
  'nokaslr',
  'ip',
  'kgdboc',
  'kgdbwait',
  'module.sig_enforce',
  'lockdown',
  'slab_nomerge',
  'init_on_alloc',
  'init_on_free',
  'page_alloc.shuffle',
  'randomize_kstack_offset',
  'debugfs',
  'rdinit',
  'initrd',
  'rootdelay',
  'plymouth.ignore-serial-consoles',
  'dm-mod.create',
  'roothash',
  'cryptdevice',
  'resume',
  'dwc_otg.lpm_enable',
  'coherent_pool',
  'usbcore.autosuspend',
  'iommu',
  'nosmt',
  'pti',
]);
const SYSCTL_ROOTS = new Set(['kernel', 'vm', 'fs', 'net', 'dev', 'user', 'abi', 'debug', 'crypto', 'sunrpc']);

export function formatScores(text: string): Record<LinuxFormat, number> {
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  return { kconfig: kconfigScore(sample), cmdline: cmdlineScore(sample), sysctl: sysctlScore(sample) };
}

export function bestFormat(text: string): { format: LinuxFormat; score: number } {
  const scores = formatScores(text);
  const [format, score] = (Object.entries(scores) as Array<[LinuxFormat, number]>).sort((a, b) => b[1] - a[1])[0] ?? ['kconfig', 0];
  return { format, score };
}

function kconfigScore(text: string): number {
  let configLines = 0;
  let linux = 0;
  let zephyr = 0;
  let header = false;
  for (const { text: raw } of textLines(text)) {
    const line = raw.trim();
    if (isLinuxConfigHeader(line)) header = true;
    if (line.startsWith('#') && line.includes('Zephyr')) zephyr++;
    const symbol = symbolOf(line);
    if (!symbol) continue;
    configLines++;
    if (LINUX_ONLY_SYMBOLS.has(symbol)) linux++;
    if (isZephyrOnly(symbol)) zephyr++;
  }
  if (header) return 0.95;
  if (configLines === 0) return 0;
  if (zephyr > 0) return 0.1;
  if (linux >= 3) return 0.85;
  if (linux >= 1) return 0.6;
  return 0.3;
}

function symbolOf(line: string): string | undefined {
  let rest: string;
  if (line.startsWith('CONFIG_')) rest = line;
  else if (line.startsWith('# CONFIG_') && line.endsWith(' is not set')) rest = line.slice(2);
  else return undefined;
  let end = 0;
  while (end < rest.length && end < 200 && /[A-Za-z0-9_]/.test(rest[end] as string)) end++;
  return rest.slice(0, end);
}

function cmdlineScore(text: string): number {
  const lines = [...textLines(text)].filter((l) => l.text.trim() && !l.text.trimStart().startsWith('#'));
  if (lines.length === 0 || lines.length > 3) return 0;
  let params: CmdlineParam[];
  try {
    params = parseCmdline(lines.map((l) => l.text).join('\n')).params;
  } catch {
    return 0;
  }
  // "key = value" with spaces is sysctl; CONFIG_ lines are kconfig.
  if (params.some((p) => p.text === '=' || p.name.startsWith('CONFIG_') || p.name === '')) return 0;
  if (params.some((p) => CMDLINE_STRONG.has(p.name))) return 0.85;
  const weak = params.filter((p) => CMDLINE_WEAK.has(p.name) || p.name.startsWith('systemd.') || p.name.startsWith('rd.')).length;
  if (weak >= 2) return 0.7;
  return weak === 1 && params.length <= 3 ? 0.4 : 0;
}

function sysctlScore(text: string): number {
  let lines = 0;
  let known = 0;
  let settings = 0;
  for (const { number, text: raw } of textLines(text)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    lines++;
    const entry = parseSysctlLine(line, number);
    if (!entry || !entry.key.includes('.')) continue;
    settings++;
    if (SYSCTL_ROOTS.has(entry.key.slice(0, entry.key.indexOf('.')))) known++;
  }
  if (lines === 0 || settings / lines < 0.6) return 0;
  return known > 0 ? 0.85 : 0.3;
}
