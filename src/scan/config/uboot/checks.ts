// The U-Boot environment detectors: autoboot and its stop keys, image verification, network boot, and the
// kernel command line, which is handed to the Linux command-line rules (config/linux-cmdline/…) once its
// ${references} are expanded, with each finding moved to the variable its text came from. A boot script is
// checked with the same detectors, its own text the root of the walk and its lines the locations.
import type { Finding } from '../../../findings/schema.ts';
import { type FindingDraft, toFinding } from '../../check.ts';
import { parseCmdline } from '../linux/cmdline-parser.ts';
import { checkCmdline } from '../linux/cmdline-rules.ts';
import type { BootPath } from './boot-path.ts';
import type { EnvVariable, UbootEnv } from './environment.ts';
import { expandValue, originAt, parseScript, plainWord, type Resolver, type Traced } from './script.ts';
import { checkMeta, type UbootRule, type UbootRuleOf } from './uboot-rules.ts';

export interface UbootContext {
  path: string;
  /** For a boot script, the variables it sets, each at the line of its setenv. */
  env: UbootEnv;
  /** A uEnv.txt: imported on top of the built-in environment, so a variable missing here may be set there. */
  partial: boolean;
  boot: BootPath;
  /** Set for a boot script (boot.scr, boot.cmd): it runs over an environment that is not here. */
  script?: ScriptScope;
}

export interface ScriptScope {
  /** The name the walk gives the script's own text (not a name U-Boot could run). */
  root: string;
  /** The origin label of text a command writes, as the walk was given it (BootPathOptions.label). */
  label(variable: string, at: number): string;
  /** The line a command starts on: in the script itself, or the line that set the variable it runs in. */
  commandLine(variable: string, at: number): number | undefined;
  /** The line text with this origin label was written on. */
  originLine(origin: string): number | undefined;
}

export function checkEnvironment(rules: readonly UbootRule[], context: UbootContext): Finding[] {
  const findings = rules.flatMap((rule) => evaluate(rule, context).map((draft) => toFinding(checkMeta(rule), draft)));
  return [...findings, ...checkKernelCmdlines(context)];
}

function evaluate(rule: UbootRule, context: UbootContext): FindingDraft[] {
  switch (rule.detector) {
    case 'autoboot':
      return [context.script ? evaluateScriptAutoboot(rule, context, context.script) : evaluateAutoboot(rule, context)];
    case 'verify':
      return [evaluateVerify(rule, context)];
    case 'network-boot':
      return evaluateNetworkBoot(rule, context);
    case 'kernel-cmdline':
      return [evaluateKernelCmdline(context)];
  }
}

function at(context: UbootContext, variable: EnvVariable | undefined): FindingDraft['location'] {
  return variable ? { path: context.path, line: variable.line } : { path: context.path };
}

function atLine(context: UbootContext, line: number | undefined): FindingDraft['location'] {
  return line === undefined ? { path: context.path } : { path: context.path, line };
}

function shown(variable: EnvVariable): string {
  const value = variable.value.length > 200 ? `${variable.value.slice(0, 200)}…` : variable.value;
  return `${variable.name}=${value}`;
}

/** U-Boot reads bootdelay with simple_strtol(s, NULL, 10): an optional '-', then decimal digits; none is 0. */
export function ubootStrtol(value: string): number {
  const match = /^(-?)([0-9]*)/.exec(value) as RegExpExecArray;
  const digits = (match[2] as string).slice(0, 12);
  const n = digits ? Number(digits) : 0;
  return match[1] ? -n : n;
}

