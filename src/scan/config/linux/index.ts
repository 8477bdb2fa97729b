// The Linux kind of `baseline scan config`: a kernel .config (optionally with --cmdline), a kernel
// command line such as cmdline.txt, or a sysctl file, each checked against its rule table.
import type { Finding } from '../../../findings/schema.ts';
import { InputError } from '../../../io/input-error.ts';
import type { RuleListing } from '../../check.ts';
import type { ConfigFile, ConfigKind, ConfigScan, ConfigScanOptions } from '../config-kind.ts';
import { parseCmdline } from './cmdline-parser.ts';
import { checkCmdline, cmdlineRuleListings } from './cmdline-rules.ts';
import { bestFormat, formatScores } from './detect-format.ts';
import { archOfConfig, archOption } from './kernel-arch.ts';
import { formatVersion, type KernelVersion, kernelVersionOption, parseKernelVersion } from './kernel-version.ts';
import { isSet, parseKconfig } from './kconfig-parser.ts';
import { checkKconfig, kconfigRuleListings } from './kconfig-rules.ts';
import { parseSysctl } from './sysctl-parser.ts';
import { checkSysctl, sysctlRuleListings } from './sysctl-rules.ts';

/** Where findings about a --cmdline given on the command line point. */
export const CMDLINE_OPTION_PATH = '--cmdline';

export const linuxKind: ConfigKind = {
  name: 'linux',
  description: 'Linux kernel .config (with --cmdline), kernel command line (cmdline.txt) or sysctl.conf',
  detect(file) {
    return Math.max(...Object.values(formatScores(file.text)));
  },
  scan(file, options) {
    const { format, score } = bestFormat(file.text);
    if (score === 0) {
      throw new InputError(`${file.path}: found no kernel config options, kernel command line or sysctl settings to check`);
    }
    if (format === 'kconfig') return scanKconfig(file, options);
    if (format === 'cmdline') return scanCmdline(file, options);
    return scanSysctl(file, options);
  },
  rules(): RuleListing[] {
    return [...kconfigRuleListings(), ...cmdlineRuleListings(), ...sysctlRuleListings()];
  },
};

function scanKconfig(file: ConfigFile, options: ConfigScanOptions): ConfigScan {
  const config = parseKconfig(file.text);
  if (config.entries.size === 0) throw new InputError(`${file.path}: no CONFIG_ options found`);
  const incomplete: ConfigScan['incomplete'] = [];
  const facts: Record<string, string> = { format: 'kernel config' };

  const optionVersion = options.kernelVersion === undefined ? undefined : kernelVersionOption(options.kernelVersion);
  const optionArch = options.arch === undefined ? undefined : archOption(options.arch);
  const headerVersion = config.header ? parseKernelVersion(config.header.version) : undefined;
  const configArch = archOfConfig(config.header?.arch, (o) => isSet(config, o));

  const version = headerVersion ?? optionVersion;
  if (headerVersion && optionVersion && (headerVersion.major !== optionVersion.major || headerVersion.minor !== optionVersion.minor)) {
    incomplete.push({
      part: `--kernel-version ${options.kernelVersion}`,
      reason: `ignored: the config header says ${config.header?.version}`,
    });
  }
  const arch = configArch ?? optionArch;
  if (configArch && optionArch && configArch !== optionArch) {
    incomplete.push({ part: `--arch ${options.arch}`, reason: `ignored: the config itself is for ${configArch}` });
  }
  if (version) facts.kernel = headerVersion && config.header ? config.header.version : formatVersion(version);
  else
    incomplete.push({
      part: 'kernel version',
      reason: 'not in the config header; pass --kernel-version so options renamed between versions are judged right',
    });
  if (arch) facts.arch = arch;
  else
    incomplete.push({
      part: 'architecture',
      reason: 'not in the config (no CONFIG_X86_64, CONFIG_ARM64, CONFIG_ARM or CONFIG_RISCV); pass --arch for the arch-specific rules',
    });
  if (config.unreadable.length) incomplete.push(unreadableLines(file.path, config.unreadable));

  const findings: Finding[] = checkKconfig(config, file.path, { version, arch });
  if (options.cmdline !== undefined)
    findings.push(...checkCmdline(parseCmdline(options.cmdline, CMDLINE_OPTION_PATH), CMDLINE_OPTION_PATH, config));
  return { findings, facts, incomplete };
}

function scanCmdline(file: ConfigFile, options: ConfigScanOptions): ConfigScan {
  const cmdline = parseCmdline(file.text, file.path);
  const incomplete: ConfigScan['incomplete'] = [];
  if (options.cmdline !== undefined)
    incomplete.push({ part: CMDLINE_OPTION_PATH, reason: `ignored for ${file.path}, which is itself a command line` });
  return { findings: checkCmdline(cmdline, file.path), facts: { format: 'kernel command line' }, incomplete };
}

function scanSysctl(file: ConfigFile, options: ConfigScanOptions): ConfigScan {
  const sysctl = parseSysctl(file.text);
  const version: KernelVersion | undefined = options.kernelVersion === undefined ? undefined : kernelVersionOption(options.kernelVersion);
  const incomplete: ConfigScan['incomplete'] = [];
  if (sysctl.unreadable.length) incomplete.push(unreadableLines(file.path, sysctl.unreadable));
  const facts: Record<string, string> = { format: 'sysctl settings' };
  if (version) facts.kernel = formatVersion(version);
  return { findings: checkSysctl(sysctl, file.path, version), facts, incomplete };
}

function unreadableLines(path: string, lines: number[]): { part: string; reason: string } {
  const shown = lines.slice(0, 10).join(', ');
  return {
    part: `${path}: ${lines.length} line${lines.length > 1 ? 's' : ''}`,
    reason: `could not be read (overlong, NUL bytes or malformed values): line ${shown}${lines.length > 10 ? ', …' : ''}`,
  };
}
