// Reads Kconfig output (a Zephyr .config, a sysbuild .config) and Kconfig fragments (prj.conf,
// sysbuild.conf, board .conf files): `CONFIG_X=y`, `# CONFIG_X is not set`, strings, ints and hex.
// Hostile input is bounded: long lines are cut, the line count is capped, nothing backtracks.
import { InputError } from '../../../io/input-error.ts';

/** A .config is a few thousand lines; far beyond this is not a Kconfig file. */
export const MAX_KCONFIG_LINES = 200_000;
/** Long string values (CONFIG_COMPILER_OPT…) fit; a longer line is cut and reported. */
export const MAX_KCONFIG_LINE_CHARS = 8192;

export interface KconfigEntry {
  /** The full name as written, with its prefix: CONFIG_SHELL or SB_CONFIG_BOOTLOADER_MCUBOOT. */
  name: string;
  /** 1-based line of the last assignment (Kconfig keeps the last one). */
  line: number;
  /** The line as written, for evidence. */
  text: string;
  /** The value as written after `=`; "n" for `# CONFIG_X is not set`. */
  raw: string;
  /** y or m: true; n or not set: false; anything else: undefined. */
  enabled: boolean | undefined;
  /** The unescaped text of a quoted string value. */
  string?: string;
  /** A decimal or 0x-hex value. */
  number?: number;
}

export interface KconfigFile {
  entries: Map<string, KconfigEntry>;
  /** Comment lines (without the leading #), kept to recognise generated files by their menu comments. */
  comments: string[];
  /** Lines that are neither assignments, comments nor blank. */
  unparsed: number;
  incomplete: Array<{ part: string; reason: string }>;
}

// One regex per line shape, anchored, no nested quantifiers: linear on any input.
const ASSIGNMENT = /^((?:SB_)?CONFIG_[A-Za-z0-9_]+)[ \t]*=[ \t]*(.*)$/;
const NOT_SET = /^#[ \t]*((?:SB_)?CONFIG_[A-Za-z0-9_]+) is not set[ \t]*$/;
const DECIMAL = /^-?[0-9]{1,15}$/;
const HEX = /^0[xX][0-9a-fA-F]{1,13}$/;

export function parseKconfig(path: string, text: string): KconfigFile {
  rejectBinary(path, text);
  const result: KconfigFile = { entries: new Map(), comments: [], unparsed: 0, incomplete: [] };
  const lines = splitLines(text);
  if (lines.length > MAX_KCONFIG_LINES) {
    result.incomplete.push({
      part: `${path}: lines after ${MAX_KCONFIG_LINES}`,
      reason: `more than ${MAX_KCONFIG_LINES} lines; the rest was not read`,
    });
  }
  let longLines = 0;
  const count = Math.min(lines.length, MAX_KCONFIG_LINES);
  for (let i = 0; i < count; i++) {
    let line = lines[i] as string;
    if (line.length > MAX_KCONFIG_LINE_CHARS) {
      if (longLines++ === 0) {
        result.incomplete.push({
          part: `${path}:${i + 1}`,
          reason: `line longer than ${MAX_KCONFIG_LINE_CHARS} characters; only its start was read`,
        });
      }
      line = line.slice(0, MAX_KCONFIG_LINE_CHARS);
    }
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const notSet = NOT_SET.exec(trimmed);
    if (notSet) {
      set(result, { name: notSet[1] as string, line: i + 1, text: trimmed, raw: 'n', enabled: false });
      continue;
    }
    if (trimmed.startsWith('#')) {
      result.comments.push(trimmed.slice(1).trim());
      continue;
    }
    const assignment = ASSIGNMENT.exec(trimmed);
    if (!assignment) {
      result.unparsed++;
      continue;
    }
    set(result, entryFor(assignment[1] as string, (assignment[2] as string).trim(), i + 1, trimmed));
  }
  return result;
}

function set(file: KconfigFile, entry: KconfigEntry): void {
  // Delete first so the map's order follows the last assignment, as Kconfig's merge does.
  file.entries.delete(entry.name);
  file.entries.set(entry.name, entry);
}

function entryFor(name: string, raw: string, line: number, text: string): KconfigEntry {
  const entry: KconfigEntry = { name, line, text, raw, enabled: undefined };
  if (raw === 'y' || raw === 'm') entry.enabled = true;
  else if (raw === 'n') entry.enabled = false;
  else if (raw.startsWith('"')) {
    const unquoted = unquote(raw);
    if (unquoted !== undefined) entry.string = unquoted;
  } else if (DECIMAL.test(raw)) entry.number = Number.parseInt(raw, 10);
  else if (HEX.test(raw)) entry.number = Number.parseInt(raw.slice(2), 16);
  return entry;
}

/** Kconfig strings escape only `"` and `\`. Returns undefined when the closing quote is missing. */
export function unquote(raw: string): string | undefined {
  let out = '';
  for (let i = 1; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\' && i + 1 < raw.length) {
      out += raw[++i];
    } else if (c === '"') {
      return out;
    } else out += c;
  }
  return undefined;
}

/** Splits on LF, CRLF or a lone CR (old Mac editors), so line numbers match what an editor shows. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** A NUL byte means an image or object file, not a Kconfig text: say so instead of guessing. */
function rejectBinary(path: string, text: string): void {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) throw new InputError(`${path}: contains binary data (a NUL byte at offset ${nul}); not a Kconfig file`);
}

export function isEnabled(file: KconfigFile, name: string): boolean {
  return file.entries.get(name)?.enabled === true;
}