function evaluateAutoboot(rule: UbootRuleOf<'autoboot'>, context: UbootContext): FindingDraft {
  const variables = context.env.variables;
  const delay = variables.get('bootdelay');
  const hashed = rule.hashedKeys.map((k) => variables.get(k)).find((v) => v !== undefined);
  const plain = rule.plainKeys.map((k) => variables.get(k)).filter((v): v is EnvVariable => v !== undefined);
  const keyNote = hashed
    ? `; ${hashed.name} is set`
    : plain.length
      ? `; ${plain.map((p) => p.name).join(' and ')} ${plain.length > 1 ? 'are' : 'is'} set in clear`
      : '';
  if (!delay) {
    return {
      result: 'info',
      location: { path: context.path },
      message: context.partial
        ? `bootdelay is not set in this file: the built-in environment decides whether the console can stop autoboot${keyNote}`
        : `bootdelay is not in the environment: U-Boot uses CONFIG_BOOTDELAY (2 seconds unless the board changes it) or the device tree's /config/bootdelay${keyNote}`,
    };
  }
  const seconds = ubootStrtol(delay.value);
  const evidence = shown(delay);
  const location = at(context, delay);
  if (seconds === -1) {
    return {
      result: 'fail',
      location,
      evidence,
      message: `bootdelay=${delay.value}: U-Boot does not autoboot and waits at its command shell on the console`,
    };
  }
  if (seconds < -1) {
    return { result: 'pass', location, evidence, message: `bootdelay=${delay.value}: U-Boot boots without checking the console for a key` };
  }
  const countdown = seconds === 0 ? 'bootdelay=0 still checks once for a key waiting on the console' : `bootdelay=${delay.value}`;
  if (hashed) {
    return {
      result: 'pass',
      location,
      evidence: `${evidence}, ${hashed.name} set`,
      message: `${countdown}, and only the key whose hash ${hashed.name} holds stops autoboot (with CONFIG_AUTOBOOT_KEYED and CONFIG_AUTOBOOT_ENCRYPTION in the build; without them any key does)`,
    };
  }
  if (plain.length) {
    return {
      result: 'info',
      location: at(context, plain[0]),
      evidence: `${evidence}, ${plain.map((p) => `${p.name}=<${p.value.length} characters>`).join(', ')}`,
      message: `${countdown}, and only the string in ${plain.map((p) => p.name).join(' or ')} stops autoboot (with CONFIG_AUTOBOOT_KEYED), but it is kept in clear: the same on every unit, readable from the image or with fw_printenv, and U-Boot lets it be tried without limit`,
    };
  }
  const silent = variables.has('silent') ? '; silent only hides the console output, it does not stop the interruption' : '';
  return {
    result: 'fail',
    location,
    evidence,
    message:
      seconds === 0
        ? `${countdown}, so a key sent while U-Boot starts stops autoboot and opens its shell (unless the build has CONFIG_AUTOBOOT_KEYED with a stop string of its own, which the environment does not show)${silent}`
        : `${countdown}: any key on the console during the ${seconds}-second countdown stops autoboot and opens the U-Boot shell (unless the build has CONFIG_AUTOBOOT_KEYED with a stop string of its own, which the environment does not show)${silent}`,
  };
}

/**
 * A boot script runs once autoboot has begun (bootcmd loads and sources it), so the environment decides
 * whether the console can stop the boot. Only a bootdelay the script saves (saveenv) counts, from the next boot.
 */
function evaluateScriptAutoboot(rule: UbootRuleOf<'autoboot'>, context: UbootContext, script: ScriptScope): FindingDraft {
  const delay = context.env.variables.get('bootdelay');
  const saved = context.boot.saved;
  if (delay && saved) {
    const draft = evaluateAutoboot(rule, context);
    const line = script.commandLine(saved.variable, saved.at);
    return {
      ...draft,
      message: `the script saves its variables with saveenv${line === undefined ? '' : ` (line ${line})`}, so from the next boot: ${draft.message}`,
    };
  }
  return {
    result: 'not-applicable',
    location: at(context, delay),
    message: `a boot script runs once autoboot has begun: the environment's bootdelay and stop keys decide whether the console can stop it${
      delay ? `; setenv bootdelay here changes only the running environment, since the script does not run saveenv` : ''
    }`,
  };
}

