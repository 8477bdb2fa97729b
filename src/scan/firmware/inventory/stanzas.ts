// The package databases' text formats, read with bounded loops. dpkg's status file and opkg's status and
// control files are Debian control format: stanzas separated by blank lines, `Field: value` lines, and
// continuation lines starting with a space or tab. apk's installed database has one-letter keys
// (`P:name`) in blank-line separated blocks.
import { MAX_LINE_CHARS, numberedLines } from '../daemons/config-text.ts';

/** More stanzas than any real database holds. */
const MAX_STANZAS = 50_000;

export interface Stanza {
  /** Fields by name as written (Debian field names are case-insensitive; the databases write them one way). */
  fields: Map<string, string>;
  /** Line of the stanza's first field. */
  line: number;
}

export function parseControlStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Stanza | undefined;
  let last: string | undefined;
  for (const { line, text: raw } of numberedLines(text)) {
    if (raw.trim() === '') {
      current = undefined;
      last = undefined;
      continue;
    }
    if (raw.startsWith(' ') || raw.startsWith('\t')) {
      // A continuation of the last field; only short ones (Description's first lines) are kept.
      if (current && last !== undefined) {
        const before = current.fields.get(last) ?? '';
        if (before.length < MAX_LINE_CHARS) current.fields.set(last, `${before}\n${raw.trim()}`);
      }
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    if (!current) {
      if (stanzas.length >= MAX_STANZAS) break;
      current = { fields: new Map(), line };
      stanzas.push(current);
    }
    last = raw.slice(0, colon);
    if (!current.fields.has(last)) current.fields.set(last, raw.slice(colon + 1).trim());
  }
  return stanzas;
}

/** apk's installed database: blocks of `K:value` lines. Repeated keys (F:, R: file lists) keep the first. */
export function parseApkInstalled(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Stanza | undefined;
  for (const { line, text: raw } of numberedLines(text)) {
    if (raw === '') {
      current = undefined;
      continue;
    }
    if (raw.length < 2 || raw[1] !== ':') continue;
    if (!current) {
      if (stanzas.length >= MAX_STANZAS) break;
      current = { fields: new Map(), line };
      stanzas.push(current);
    }
    const key = raw[0] as string;
    if (!current.fields.has(key)) current.fields.set(key, raw.slice(2));
  }
  return stanzas;
}

/** `/etc/os-release`: KEY=value lines, values optionally quoted with shell escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const { text: raw } of numberedLines(text)) {
    const match = /^([A-Z][A-Z0-9_]{0,63})=(.*)$/.exec(raw.trim());
    if (!match) continue;
    let value = (match[2] as string).trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) value = value.slice(1, -1);
    if (q === '"') value = value.replace(/\\(.)/g, '$1');
    result.set(match[1] as string, value);
  }
  return result;
}
