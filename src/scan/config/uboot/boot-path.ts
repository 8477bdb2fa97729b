// Follows what U-Boot runs on its own: from bootcmd (and preboot, altbootcmd, uenvcmd) through `run`,
// `boot` and `for … in …; do run …_${x}; done`, noting each `setenv bootargs …` with the value it would give
// and each command that loads over the network. Each variable is followed once, in the order a boot
// reaches it; `if` branches are all taken. An approximation of a boot, bounded in every dimension. A boot
// script (boot.scr, boot.cmd) is walked the same way, as the one root its text is the value of.
import type { EnvVariable } from './environment.ts';
import { type Command, parseScript, plainWord, type Resolver, resolveWords, type Traced, type Word } from './script.ts';

export const MAX_VISITS = 512;
export const MAX_DEPTH = 32;
export const MAX_BOOTARGS_SETTINGS = 16;

export interface BootPathOptions {
  roots: readonly string[];
  networkCommands: readonly string[];
  /**
   * The origin given to text a command writes, from the variable it runs in and where the command starts in
   * that variable's value. By default the variable's name; a boot script names the line instead.
   */
  label?: (variable: string, at: number) => string;
}

export interface Reached {
  /** The variables run to get here, root first, this one last. */
  chain: string[];
}

export interface BootargsSetting {
  /** The variable whose script runs `setenv bootargs`. */
  variable: string;
  /** Where that `setenv` starts in the variable's value. */
  at: number;
  value: Traced;
  chain: string[];
}

export interface NetworkLoad {
  command: string;
  variable: string;
  /** Where the command starts in the variable's value. */
  at: number;
  chain: string[];
  /** The command as written (first words), for evidence. */
  text: string;
}

export interface BootPath {
  /** Roots present in the environment. */
  roots: string[];
  reached: Map<string, Reached>;
  bootargs: BootargsSetting[];
  network: NetworkLoad[];
  /** Names run that the environment does not define. */
  missing: string[];
  /** What `setenv` (and `env set`) left in each variable by the end of the walk; an empty value deletes. */
  set: Map<string, RuntimeSetting>;
  /** The first `saveenv` (or `env save`) reached, which stores the variables set so far for later boots. */
  saved?: { variable: string; at: number };
  /** Set when a bound stopped the walk. */
  limited?: string;
}

export interface RuntimeSetting {
  value: string;
  /** The label of the text that set it (see BootPathOptions.label). */
  origin: string;
  /** The variable whose script ran the `setenv`, and where the command starts in it. */
  variable: string;
  at: number;
}

/** Variables set while booting (`setenv`, `name=value`) shadow the stored ones from then on. */
interface State {
  env: Map<string, EnvVariable>;
  runtime: Map<string, RuntimeSetting>;
  locals: Map<string, Array<{ value: string; origin: string }>>;
}