function evaluateVerify(rule: UbootRuleOf<'verify'>, context: UbootContext): FindingDraft {
  const verify = context.env.variables.get(rule.variable);
  if (!verify && context.script) {
    return {
      result: 'info',
      location: { path: context.path },
      message: `${rule.variable} is not set by this script: the environment decides (unset there means bootm checks images)`,
    };
  }
  if (!verify) {
    return context.partial
      ? {
          result: 'info',
          location: { path: context.path },
          message: `${rule.variable} is not set in this file: the built-in environment decides (unset means images are checked)`,
        }
      : {
          result: 'pass',
          location: { path: context.path },
          message: `${rule.variable} is not set: bootm checks image checksums, and FIT signatures where the build verifies them`,
        };
  }
  if (/^[1yYtT]/.test(verify.value)) {
    return {
      result: 'pass',
      location: at(context, verify),
      evidence: shown(verify),
      message: `${shown(verify)}: bootm checks the images it boots`,
    };
  }
  return {
    result: 'fail',
    location: at(context, verify),
    evidence: shown(verify),
    message: `${shown(verify)}: bootm boots images without checking their checksums, hashes or FIT configuration signatures`,
  };
}

function describeReach(boot: BootPath): string {
  const others = boot.reached.size - boot.roots.length;
  const roots = boot.roots.join(', ');
  if (others <= 0) return `${roots}, running no other variable`;
  return `${roots} and the ${others} variable${others > 1 ? 's' : ''} ${boot.roots.length > 1 ? 'they run' : 'it runs'}`;
}

function chainText(chain: string[]): string {
  return chain.join(' → ');
}

function evaluateNetworkBoot(rule: UbootRuleOf<'network-boot'>, context: UbootContext): FindingDraft[] {
  const { boot, env } = context;
  if (context.script) return evaluateScriptNetworkBoot(rule, context, context.script);
  if (boot.roots.length === 0) {
    return [
      {
        result: context.partial ? 'not-applicable' : 'info',
        location: { path: context.path },
        message: context.partial
          ? 'no preboot, bootcmd, altbootcmd or uenvcmd in this file: the built-in environment decides what autoboot runs'
          : 'no preboot, bootcmd, altbootcmd or uenvcmd in the environment: U-Boot runs nothing by itself from it',
      },
    ];
  }
  if (boot.network.length) {
    const byVariable = new Map<string, (typeof boot.network)[number]>();
    for (const load of boot.network) if (!byVariable.has(load.variable)) byVariable.set(load.variable, load);
    return [...byVariable.values()].slice(0, 8).map((load) => ({
      result: 'fail',
      location: at(context, env.variables.get(load.variable)),
      evidence: load.text,
      message: `${load.variable} runs ${load.command} on the autoboot path (${chainText(load.chain)}): the software it loads comes over the network without authentication`,
    }));
  }
  const commands = new Set(rule.commands);
  const elsewhere: string[] = [];
  for (const variable of env.variables.values()) {
    if (elsewhere.length >= 3) break;
    if (boot.reached.has(variable.name)) continue;
    if (parseScript(variable.value).some((c) => commands.has(plainWord(c.words[0]) ?? ''))) elsewhere.push(variable.name);
  }
  const root = boot.roots[0] as string;
  return [
    {
      result: 'pass',
      location: at(context, env.variables.get(root)),
      message: `what autoboot runs (${describeReach(boot)}) loads nothing over the network${
        elsewhere.length ? `; ${elsewhere.join(', ')} would, but autoboot does not run ${elsewhere.length > 1 ? 'them' : 'it'}` : ''
      }${boot.limited ? ` (${boot.limited})` : ''}`,
    },
  ];
}

