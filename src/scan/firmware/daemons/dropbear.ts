// Dropbear takes its options on the command line only. They come from /etc/default/dropbear
// (DROPBEAR_EXTRA_ARGS, DROPBEAR_ARGS: Debian, Yocto, Buildroot), from OpenWrt's /etc/config/dropbear
// (turned into flags by /etc/init.d/dropbear) and from init scripts and systemd units that start it.
// The flags of all these sources are gathered for the one daemon an image runs.
//
//   -w  disallow root logins          -g  disable password logins for root
//   -s  disable password logins       -B  allow blank password logins
//   -a  allow remote hosts to connect to forwarded ports (GatewayPorts)
import type { FirmwareContext } from '../firmware-check.ts';
import { numberedLines, parseUci, splitWords, uciBool } from './config-text.ts';

export interface Place {
  path: string;
  line?: number;
}

export interface DropbearOptions {
  /** Flags in effect, each with where it was given. */
  flags: Map<string, Place>;
  /** Where a missing flag is best reported: the config that would take it. */
  configPlace: Place;
  /** Every source read. */
  sources: string[];
}

/** Options that take an argument (which may be glued to the flag or be the next word). */
const FLAGS_WITH_ARGUMENT = new Set(['b', 'r', 'p', 'P', 'W', 'K', 'I', 'c', 'T', 'D', 'G', 'A']);
const BINARIES = ['/usr/sbin/dropbear', '/usr/sbin/dropbearmulti', '/usr/bin/dropbearmulti', '/sbin/dropbear', '/bin/dropbear'];

/** The single-letter flags in a Dropbear argument list (`-w -g`, `-wg`, `-p 22 -s`). */
export function dropbearFlags(words: readonly string[]): Set<string> {
  const flags = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('-') || word.length < 2 || word.startsWith('--')) continue;
    for (let j = 1; j < word.length; j++) {
      const c = word[j] as string;
      flags.add(c);
      if (FLAGS_WITH_ARGUMENT.has(c)) {
        if (j === word.length - 1) i++; // the argument is the next word
        break;
      }
    }
  }
  return flags;
}

/** `NAME="value"` assignments of a shell defaults file, with their lines. */
export function shellAssignments(text: string): Map<string, { value: string; line: number }> {
  const result = new Map<string, { value: string; line: number }>();
  for (const { line, text: raw } of numberedLines(text)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$/.exec(raw);
    if (!match) continue;
    result.set(match[1] as string, { value: splitWords(match[2] as string).join(' '), line });
  }
  return result;
}

/** The flags a dropbear command line in a script or unit passes, or undefined when the line does not start dropbear. */
export function dropbearCommandLine(line: string): Set<string> | undefined {
  const words = splitWords(line.replace(/^\s*Exec(?:Start|StartPre)=[-@+!:]*/, ''));
  const at = words.findIndex((w) => /(?:^|\/)dropbear(?:multi)?$/.test(w));
  if (at === -1) return undefined;
  let rest = words.slice(at + 1);
  if (rest[0] === 'dropbear') rest = rest.slice(1); // dropbearmulti dropbear …
  if (!rest.some((w) => w.startsWith('-'))) return undefined;
  return dropbearFlags(rest);
}

const UCI_FLAGS: { option: string; fallback: boolean; flagWhen: boolean; flag: string }[] = [
  { option: 'PasswordAuth', fallback: true, flagWhen: false, flag: 's' },
  { option: 'RootPasswordAuth', fallback: true, flagWhen: false, flag: 'g' },
  { option: 'RootLogin', fallback: true, flagWhen: false, flag: 'w' },
  { option: 'GatewayPorts', fallback: false, flagWhen: true, flag: 'a' },
];

const SCRIPT_DIRS =
  /^\/(?:etc\/init\.d|etc\/rc\.d|etc\/systemd\/system|lib\/systemd\/system|usr\/lib\/systemd\/system|etc\/sv|etc\/runit|etc\/s6)\//;

export function dropbearOptions(context: FirmwareContext): DropbearOptions | undefined {
  return context.memo('dropbear-options', () => {
    const flags = new Map<string, Place>();
    const sources: string[] = [];
    let configPlace: Place | undefined;
    const add = (set: Iterable<string>, place: Place) => {
      for (const f of set) if (!flags.has(f)) flags.set(f, place);
    };

    const uci = context.readText('/etc/config/dropbear');
    if (uci !== undefined) {
      sources.push('/etc/config/dropbear');
      for (const section of parseUci(uci).filter((s) => s.type === 'dropbear')) {
        if (!uciBool(section.options.get('enable')?.value, true)) continue;
        configPlace ??= { path: '/etc/config/dropbear', line: section.line };
        for (const rule of UCI_FLAGS) {
          const option = section.options.get(rule.option);
          if (uciBool(option?.value, rule.fallback) === rule.flagWhen)
            add([rule.flag], { path: '/etc/config/dropbear', line: option?.line ?? section.line });
        }
      }
    }

    const defaults = context.readText('/etc/default/dropbear');
    if (defaults !== undefined) {
      sources.push('/etc/default/dropbear');
      const vars = shellAssignments(defaults);
      for (const name of ['DROPBEAR_EXTRA_ARGS', 'DROPBEAR_ARGS']) {
        const v = vars.get(name);
        if (v) add(dropbearFlags(splitWords(v.value)), { path: '/etc/default/dropbear', line: v.line });
      }
      configPlace ??= { path: '/etc/default/dropbear', line: vars.get('DROPBEAR_EXTRA_ARGS')?.line };
    }

    for (const script of context.files((e) => SCRIPT_DIRS.test(e.path) || e.path === '/etc/inittab')) {
      const text = context.readText(script.path, 256 * 1024);
      if (text === undefined || !text.includes('dropbear')) continue;
      for (const { line, text: raw } of numberedLines(text)) {
        const set = raw.includes('dropbear') ? dropbearCommandLine(raw) : undefined;
        if (!set) continue;
        sources.push(script.path);
        add(set, { path: script.path, line });
        configPlace ??= { path: script.path, line };
      }
    }

    const binary = BINARIES.find((p) => context.fs.entry(p));
    if (!sources.length && !binary) return undefined;
    return { flags, configPlace: configPlace ?? { path: binary ?? sources[0] ?? '/etc/default/dropbear' }, sources };
  });
}