export function followBoot(env: Map<string, EnvVariable>, options: BootPathOptions): BootPath {
  const state: State = { env, runtime: new Map(), locals: new Map() };
  const path: BootPath = {
    roots: options.roots.filter((r) => env.has(r)),
    reached: new Map(),
    bootargs: [],
    network: [],
    missing: [],
    set: state.runtime,
  };
  const network = new Set(options.networkCommands);
  const label = options.label ?? ((variable: string) => variable);
  const resolve: Resolver = (name) => {
    const local = state.locals.get(name);
    if (local?.length) return local;
    const runtime = state.runtime.get(name);
    if (runtime) return runtime.value ? [{ value: runtime.value, origin: runtime.origin }] : undefined;
    const stored = state.env.get(name);
    return stored ? [{ value: stored.value, origin: name }] : undefined;
  };

  const visit = (name: string, chain: string[]) => {
    if (path.reached.has(name)) return;
    if (path.reached.size >= MAX_VISITS) {
      path.limited = `stopped after ${MAX_VISITS} variables`;
      return;
    }
    if (chain.length >= MAX_DEPTH) {
      path.limited = `stopped at ${MAX_DEPTH} nested runs`;
      return;
    }
    const script = state.runtime.has(name) ? state.runtime.get(name)?.value : state.env.get(name)?.value;
    if (!script) {
      if (!path.missing.includes(name) && path.missing.length < 32) path.missing.push(name);
      return;
    }
    const here = [...chain, name];
    path.reached.set(name, { chain: here });
    for (const command of parseScript(script)) run(command, name, here);
  };

  const run = (command: Command, variable: string, chain: string[]) => {
    const origin = label(variable, command.at);
    if (command.loop) {
      const values = resolveWords(command.loop.values, origin, resolve).flatMap((t) =>
        t.text
          .split(/[ \t\n]+/)
          .filter(Boolean)
          .map((value) => ({ value, origin })),
      );
      state.locals.set(command.loop.name, values.slice(0, 64));
      return;
    }
    const [first, ...args] = command.words;
    const verb = plainWord(first);
    if (verb === undefined) return;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(verb);
    if (assignment && args.length === 0) {
      state.locals.set(assignment[1] as string, [{ value: assignment[2] as string, origin }]);
      return;
    }
    if (first && first.length > 1 && 'text' in (first[0] as object)) {
      // NAME=${x}: a local assignment with a reference.
      const head = (first[0] as { text: string }).text;
      const eq = head.indexOf('=');
      if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(head.slice(0, eq)) && args.length === 0) {
        const rest: Word = [{ text: head.slice(eq + 1) }, ...first.slice(1)];
        const value = resolveWords([rest], origin, resolve)[0];
        if (value) state.locals.set(head.slice(0, eq), [{ value: value.text, origin }]);
        return;
      }
    }
    if (verb === 'run') {
      for (const arg of args) for (const name of targets(arg, origin)) visit(name, chain);
      return;
    }
    if (verb === 'saveenv' || (verb === 'env' && plainWord(args[0]) === 'save')) {
      path.saved ??= { variable, at: command.at };
      return;
    }
    if (verb === 'boot' || verb === 'bootd') {
      visit('bootcmd', chain);
      return;
    }
    if (verb === 'setenv' || (verb === 'env' && plainWord(args[0]) === 'set')) {
      let rest = verb === 'env' ? args.slice(1) : args;
      while (rest.length && (plainWord(rest[0]) ?? '').startsWith('-')) rest = rest.slice(1);
      const name = plainWord(rest[0]) ?? resolveWords(rest.slice(0, 1), origin, resolve)[0]?.text;
      if (!name) return;
      const values = resolveWords(rest.slice(1), origin, resolve);
      const value = values[0];
      state.runtime.set(name, { value: value?.text ?? '', origin, variable, at: command.at });
      if (name === 'bootargs') {
        for (const v of values) {
          if (path.bootargs.length >= MAX_BOOTARGS_SETTINGS) break;
          if (v.text && !path.bootargs.some((b) => b.value.text === v.text))
            path.bootargs.push({ variable, at: command.at, value: v, chain });
        }
      }
      return;
    }
    if (network.has(verb) && path.network.length < 64) {
      const text = [verb, ...args.slice(0, 4).map((w) => wordText(w))].join(' ');
      path.network.push({ command: verb, variable, at: command.at, chain, text });
    }
  };

  /**
   * The variables a `run` argument names. A name made with a reference nothing here defines (set by board
   * code at run time) matches every stored name of that shape: `bootcmd_${x}` runs any bootcmd_….
   */
  const targets = (arg: Word, origin: string): string[] => {
    const names: string[] = [];
    for (const target of resolveWords([arg], origin, resolve)) {
      if (target.unresolved.length === 0) names.push(...target.text.split(/[ \t\n]+/).filter(Boolean));
      else if (arg.filter((p) => 'ref' in p).length === 1) {
        const shape = new RegExp(`^${arg.map((p) => ('text' in p ? escapeRegExp(p.text) : '[^ \t\n]*')).join('')}$`);
        let matched = 0;
        for (const name of state.env.keys()) {
          if (!shape.test(name)) continue;
          names.push(name);
          if (++matched >= 32) break;
        }
      }
    }
    return names;
  };

  for (const root of path.roots) visit(root, []);
  return path;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function wordText(word: Word): string {
  return word.map((p) => ('text' in p ? p.text : `\${${p.ref}}`)).join('');
}
