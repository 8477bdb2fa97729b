// Parsers for the files that say what starts at boot: inittab (sysvinit and busybox), systemd unit
// files, inetd.conf, xinetd configs, OpenWrt uci files, and the command words of init scripts. Each is
// a single bounded pass over lines with simple regular expressions: arbitrary text gives a (possibly
// empty) result, never an exception.

const MAX_LINES = 20_000;
const MAX_LINE_CHARS = 4096;

export function textLines(text: string): string[] {
  return text.split('\n', MAX_LINES).map((l) => {
    const line = l.endsWith('\r') ? l.slice(0, -1) : l;
    return line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
  });
}

/** Splits a command line into words, honouring simple quotes; no expansion. */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  const re = /"([^"]{0,1024})"|'([^']{0,1024})'|([^\s"']{1,1024})/g;
  for (let m = re.exec(command); m && words.length < 256; m = re.exec(command)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

export interface InittabEntry {
  line: number;
  id: string;
  runlevels: string;
  action: string;
  process: string;
}

/** `id:runlevels:action:process`; busybox puts the tty in the id field and ignores runlevels. */
export function parseInittab(text: string): InittabEntry[] {
  const entries: InittabEntry[] = [];
  textLines(text).forEach((line, i) => {
    if (/^\s*(#|$)/.test(line)) return;
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    const third = second < 0 ? -1 : line.indexOf(':', second + 1);
    if (third < 0) return;
    const action = line.slice(second + 1, third).trim();
    if (!/^[a-z]{1,16}$/.test(action)) return;
    entries.push({
      line: i + 1,
      id: line.slice(0, first).trim(),
      runlevels: line.slice(first + 1, second).trim(),
      action,
      process: line.slice(third + 1).trim(),
    });
  });
  return entries;
}

export interface UnitFile {
  /** section name → key → values with their lines, in order (ExecStart= may repeat; an empty value resets). */
  sections: Map<string, Map<string, Array<{ value: string; line: number }>>>;
}

export function parseUnitFile(text: string): UnitFile {
  const sections: UnitFile['sections'] = new Map();
  let current: Map<string, Array<{ value: string; line: number }>> | undefined;
  const lines = textLines(text);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] as string).trim();
    const start = i;
    // Continuation lines end with a backslash.
    while (line.endsWith('\\') && i + 1 < lines.length && line.length < MAX_LINE_CHARS)
      line = `${line.slice(0, -1)} ${(lines[++i] as string).trim()}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]{1,64})\]$/.exec(line);
    if (section) {
      const name = section[1] as string;
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const values = current.get(key) ?? [];
    if (value === '') values.length = 0;
    else values.push({ value, line: start + 1 });
    current.set(key, values);
  }
  return { sections };
}

export function unitValues(unit: UnitFile, section: string, key: string): Array<{ value: string; line: number }> {
  return unit.sections.get(section)?.get(key) ?? [];
}

export interface InetdEntry {
  line: number;
  service: string;
  socketType: string;
  protocol: string;
  user: string;
  server: string;
  args: string[];
}

/** inetd.conf: service socket-type protocol wait user server args… (busybox inetd reads the same). */
export function parseInetd(text: string): InetdEntry[] {
  const entries: InetdEntry[] = [];
  textLines(text).forEach((line, i) => {
    if (/^\s*(#|$)/.test(line)) return;
    const words = line.trim().split(/\s{1,64}/, 64);
    if (words.length < 6) return;
    const [service, socketType, protocol, , user, server, ...args] = words as [string, string, string, string, string, string, ...string[]];
    entries.push({ line: i + 1, service, socketType, protocol, user: user.split(/[.:]/)[0] ?? user, server, args });
  });
  return entries;
}

export interface XinetdService {
  line: number;
  name: string;
  attributes: Map<string, string>;
}

/** xinetd: `service name { attribute = value … }`; += and -= are kept as plain values. */
export function parseXinetd(text: string): XinetdService[] {
  const services: XinetdService[] = [];
  let current: XinetdService | undefined;
  let pendingName: { name: string; line: number } | undefined;
  textLines(text).forEach((raw, i) => {
    const line = raw.replace(/#.{0,4096}$/, '').trim();
    if (line === '') return;
    const header = /^service\s{1,64}(\S{1,128})\s{0,64}(\{)?$/.exec(line);
    if (header && !current) {
      pendingName = { name: header[1] as string, line: i + 1 };
      if (header[2]) current = { line: i + 1, name: pendingName.name, attributes: new Map() };
      return;
    }
    if (line === '{' && pendingName && !current) {
      current = { line: pendingName.line, name: pendingName.name, attributes: new Map() };
      return;
    }
    if (line === '}' && current) {
      services.push(current);
      current = undefined;
      pendingName = undefined;
      return;
    }
    const attr = /^([A-Za-z_]{1,64})\s{0,64}[+-]?=\s{0,64}(.{0,4096})$/.exec(line);
    if (attr && current) current.attributes.set((attr[1] as string).toLowerCase(), (attr[2] as string).trim());
  });
  return services;
}

export interface UciSection {
  line: number;
  type: string;
  name?: string;
  options: Map<string, string>;
  lists: Map<string, string[]>;
}

const uciValue = (raw: string) => {
  const v = raw.trim();
  const m = /^'([^']{0,4096})'$|^"([^"]{0,4096})"$/.exec(v);
  return m ? (m[1] ?? m[2] ?? '') : v;
};

/** OpenWrt uci: `config type ['name']`, `option key 'value'`, `list key 'value'`. */
export function parseUci(text: string): UciSection[] {
  const sections: UciSection[] = [];
  let current: UciSection | undefined;
  textLines(text).forEach((line, i) => {
    const config = /^\s{0,64}config\s{1,64}(\S{1,64})(?:\s{1,64}(\S.{0,256}))?$/.exec(line);
    if (config) {
      current = { line: i + 1, type: uciValue(config[1] as string), options: new Map(), lists: new Map() };
      if (config[2]) current.name = uciValue(config[2]);
      sections.push(current);
      return;
    }
    const item = /^\s{0,64}(option|list)\s{1,64}(\S{1,64})\s{1,64}(.{0,4096})$/.exec(line);
    if (!item || !current) return;
    const key = item[2] as string;
    const value = uciValue(item[3] as string);
    if (item[1] === 'option') current.options.set(key, value);
    else current.lists.set(key, [...(current.lists.get(key) ?? []), value]);
  });
  return sections;
}

export interface ScriptCommand {
  line: number;
  /** The command's words, from its program on (wrappers such as exec and start-stop-daemon unwrapped). */
  argv: string[];
  /** For `chpst -u`, `start-stop-daemon -c`, `procd_set_param user`: the user it runs as. */
  user?: string;
}

const NOT_STARTING = new Set([
  'kill',
  'killall',
  'pkill',
  'pidof',
  'echo',
  'printf',
  'rm',
  'grep',
  'logger',
  '[',
  'test',
  'which',
  'type',
  'local',
  'export',
  'return',
  'exit',
  'cat',
  'mkdir',
  'touch',
  'chmod',
  'chown',
  'ln',
  'cp',
  'mv',
  'sleep',
  'case',
  'esac',
  'fi',
  'done',
  'for',
  'while',
  'until',
  'break',
  'continue',
  'shift',
  'set',
  'unset',
  'source',
  '.',
  'eval',
  'uci_get',
  'config_get',
  'config_load',
  'procd_open_instance',
  'procd_close_instance',
  'procd_append_param',
  'start-stop-daemon-stop',
  'true',
  'false',
  ':',
]);

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]{0,64})=(.{0,1024})$/;
const MAX_VARIABLES = 256;

/**
 * $NAME and ${NAME} replaced by what the script assigned them, so that the usual
 * `DAEMON=/usr/sbin/telnetd` … `start-stop-daemon -S -x $DAEMON` is followed. Only plain assignments seen
 * earlier in the script count; anything else is left as written.
 */
function expandVariables(word: string, variables: ReadonlyMap<string, string>): string {
  if (!word.includes('$') || variables.size === 0) return word;
  return word.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]{0,64})\}|([A-Za-z_][A-Za-z0-9_]{0,64}))/g, (whole, braced?: string, bare?: string) => {
    const value = variables.get((braced ?? bare) as string);
    return value ?? whole;
  });
}

/** The commands a shell init script runs, one per simple command, with control words and wrappers removed. */
export function scriptCommands(text: string): ScriptCommand[] {
  const commands: ScriptCommand[] = [];
  const variables = new Map<string, string>();
  textLines(text).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.{0,4096}$/, '');
    for (const part of line.split(/;|&&|\|\||\||&|\(|\)|`|\$\(/, 64)) {
      let words = splitWords(part).map((w) => expandVariables(w, variables));
      // A line of assignments alone sets shell variables; before a command they only set its environment.
      const assignments = words.map((w) => ASSIGNMENT.exec(w));
      if (words.length > 0 && assignments.every((a) => a !== null)) {
        for (const a of assignments)
          if (a && (variables.size < MAX_VARIABLES || variables.has(a[1] as string))) variables.set(a[1] as string, a[2] as string);
        continue;
      }
      while (
        words.length &&
        /^(then|do|else|elif|if|!|\{|\}|nohup|exec|command|builtin|nice|setsid|env|time|[A-Za-z_][A-Za-z0-9_]{0,64}=.{0,1024})$/.test(
          words[0] as string,
        )
      )
        words = words.slice(1);
      if (/^[a-z0-9_*|-]{1,64}\)$/.test(words[0] ?? '')) words = words.slice(1);
      const first = words[0];
      if (!first || NOT_STARTING.has(first) || first.startsWith('$') || first.startsWith('-')) continue;
      let user: string | undefined;
      if (first === 'procd_set_param') {
        if (words[1] === 'command') words = words.slice(2);
        else if (words[1] === 'user' && words[2]) {
          commands.push({ line: i + 1, argv: ['procd_set_param', 'user'], user: words[2] });
          continue;
        } else continue;
      } else if (first === 'start-stop-daemon') {
        if (!words.some((w) => w === '-S' || w === '--start')) continue;
        const at = words.findIndex((w) => w === '-x' || w === '--exec' || w === '-a' || w === '--startas');
        const u = words.findIndex((w) => w === '-c' || w === '--chuid' || w === '-u' || w === '--user');
        if (u >= 0 && words[u + 1]) user = (words[u + 1] as string).split(':')[0];
        const dashdash = words.indexOf('--');
        if (at < 0 || !words[at + 1]) continue;
        words = [words[at + 1] as string, ...(dashdash >= 0 ? words.slice(dashdash + 1) : [])];
      } else if (first === 'chpst') {
        const u = words.indexOf('-u');
        if (u >= 0 && words[u + 1]) user = (words[u + 1] as string).split(':')[0];
        let j = 1;
        while (j < words.length && (words[j] as string).startsWith('-'))
          j += /^-[ugUbn/CceflmdoprtN]$/.test(words[j] as string) && !/^-[vPN012]$/.test(words[j] as string) ? 2 : 1;
        words = words.slice(j);
      } else if (first === 'service_start') words = words.slice(1);
      if (words.length === 0) continue;
      commands.push({ line: i + 1, argv: words, ...(user ? { user } : {}) });
    }
  });
  return commands;
}

export function basename(path: string): string {
  const trimmed = path.replace(/^-/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