/** What a boot script runs that loads over the network, each located at its line. */
function evaluateScriptNetworkBoot(rule: UbootRuleOf<'network-boot'>, context: UbootContext, script: ScriptScope): FindingDraft[] {
  const { boot, env } = context;
  if (boot.network.length) {
    const byLine = new Map<string, (typeof boot.network)[number]>();
    for (const load of boot.network) {
      const key = `${load.variable}:${script.commandLine(load.variable, load.at) ?? ''}`;
      if (!byLine.has(key)) byLine.set(key, load);
    }
    return [...byLine.values()].slice(0, 8).map((load) => {
      const line = script.commandLine(load.variable, load.at);
      return {
        result: 'fail',
        location: atLine(context, line),
        evidence: load.text,
        message: `${
          load.variable === script.root
            ? `the script runs ${load.command}${line === undefined ? '' : ` (line ${line})`}`
            : `${load.variable}, which the script sets and runs (${chainText(load.chain)}), runs ${load.command}`
        }: the software it loads comes over the network without authentication`,
      };
    });
  }
  const commands = new Set(rule.commands);
  const elsewhere: string[] = [];
  for (const variable of env.variables.values()) {
    if (elsewhere.length >= 3) break;
    if (boot.reached.has(variable.name)) continue;
    if (parseScript(variable.value).some((c) => commands.has(plainWord(c.words[0]) ?? ''))) elsewhere.push(variable.name);
  }
  const others = boot.reached.size - 1;
  // `run distro_bootcmd`, `boot`: what the environment defines is not here, so nothing can be said of it.
  const missing = boot.missing.slice(0, 5);
  return [
    {
      result: missing.length ? 'info' : 'pass',
      location: { path: context.path },
      message: `the script${others > 0 ? ` and the ${others} variable${others > 1 ? 's' : ''} it runs` : ''} load${others > 0 ? '' : 's'} nothing over the network${
        missing.length
          ? `, but it runs ${missing.join(', ')}${boot.missing.length > missing.length ? ', …' : ''}, which the environment defines: check the environment for those`
          : ''
      }${elsewhere.length ? `; ${elsewhere.join(', ')} would, but the script does not run ${elsewhere.length > 1 ? 'them' : 'it'}` : ''}${
        boot.limited ? ` (${boot.limited})` : ''
      }`,
    },
  ];
}

/** One value the kernel may get as its command line, and where it is set. */
interface Candidate {
  label: string;
  /** The variable that sets it: bootargs, or the one whose script runs setenv bootargs. */
  variable: string;
  /** The origin label of the text the setting writes itself (the variable; in a script, its line). */
  origin: string;
  /** In a script, the line of the setenv. */
  line?: number;
  value: Traced;
}

function envResolver(env: UbootEnv): Resolver {
  return (name) => {
    const v = env.variables.get(name);
    return v ? [{ value: v.value, origin: name }] : undefined;
  };
}

