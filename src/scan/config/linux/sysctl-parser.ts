// Reads sysctl.conf and /etc/sysctl.d/*.conf (and `sysctl -a` output, which has the same shape):
// "key = value" lines, # or ; comments, an optional leading "-" (ignore failures). Keys may use "/"
// as the separator, in which case "." is a literal (an interface such as eth0.100). systemd accepts
// globs in keys (net.ipv4.conf.*.rp_filter); they are kept and matched later.
import { textLines } from './text-lines.ts';

export interface SysctlEntry {
  /** Dotted form, possibly with * or ? globs. */
  key: string;
  value: string;
  line: number;
  text: string;
}

export interface SysctlFile {
  /** In file order; the last assignment to a key wins, as with `sysctl -p`. */
  entries: SysctlEntry[];
  unreadable: number[];
}

const KEY = /^[A-Za-z0-9_.*?/:@+-]{1,256}$/;

export function parseSysctl(text: string): SysctlFile {
  const entries: SysctlEntry[] = [];
  const unreadable: number[] = [];
  for (const { number, text: raw, unreadable: bad } of textLines(text)) {
    const line = raw.trim();
    if (bad) {
      if (unreadable.length < 1000) unreadable.push(number);
      continue;
    }
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const entry = parseSysctlLine(line, number);
    if (entry) entries.push(entry);
    else if (unreadable.length < 1000) unreadable.push(number);
  }
  return { entries, unreadable };
}

export function parseSysctlLine(line: string, number: number): SysctlEntry | undefined {
  const eq = line.indexOf('=');
  if (eq <= 0) return undefined;
  let key = line.slice(0, eq).trim();
  if (key.startsWith('-')) key = key.slice(1).trim();
  if (!KEY.test(key)) return undefined;
  return { key: dottedKey(key), value: line.slice(eq + 1).trim(), line: number, text: line };
}

/** "kernel/kptr_restrict" → "kernel.kptr_restrict"; "net/ipv4/conf/eth0.100/rp_filter" keeps the dot as part of a name. */
export function dottedKey(key: string): string {
  const slash = key.indexOf('/');
  const dot = key.indexOf('.');
  if (slash === -1 || (dot !== -1 && dot < slash)) return key;
  let out = '';
  for (const ch of key) out += ch === '/' ? '.' : ch === '.' ? '/' : ch;
  return out;
}

/** Glob match with * and ?, in O(pattern × text) at worst: no backtracking explosion. */
export function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
