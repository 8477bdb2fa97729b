// `baseline scan`: evidence from the product's own artefacts. `scan config` reads build and boot configs.
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CONFIG_KINDS, type ConfigKindName, type ConfigScanOptions } from '../../scan/config/config-kind.ts';
import { InputError } from '../../io/input-error.ts';
import { addFindingsOutputOptions, countLine, emitResults, findingLines, type FindingsOutputOptions } from '../findings-output.ts';
import { VERSION } from '../version.ts';

interface ScanFirmwareOptions extends FindingsOutputOptions {
  product?: string;
  sbom?: string;
  name?: string;
  model?: string;
  maxDepth: string;
  maxBytes: string;
  maxFiles: string;
  workDir?: string;
  progress?: boolean;
}

function registerScanFirmware(scan: Command): void {
  addFindingsOutputOptions(
    scan
      .command('firmware <image>')
      .description('find universal passwords, baked-in keys, open debug consoles and risky services in a firmware image or root filesystem')
      .option('--product <baseline.yaml>', "take the product's name and model from its product file (they join the passwords tried)")
      .option('--sbom <file>', 'write the software found as a CycloneDX 1.6 SBOM (JSON)')
      .option('--name <name>', 'the product name, tried as a password')
      .option('--model <model>', 'the model designation, tried as a password')
      .option('--max-depth <n>', 'most containers followed inside each other', '8')
      .option('--max-bytes <n>', 'most bytes decompressed in all (decompression bombs stop there)', String(4 * 2 ** 30))
      .option('--max-files <n>', 'most entries listed per filesystem', '1000000')
      .option('--work-dir <dir>', 'where the temporary work folder goes (removed afterwards)')
      .option('--progress', 'print progress to standard error even when it is not a terminal'),
  )
    .addHelpText(
      'after',
      `
The image is recognised by content: a root filesystem folder; squashfs (gzip, lzma, lzo, xz, lz4, zstd);
ext2/3/4; JFFS2; UBI and UBIFS; tar (plain, gzip, xz, bzip2, zstd, lz4, lzma); cpio (newc, crc, odc, bin; compressed initramfs);
zip; U-Boot uImage and FIT; or a raw flash dump, carved by magic. Nested containers are followed.
Nothing from the image is executed; links resolve inside the image, never on this machine.

Exit codes: 0 nothing failing at or above --fail-on, 1 something is, 2 unreadable input.

Examples:
  baseline scan firmware build/tmp/deploy/images/raspberrypi4/core-image-base.tar.bz2
  baseline scan firmware rootfs.squashfs --product baseline.yaml --json --out scans/firmware.json
  baseline scan firmware flash-dump.bin --sarif --out firmware.sarif`,
    )
    .action(async (image: string, options: ScanFirmwareOptions) => {
      const { scanFirmware } = await import('../../scan/firmware/scan-firmware.ts');
      const product = options.product ? (await import('../../product/load.ts')).loadProduct(options.product).file.product : undefined;
      const name = options.name ?? product?.name;
      const model = options.model ?? product?.model;
      if (!existsSync(image)) throw new InputError(`${image}: no such file or folder`);
      const showProgress = options.progress || process.stderr.isTTY;
      const scan = await scanFirmware(
        image,
        { name: 'baseline-scan-firmware', version: VERSION },
        {
          ...(name || model ? { product: { ...(name ? { name } : {}), ...(model ? { model } : {}) } } : {}),
          limits: {
            maxDepth: positiveInteger(options.maxDepth, '--max-depth'),
            maxTotalBytes: positiveInteger(options.maxBytes, '--max-bytes'),
            maxEntries: positiveInteger(options.maxFiles, '--max-files'),
          },
          ...(options.workDir ? { workDir: options.workDir } : {}),
          ...(showProgress ? { progress: (line: string) => process.stderr.write(`${line}\n`) } : {}),
        },
      );
      if (options.sbom) {
        const { buildSbom } = await import('../../scan/firmware/inventory/index.ts');
        const { writeFileAtomic } = await import('../../io/atomic-write.ts');
        writeFileAtomic(
          options.sbom,
          buildSbom(scan.components, {
            name: product?.name ?? basename(image),
            ...(product?.firmwareVersion ? { version: product.firmwareVersion } : {}),
            toolVersion: VERSION,
          }),
        );
        process.stderr.write(`wrote ${options.sbom}: ${scan.components.length} components\n`);
      }
      process.exitCode = emitResults(scan.results, options, () => {
        const lines: string[] = [];
        for (const fs of scan.filesystems) lines.push(`${fs.label}: ${fs.format}, ${fs.entries} entries`);
        for (const c of scan.containers) lines.push(`${c.label}: ${c.description}`);
        for (const part of scan.results.incomplete) lines.push(`not read: ${part.part}: ${part.reason}`);
        lines.push('', ...findingLines(scan.results), '', countLine(scan.results));
        return `${lines.join('\n')}\n`;
      });
    });
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InputError(`${flag}: expected a positive whole number, got "${value}"`);
  return n;
}

interface ScanConfigOptions extends FindingsOutputOptions {
  kind?: string;
  kernelVersion?: string;
  arch?: string;
  cmdline?: string;
  key: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerScan(program: Command): void {
  const scan = program.command('scan').description('collect evidence from the product: firmware images, and build and boot configs');
  registerScanFirmware(scan);
  addFindingsOutputOptions(
    scan
      .command('config <files...>')
      .description(
        'check Linux kernel configs, Zephyr Kconfig, Raspberry Pi config.txt/cmdline.txt, MCUboot images, U-Boot environments and boot scripts, rule by rule',
      )
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
  baseline scan config uboot.env --json        a U-Boot environment (binary or text, e.g. uEnv.txt)
  baseline scan config boot/boot.scr           a U-Boot boot script (mkimage -T script, or boot.cmd)
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