export function cmdlineCandidates(context: UbootContext): Candidate[] {
  const candidates: Candidate[] = [];
  const { script } = context;
  // A script's own bootargs are its setenv bootargs, found by the walk; the stored one is the environment's.
  const stored = script ? undefined : context.env.variables.get('bootargs');
  if (stored)
    candidates.push({
      label: 'bootargs',
      variable: 'bootargs',
      origin: 'bootargs',
      value: expandValue(stored.value, 'bootargs', envResolver(context.env)),
    });
  for (const setting of context.boot.bootargs) {
    const origin = script ? script.label(setting.variable, setting.at) : setting.variable;
    // References kept literal by single quotes reach bootm as written, which substitutes them with
    // CONFIG_BOOTARGS_SUBST: expanded here as for the stored bootargs.
    const value = /\$[{(A-Za-z0-9_]/.test(setting.value.text)
      ? expandValue(setting.value.text, origin, envResolver(context.env))
      : setting.value;
    if (candidates.some((c) => c.value.text === value.text)) continue;
    if (!script) {
      candidates.push({
        label: `bootargs as ${setting.variable} sets it (${chainText(setting.chain)})`,
        variable: setting.variable,
        origin,
        value,
      });
      continue;
    }
    const line = script.commandLine(setting.variable, setting.at);
    candidates.push({
      label:
        setting.variable === script.root
          ? `bootargs as the script sets it${line === undefined ? '' : ` (line ${line})`}`
          : `bootargs as ${setting.variable} sets it (${chainText(setting.chain)})`,
      variable: setting.variable,
      origin,
      ...(line === undefined ? {} : { line }),
      value,
    });
  }
  return candidates;
}

function evaluateKernelCmdline(context: UbootContext): FindingDraft {
  const candidates = cmdlineCandidates(context);
  if (!candidates.length && context.script) {
    return {
      result: 'info',
      location: { path: context.path },
      message:
        "the script runs no setenv bootargs: the kernel gets the bootargs already in the environment, or the device tree's (/chosen/bootargs), which were not checked here",
    };
  }
  if (!candidates.length) {
    return {
      result: 'info',
      location: { path: context.path },
      message: context.partial
        ? 'no bootargs in this file and no setenv bootargs on the autoboot path: the built-in environment, the device tree or a boot script sets the kernel command line, which was not checked'
        : 'no bootargs in the environment and no setenv bootargs on the autoboot path: the kernel command line comes from the device tree (/chosen/bootargs), CONFIG_CMDLINE or a boot script, and was not checked',
    };
  }
  const first = candidates[0] as Candidate;
  const unresolved = [...new Set(candidates.flatMap((c) => c.value.unresolved))];
  const literal =
    context.env.variables.get('bootargs')?.value.includes('$') || context.boot.bootargs.some((b) => /\$[{(A-Za-z0-9_]/.test(b.value.text));
  const substituted = literal
    ? '; references left in bootargs are replaced by bootm only with CONFIG_BOOTARGS_SUBST (otherwise the kernel gets them as written), and were expanded here'
    : '';
  const where = context.script ? 'in the script (the environment may set them)' : 'here';
  return {
    result: 'info',
    location: context.script ? atLine(context, first.line) : at(context, context.env.variables.get(first.variable)),
    evidence: candidates.map((c) => `${context.script ? c.label.replace(/^bootargs as /, '') : c.variable}: ${c.value.text}`).join('\n'),
    message: `checked with the Linux command-line rules: ${candidates.map((c) => c.label).join('; ')}${
      unresolved.length ? `; not defined ${where}, so taken as empty: ${unresolved.map((u) => `\${${u}}`).join(', ')}` : ''
    }${candidates.some((c) => c.value.truncated) ? '; cut at 16 KiB' : ''}${substituted}`,
  };
}

const RANK: Record<Finding['result'], number> = { fail: 3, info: 2, 'not-applicable': 1, pass: 0 };

/**
 * The Linux command-line rules on every candidate; for each rule the worst result among them, located at
 * the variable the offending text came from.
 */
function checkKernelCmdlines(context: UbootContext): Finding[] {
  const candidates = cmdlineCandidates(context);
  const worst = new Map<string, Finding>();
  for (const candidate of candidates) {
    const text = candidate.value.text.replace(/[\r\n]+/g, ' ');
    for (const finding of checkCmdline(parseCmdline(text, candidate.label), context.path)) {
      const origins = finding.location.line !== undefined && finding.evidence ? originsOf(candidate.value, text, finding.evidence) : [];
      const origin = origins[0];
      const others = origins.filter((o) => o !== candidate.origin);
      const from = others.length ? `, with text from ${others.join(', ')}` : '';
      let location: FindingDraft['location'];
      if (context.script)
        location = atLine(context, (origin === undefined ? undefined : context.script.originLine(origin)) ?? candidate.line);
      else {
        const variable = context.env.variables.get(origin ?? candidate.variable) ?? context.env.variables.get(candidate.variable);
        location = at(context, variable);
      }
      const located: Finding = { ...finding, location, message: `${candidate.label}${from}: ${finding.message}` };
      const before = worst.get(finding.check);
      if (!before || RANK[located.result] > RANK[before.result]) worst.set(finding.check, located);
    }
  }
  return [...worst.values()];
}

/**
 * The variables a parameter's text came from, the one it starts in first: the parameter is found at a
 * token boundary in the expanded text, and every stretch it overlaps named.
 */
function originsOf(value: Traced, text: string, token: string): string[] {
  for (let i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + 1)) {
    const before = i === 0 ? ' ' : text[i - 1];
    const after = text[i + token.length] ?? ' ';
    if (!/\s/.test(before as string) || !/\s/.test(after)) continue;
    const first = originAt(value, i);
    const all = value.pieces.filter((p) => p.start < i + token.length && p.end > i).map((p) => p.origin);
    return [...new Set([...(first ? [first] : []), ...all])];
  }
  return [];
}
