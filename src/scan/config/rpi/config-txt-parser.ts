// Reads config.txt syntax (also the syntax of the bootloader EEPROM config): `key=value` lines,
// `[filter]` section lines, `#` comments at the start of a line, and the few space-separated
// directives (`include file`, `initramfs file address`). Each setting keeps the filters in force.
// dtparam lines are split into one setting per parameter (`dtparam:uart0`), overlays into one per
// overlay (`dtoverlay:dwc2`), so that later lines override earlier ones per parameter, as the firmware does.
import { InputError } from '../../../io/input-error.ts';
import { applyFilter, EVERY_BOARD, type Scope } from './conditional-sections.ts';

/** The firmware ignores characters past this on a config.txt line (config.txt documentation, "File Format"). */
export const CONFIG_TXT_LINE_LIMIT = 98;
/** Nothing we read is longer; a longer line is cut and reported. */
export const MAX_LINE_CHARS = 4096;
export const MAX_LINES = 100_000;

export interface Setting {
  key: string;
  value: string;
  line: number;
  /** The line as written, for evidence. */
  text: string;
  scope: Scope;
  /** For dtparam settings: the overlay loaded before it, whose parameters it may set instead of the base tree's. */
  overlay?: Setting;
}

export interface ConfigTxt {
  settings: Setting[];
  includes: Setting[];
  sections: Array<{ line: number; text: string }>;
  unparsed: number;
  incomplete: Array<{ part: string; reason: string }>;
}

export interface ParseOptions {
  /** Number of the first line, when the text is a part of a larger file. */
  firstLine?: number;
  /** Cut lines as the firmware does (config.txt) or only to the safety bound (EEPROM config). */
  lineLimit?: number;
}

const SECTION = /^\[([^\]]*)\]\s*$/;
const SPACE_DIRECTIVE = /^(include|initramfs)[ \t]+(\S.*)$/;
const KEY = /^[A-Za-z0-9_.:+-]{1,80}$/;

export function parseConfigTxt(path: string, text: string, options: ParseOptions = {}): ConfigTxt {
  rejectBinary(path, text);
  const firstLine = options.firstLine ?? 1;
  const limit = options.lineLimit ?? MAX_LINE_CHARS;
  const result: ConfigTxt = { settings: [], includes: [], sections: [], unparsed: 0, incomplete: [] };
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > MAX_LINES)
    result.incomplete.push({ part: `${path}: lines after ${MAX_LINES}`, reason: `more than ${MAX_LINES} lines; the rest was not read` });
  let scope: Scope = EVERY_BOARD;
  let overlay: Setting | undefined;
  let reportedLong = false;
  for (let i = 0; i < Math.min(lines.length, MAX_LINES); i++) {
    const lineNumber = firstLine + i;
    let raw = lines[i] as string;
    if (raw.length > MAX_LINE_CHARS && !reportedLong) {
      reportedLong = true;
      result.incomplete.push({
        part: `${path}:${lineNumber}`,
        reason: `line longer than ${MAX_LINE_CHARS} characters; only its start was read`,
      });
    }
    raw = raw.slice(0, Math.min(limit, MAX_LINE_CHARS));
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = SECTION.exec(line);
    if (section) {
      scope = applyFilter(scope, section[1] as string);
      result.sections.push({ line: lineNumber, text: (section[1] as string).trim() });
      continue;
    }
    const base = { line: lineNumber, text: line, scope };
    const spaced = SPACE_DIRECTIVE.exec(line);
    if (spaced && !line.includes('=')) {
      const setting = { ...base, key: spaced[1] as string, value: (spaced[2] as string).trim() };
      (setting.key === 'include' ? result.includes : result.settings).push(setting);
      continue;
    }
    const eq = line.indexOf('=');
    const key = eq === -1 ? '' : line.slice(0, eq).trim();
    if (!KEY.test(key)) {
      result.unparsed++;
      continue;
    }
    const value = line.slice(eq + 1).trim();
    if (key === 'dtoverlay') {
      overlay = overlaySetting(base, value);
      if (overlay) result.settings.push(overlay);
    } else if (key === 'dtparam') {
      for (const param of splitParams(value)) result.settings.push({ ...base, ...param, ...(overlay ? { overlay } : {}) });
    } else {
      result.settings.push({ ...base, key, value });
    }
  }
  return result;
}

/** `dtoverlay=name,param=value,…` (or the older `name:param=value`); an empty value ends the overlay's parameter scope. */
function overlaySetting(base: Omit<Setting, 'key' | 'value'>, value: string): Setting | undefined {
  if (value === '') return undefined;
  const cut = value.search(/[,:]/);
  const name = (cut === -1 ? value : value.slice(0, cut)).trim();
  return { ...base, key: `dtoverlay:${name}`, value: cut === -1 ? '' : value.slice(cut + 1) };
}

/** `dtparam=a=on,b=off,c` → a=on, b=off, c=on (a parameter without a value is set to true). */
export function splitParams(value: string): Array<{ key: string; value: string }> {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq === -1 ? { key: `dtparam:${p}`, value: 'on' } : { key: `dtparam:${p.slice(0, eq).trim()}`, value: p.slice(eq + 1).trim() };
    });
}

/** The parameters given on a dtoverlay line and on the dtparam lines that follow it. */
export function overlayParams(overlay: Setting, all: readonly Setting[]): Map<string, Setting> {
  const params = new Map<string, Setting>();
  for (const p of splitParams(overlay.value)) params.set(p.key.slice('dtparam:'.length), { ...overlay, key: p.key, value: p.value });
  for (const s of all) if (s.overlay === overlay) params.set(s.key.slice('dtparam:'.length), s);
  return params;
}

export function settingsFor(config: ConfigTxt, key: string): Setting[] {
  return config.settings.filter((s) => s.key === key);
}

/** The leading integer of a value, decimal or 0x-hex, as the firmware reads numbers; undefined if none. */
export function numberOf(value: string): number | undefined {
  const hex = /^0x([0-9a-fA-F]{1,8})/.exec(value);
  if (hex) return Number.parseInt(hex[1] as string, 16);
  const dec = /^-?[0-9]{1,10}/.exec(value);
  return dec ? Number.parseInt(dec[0], 10) : undefined;
}

const ON = new Set(['on', '1', 'true', 'yes', 'y', 'okay', 'enable', 'enabled']);

/** dtparam values: on/off, true/false, 1/0. */
export function isOn(value: string): boolean {
  return ON.has(value.trim().toLowerCase());
}

function rejectBinary(path: string, text: string): void {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) throw new InputError(`${path}: contains binary data (a NUL byte at offset ${nul}); not a text configuration`);
}
