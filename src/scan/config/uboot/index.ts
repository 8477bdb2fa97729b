// The U-Boot kind of `baseline scan config`: a binary environment (uboot.env, an env partition, mkenvimage
// output, single or redundant, CRC checked), a text one (u-boot-initial-env, uEnv.txt, mkenvimage input), or a
// boot script (boot.scr as mkimage compiles it, CRCs checked, or boot.cmd), checked for an interruptible
// autoboot, image verification switched off, network boot, and the kernel command line it passes (through
// the Linux command-line rules).
import { InputError } from '../../../io/input-error.ts';
import type { ConfigFile, ConfigKind, ConfigScan, ConfigScanOptions } from '../config-kind.ts';
import { followBoot } from './boot-path.ts';
import { type BootScript, detectBootScript, isCompiledScript, readBootScript } from './boot-script.ts';
import { checkEnvironment, cmdlineCandidates, type ScriptScope, type UbootContext, ubootStrtol } from './checks.ts';
import { detectForm, detectUboot, isUbootVariable } from './detect-uboot.ts';
import {
  describeLayout,
  effective,
  type EnvVariable,
  hex32,
  isTextual,
  looksLikeBinaryEnv,
  readBinary,
  readText,
  type UbootEnv,
} from './environment.ts';
import { MAX_SCRIPT_CHARS } from './script.ts';
import { loadUbootRules, ruleListing } from './uboot-rules.ts';

export const ubootKind: ConfigKind = {
  name: 'uboot',
  description:
    'U-Boot environment: binary (uboot.env, env partition, mkenvimage; CRC checked) or text (u-boot-initial-env, uEnv.txt); boot script (boot.scr, CRCs checked; boot.cmd)',
  detect: (file) => Math.max(detectUboot(file), detectBootScript(file)),
  scan: (file, options) => (isBootScript(file) ? scanBootScript(file, options) : scanUboot(file, options)),
  rules: () => loadUbootRules().rules.map(ruleListing),
};

/** A script uImage, or a text that reads more like U-Boot commands than like an environment. */
export function isBootScript(file: ConfigFile): boolean {
  if (isCompiledScript(file.bytes)) return true;
  const script = detectBootScript(file);
  return script > 0 && script > detectUboot(file);
}

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
    if (env.definitions.length === 0)
      throw new InputError('no U-Boot environment variables (name=value lines) found, nor a boot script (setenv, load, bootz… commands)');
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

/** The name the walk gives a boot script's own text: it has a space, so no `run` can name it. */
const SCRIPT_ROOT = 'the script';

/** 1-based line of each offset in a text, by a binary search over where its lines start. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  const limit = Math.min(text.length, MAX_SCRIPT_CHARS);
  for (let i = text.indexOf('\n'); i >= 0 && i < limit; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}

/**
 * Walks a boot script as the one root of an environment that holds only it, then gives the detectors the
 * variables it set (each at the line of its setenv) and its lines as locations.
 */
export function evaluateBootScript(path: string, text: string): UbootContext {
  const rules = loadUbootRules();
  const lineAt = lineIndex(text);
  const label = (variable: string, at: number) => (variable === SCRIPT_ROOT ? `line ${lineAt(at)}` : variable);
  const boot = followBoot(new Map([[SCRIPT_ROOT, { name: SCRIPT_ROOT, value: text, line: 1 }]]), {
    roots: [SCRIPT_ROOT],
    networkCommands: rules.rules.flatMap((r) => (r.detector === 'network-boot' ? r.commands : [])),
    label,
  });
  // The line a variable was set on: that of its setenv, or, when a variable the script set ran it, that one's.
  const settingLine = (name: string): number | undefined => {
    let setting = boot.set.get(name);
    for (let depth = 0; setting && depth < 16; depth++) {
      if (setting.variable === SCRIPT_ROOT) return lineAt(setting.at);
      setting = boot.set.get(setting.variable);
    }
    return undefined;
  };
  const definitions: EnvVariable[] = [];
  for (const [name, setting] of boot.set) {
    if (name === SCRIPT_ROOT) continue;
    definitions.push({ name, value: setting.value, line: settingLine(name) ?? 1 });
  }
  const env: UbootEnv = { format: 'text', variables: effective(definitions), definitions, unreadable: [] };
  const script: ScriptScope = {
    root: SCRIPT_ROOT,
    label,
    commandLine: (variable, at) => (variable === SCRIPT_ROOT ? lineAt(at) : settingLine(variable)),
    originLine: (origin) => {
      const line = /^line ([0-9]+)$/.exec(origin)?.[1];
      return line === undefined ? settingLine(origin) : Number(line);
    },
  };
  return { path, env, partial: true, boot, script };
}

export function scanBootScript(file: ConfigFile, options: ConfigScanOptions = {}): ConfigScan {
  const script = readBootScript(file);
  if (!/\S/.test(script.text)) throw new InputError(`${file.path}: the boot script has no commands`);
  const context = evaluateBootScript(file.path, script.text);
  const { boot } = context;
  const findings = checkEnvironment(loadUbootRules().rules, context);
  const facts = scriptFacts(script);
  const delay = context.env.variables.get('bootdelay');
  if (delay) facts.bootdelay = `${ubootStrtol(delay.value)} (set by the script${boot.saved ? ', saved' : ', not saved'})`;
  const cmdlines = cmdlineCandidates(context);
  if (cmdlines.length)
    facts['kernel command line'] = `set at ${cmdlines.map((c) => (c.line === undefined ? c.variable : `line ${c.line}`)).join(', ')}`;
  const incomplete: ConfigScan['incomplete'] = script.problems.map((reason) => ({ part: file.path, reason }));
  if (script.text.length > MAX_SCRIPT_CHARS)
    incomplete.push({ part: file.path, reason: `the script is longer than ${MAX_SCRIPT_CHARS / 1024} KiB: the rest was not read` });
  if (boot.limited) incomplete.push({ part: `${file.path}: commands run`, reason: `not followed to the end: ${boot.limited}` });
  if (options.cmdline !== undefined)
    incomplete.push({ part: '--cmdline', reason: `ignored for ${file.path}: the script's own bootargs were checked` });
  return { findings, facts, incomplete };
}

function scriptFacts(script: BootScript): Record<string, string> {
  const lines = script.text.split('\n').length - (script.text.endsWith('\n') ? 1 : 0);
  const image = script.image;
  if (!image) return { format: 'boot script text (boot.cmd)', lines: String(lines) };
  const facts: Record<string, string> = {
    format: `compiled boot script (uImage type script, ${image.arch}${image.name ? `, "${image.name}"` : ''}, ${image.dataSize} bytes of data)`,
    lines: String(lines),
    ...(image.compression === 'none'
      ? {}
      : { compression: `${image.compression} in the header, which U-Boot's source command ignores: it runs the data as stored` }),
    'header crc': image.headerCrcValid ? `${hex32(image.headerCrc)}, valid` : `${hex32(image.headerCrc)}: mismatch`,
  };
  facts['data crc'] =
    image.dataCrcValid === undefined
      ? `${hex32(image.dataCrc)}, not checked`
      : image.dataCrcValid
        ? `${hex32(image.dataCrc)}, valid`
        : `${hex32(image.dataCrc)}: mismatch`;
  return facts;
}
