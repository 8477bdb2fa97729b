// The U-Boot kind of `baseline scan config`: a binary environment (uboot.env, an env partition, mkenvimage
// output, single or redundant, CRC checked) or a text one (u-boot-initial-env, uEnv.txt, mkenvimage input),
// checked for an interruptible autoboot, image verification switched off, network boot, and the kernel
// command line it passes (through the Linux command-line rules).
import { InputError } from '../../../io/input-error.ts';
import type { ConfigFile, ConfigKind, ConfigScan, ConfigScanOptions } from '../config-kind.ts';
import { followBoot } from './boot-path.ts';
import { checkEnvironment, cmdlineCandidates, ubootStrtol } from './checks.ts';
import { detectForm, detectUboot, isUbootVariable } from './detect-uboot.ts';
import { describeLayout, hex32, isTextual, looksLikeBinaryEnv, readBinary, readText, type UbootEnv } from './environment.ts';
import { loadUbootRules, ruleListing } from './uboot-rules.ts';

export const ubootKind: ConfigKind = {
  name: 'uboot',
  description: 'U-Boot environment: binary (uboot.env, env partition, mkenvimage; CRC checked) or text (u-boot-initial-env, uEnv.txt)',
  detect: detectUboot,
  scan: scanUboot,
  rules: () => loadUbootRules().rules.map(ruleListing),
};

/** A uEnv.txt is imported over the built-in environment (env import -t): what it lacks is decided elsewhere. */
function isPartial(path: string): boolean {
  return /(^|[/\\])uEnv[^/\\]*\.txt$/i.test(path);
}

export function readEnvironment(file: ConfigFile): UbootEnv {
  try {
    if (!isTextual(file.bytes)) {
      const detected = detectForm(file).detected;
      const fallback =
        detected?.form === 'binary' && detected.headerSize
          ? detected.headerSize
          : ([4, 5] as const).find((h) => looksLikeBinaryEnv(file.bytes, h, isUbootVariable));
      return readBinary(file.bytes, fallback);
    }
    const env = readText(file.text);
    if (env.definitions.length === 0) throw new InputError('no U-Boot environment variables (name=value lines) found');
    return env;
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${file.path}: ${error.message}`);
    throw error;
  }
}

export function scanUboot(file: ConfigFile, options: ConfigScanOptions = {}): ConfigScan {
  const env = readEnvironment(file);
  const rules = loadUbootRules();
  const boot = followBoot(env.variables, {
    roots: rules.roots,
    networkCommands: rules.rules.flatMap((r) => (r.detector === 'network-boot' ? r.commands : [])),
  });
  const context = { path: file.path, env, partial: env.format === 'text' && isPartial(file.path), boot };
  const findings = checkEnvironment(rules.rules, context);

  const incomplete: ConfigScan['incomplete'] = [];
  const facts: Record<string, string> = { format: describeLayout(env), variables: String(env.variables.size) };
  const layout = env.layout;
  if (layout) {
    facts.crc = layout.crcValid
      ? `${hex32(layout.storedCrc)}, valid`
      : `stored ${hex32(layout.storedCrc)}, computed ${hex32(layout.computedCrc)}: mismatch`;
    if (!layout.crcValid)
      incomplete.push({
        part: `${file.path}: CRC-32`,
        reason: `stored ${hex32(layout.storedCrc)} but the ${layout.size - layout.headerSize}-byte data area gives ${hex32(layout.computedCrc)}: U-Boot rejects this copy and boots with its built-in default environment; the variables were checked anyway`,
      });
  }
  if (env.otherCopy) {
    const other = env.otherCopy;
    facts.redundant = `two copies; U-Boot uses the one at ${other.offset === 0 ? `0x${(layout?.size ?? 0).toString(16)}` : '0x0'} (flag 0x${(layout?.flags ?? 0).toString(16)} over 0x${(other.layout.flags ?? 0).toString(16)}); the other, at 0x${other.offset.toString(16)}, was not checked`;
  }
  if (context.partial) facts.imported = 'over the built-in environment (env import -t): variables it lacks are decided there';
  const delay = env.variables.get('bootdelay');
  if (delay) facts.bootdelay = String(ubootStrtol(delay.value));
  const cmdlines = cmdlineCandidates(context);
  if (cmdlines.length) facts['kernel command line'] = cmdlines.map((c) => c.variable).join(', ');
  if (env.unreadable.length) {
    const what = env.format === 'text' ? 'line' : 'entry';
    const noun = env.unreadable.length === 1 ? what : what === 'line' ? 'lines' : 'entries';
    const shown = env.unreadable.slice(0, 10).join(', ');
    incomplete.push({
      part: `${file.path}: ${env.unreadable.length} ${noun}`,
      reason: `not in name=value form or too long, not read: ${what} ${shown}${env.unreadable.length > 10 ? ', …' : ''}`,
    });
  }
  if (env.truncated) incomplete.push({ part: file.path, reason: env.truncated });
  if (boot.limited) incomplete.push({ part: `${file.path}: autoboot path`, reason: `not followed to the end: ${boot.limited}` });
  if (options.cmdline !== undefined)
    incomplete.push({ part: '--cmdline', reason: `ignored for ${file.path}: the environment's own bootargs were checked` });
  return { findings, facts, incomplete };
}
