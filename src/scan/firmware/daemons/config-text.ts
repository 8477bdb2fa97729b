// Small, bounded helpers shared by the daemon config readers: numbered lines, shell-like word splitting
// and OpenWrt's UCI format. Every loop is over characters or lines with fixed limits; no regular expression
// here can backtrack on hostile input.

/** More lines than any real config has; the rest of a larger file is not read. */
export const MAX_LINES = 100_000;
/** Longer lines are cut: a config value is never this long, and a binary read as text must stay cheap. */
export const MAX_LINE_CHARS = 16_384;
/** Words taken from one line. */
const MAX_WORDS = 512;

export interface NumberedLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/** The file's lines, numbered, with CR removed and each cut to MAX_LINE_CHARS. */
export function numberedLines(text: string): NumberedLine[] {
  const result: NumberedLine[] = [];
  let start = 0;
  for (let n = 1; n <= MAX_LINES && start <= text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let line = text.slice(start, Math.min(end, start + MAX_LINE_CHARS));
    if (line.endsWith('\r')) line = line.slice(0, -1);
    result.push({ line: n, text: line });
    start = end + 1;
  }
  return result;
}

/**
 * Splits a line into words the way a shell or sshd would for our purposes: whitespace separates, single
 * and double quotes group (without the quotes), a backslash escapes the next character, and an unquoted
 * `#` at the start of a word ends the line.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length && words.length < MAX_WORDS; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    if (c === '#' && !inWord) break;
    inWord = true;
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < line.length) current += line[++i];
    else current += c;
  }
  if (inWord && words.length < MAX_WORDS) words.push(current);
  return words;
}

/** One `config` section of a UCI file (/etc/config/*), with each option's and list's line. */
export interface UciSection {
  type: string;
  name?: string;
  line: number;
  options: Map<string, { value: string; line: number }>;
  lists: Map<string, { value: string; line: number }[]>;
}

/** Parses OpenWrt's UCI format: `config <type> ['<name>']`, `option <key> '<value>'`, `list <key> '<value>'`. */
export function parseUci(text: string): UciSection[] {
  const sections: UciSection[] = [];
  let current: UciSection | undefined;
  for (const { line, text: raw } of numberedLines(text)) {
    const words = splitWords(raw);
    const [keyword, first, second] = words;
    if (keyword === 'config' && first !== undefined) {
      current = { type: first, ...(second !== undefined ? { name: second } : {}), line, options: new Map(), lists: new Map() };
      sections.push(current);
    } else if (current && keyword === 'option' && first !== undefined) {
      // A later option replaces an earlier one, as uci does.
      current.options.set(first, { value: second ?? '', line });
    } else if (current && keyword === 'list' && first !== undefined && second !== undefined) {
      const list = current.lists.get(first) ?? [];
      list.push({ value: second, line });
      current.lists.set(first, list);
    }
  }
  return sections;
}

/** UCI's boolean spellings (config_get_bool): 1/on/true/yes/enabled and 0/off/false/no/disabled. */
export function uciBool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const v = value.toLowerCase();
  if (['1', 'on', 'true', 'yes', 'enabled'].includes(v)) return true;
  if (['0', 'off', 'false', 'no', 'disabled'].includes(v)) return false;
  return fallback;
}

/** A glob's last component (`*.conf`) as a test; only `*` and `?` are special. */
export function globMatcher(pattern: string): (name: string) => boolean {
  // Iterative wildcard matching with one backtrack point: linear in practice, never exponential.
  return (name) => {
    let p = 0;
    let n = 0;
    let star = -1;
    let mark = 0;
    while (n < name.length) {
      if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
        p++;
        n++;
      } else if (p < pattern.length && pattern[p] === '*') {
        star = p++;
        mark = n;
      } else if (star !== -1) {
        p = star + 1;
        n = ++mark;
      } else return false;
    }
    while (p < pattern.length && pattern[p] === '*') p++;
    return p === pattern.length;
  };
}

/** Whether a listen address (`127.0.0.1:80`, `[::1]:8883`, `localhost`) keeps a service on the device itself. */
export function isLoopback(address: string): boolean {
  let host = address;
  if (host.startsWith('[')) host = host.slice(1, Math.max(1, host.indexOf(']')));
  else if (host.indexOf(':') === host.lastIndexOf(':')) host = host.split(':')[0] ?? '';
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}
