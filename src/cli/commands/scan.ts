// `baseline scan`: evidence from the product's own artefacts. `scan config` reads build and boot configs.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CONFIG_KINDS, type ConfigKindName, type ConfigScanOptions } from '../../scan/config/config-kind.ts';
import { InputError } from '../../io/input-error.ts';
import { addFindingsOutputOptions, countLine, emitResults, findingLines, type FindingsOutputOptions } from '../findings-output.ts';
import { VERSION } from '../version.ts';

interface ScanConfigOptions extends FindingsOutputOptions {
  kind?: string;
  kernelVersion?: string;
  arch?: string;
  cmdline?: string;
  key: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerScan(program: Command): void {
  const scan = program
    .command('scan')
    .description('collect evidence from the product: build and boot configs (firmware and device scans are coming)');
  addFindingsOutputOptions(
    scan
      .command('config <files...>')
      .description('check Linux kernel configs, Zephyr Kconfig, Raspberry Pi config.txt/cmdline.txt and MCUboot images, rule by rule')
      .option('-k, --kind <kind>', `force the kind instead of detecting it: ${CONFIG_KINDS.join(', ')}`)
      .option('--kernel-version <version>', 'Linux kernel version (e.g. 6.1) when the config header does not say')
      .option('--arch <arch>', 'Linux architecture (x86_64, arm64, arm, riscv) when the config does not say')
      .option('--cmdline <text|@file>', 'a kernel command line to check with a Linux config')
      .option('--key <pub.pem>', 'public key to verify MCUboot signatures with (repeatable)', collect, []),
  )
    .addHelpText(
      'after',
      `
Each rule reports OK, FAIL, or N/A (an option that does not exist in that kernel version or architecture).
Findings name the EN 303 645 provisions they serve; baseline assess --evidence reads the --json output.
Exit codes: 0 nothing failing at or above --fail-on, 1 something is, 2 unreadable input.

Examples:
  baseline scan config /boot/config-6.1.0-27-arm64
  baseline scan config build/zephyr/.config prj.conf --json --out scans/zephyr.json
  baseline scan config boot/config.txt boot/cmdline.txt
  baseline scan config build/zephyr/zephyr.signed.bin --key keys/fw-signing.pub.pem
  baseline rules --kind linux        every rule, with its rationale and source`,
    )
    .action(async (files: string[], options: ScanConfigOptions) => {
      // Loaded on use: the checks and their data are not needed by the other commands.
      const { readConfigFile, scanConfigFiles } = await import('../../scan/config/scan-config.ts');
      if (options.kind !== undefined && !(CONFIG_KINDS as readonly string[]).includes(options.kind)) {
        throw new InputError(`--kind: expected ${CONFIG_KINDS.join(', ')}, got "${options.kind}"`);
      }
      const scanOptions: ConfigScanOptions & { kind?: ConfigKindName } = {
        ...(options.kind ? { kind: options.kind as ConfigKindName } : {}),
        ...(options.kernelVersion ? { kernelVersion: options.kernelVersion } : {}),
        ...(options.arch ? { arch: options.arch } : {}),
        ...(options.cmdline !== undefined ? { cmdline: readArgument(options.cmdline, '--cmdline') } : {}),
        keys: options.key.map((path) => ({ path, pem: readArgument(`@${path}`, '--key') })),
      };
      const { results, scanned } = scanConfigFiles(
        files.map((f) => readConfigFile(f)),
        scanOptions,
        { name: 'baseline-scan-config', version: VERSION },
      );
      process.exitCode = emitResults(results, options, () => {
        const lines: string[] = [];
        for (const s of scanned) {
          const facts = Object.entries(s.facts).map(([k, v]) => `${k} ${v}`);
          lines.push(`${s.path}: ${s.kind}${facts.length ? ` (${facts.join(', ')})` : ''}`);
        }
        for (const part of results.incomplete) lines.push(`not read: ${part.part}: ${part.reason}`);
        lines.push('', ...findingLines(results), '', countLine(results));
        return `${lines.join('\n')}\n`;
      });
    });
}

/** "@file" reads a file (bounded); anything else is the value itself. */
function readArgument(value: string, flag: string): string {
  if (!value.startsWith('@')) return value;
  const path = value.slice(1);
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > 1024 * 1024) throw new InputError(`${flag}: ${path} is larger than 1 MiB`);
    return text;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${flag}: ${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
