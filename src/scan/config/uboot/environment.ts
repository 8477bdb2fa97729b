// A U-Boot environment as U-Boot would import it, read from either of its stored forms:
//
// - binary (what `saveenv` writes to flash, to a FAT file such as uboot.env, and what mkenvimage makes): a
//   CRC-32 of the data area, one flag byte more in the redundant variant, then `name=value\0…\0\0` padded to
//   the environment's size. The CRC is stored in the target's byte order (mkenvimage -b: big-endian).
// - text (`make u-boot-initial-env`, uEnv.txt imported with `env import -t`, mkenvimage's input): one
//   `name=value` per line, blank lines and `#` comment lines skipped, a backslash at the end of a line
//   continuing the value on the next.
//
// In both, `name=` with an empty value deletes the variable on import and a later definition replaces an
// earlier one. Everything is bounded: sizes, entries and value lengths; bad input yields an InputError.
import { crc32 } from 'node:zlib';
import { InputError } from '../../../io/input-error.ts';
import { textLines } from '../linux/text-lines.ts';

/** Larger than any CONFIG_ENV_SIZE in U-Boot's tree; a bigger file is a flash dump, searched by prefix. */
export const MAX_ENV_BYTES = 4 * 1024 * 1024;
/** Far above CONFIG_ENV_MAX_ENTRIES (512 by default). */
export const MAX_VARIABLES = 10_000;
/** Longest value read; a longer one is reported, not parsed (scripts in real environments are a few KiB). */
export const MAX_VALUE_CHARS = 64 * 1024;
/** Longest name read. */
export const MAX_NAME_CHARS = 256;
/** Environment sizes tried for a file (or carved region) whose whole length does not check out. */
export const PREFIX_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].map((k) => k * 1024);

export type EnvFormat = 'binary' | 'binary-redundant' | 'text';

export interface EnvVariable {
  name: string;
  value: string;
  /** 1-based line of the definition: in a text file its line; in a binary one the line of its text form (one entry a line). */
  line: number;
}

export interface BinaryLayout {
  /** Bytes of the whole environment: CRC, optional flag byte and data area. */
  size: number;
  /** 4, or 5 with the redundant variant's flag byte. */
  headerSize: 4 | 5;
  endian: 'little' | 'big';
  storedCrc: number;
  computedCrc: number;
  crcValid: boolean;
  /** The redundant variant's flag byte (U-Boot picks the newer copy by it). */
  flags?: number;
}

export interface UbootEnv {
  format: EnvFormat;
  /** The variables in effect, by name; empty values and later redefinitions already applied. */
  variables: Map<string, EnvVariable>;
  /** Every definition, in stored order. */
  definitions: EnvVariable[];
  /** For binary environments. */
  layout?: BinaryLayout;
  /** The copy of a redundant pair U-Boot does not use, when the file holds both (the variables are the other's). */
  otherCopy?: { offset: number; layout: BinaryLayout };
  /** Lines (text) or entries (binary) that could not be read as name=value. */
  unreadable: number[];
  /** Why the read stopped early, when it did. */
  truncated?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function le32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}
function be32(b: Uint8Array, i: number): number {
  return (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;
}

/** Characters U-Boot accepts in a name that a person would write: no whitespace, no '=', no control bytes. */
export function isName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_CHARS) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 32 || c === 61 || c === 127) return false;
  }
  return true;
}

/** Checks the CRC of an environment of `size` bytes at `offset`, single and redundant, either byte order. */
export function layoutAt(bytes: Uint8Array, offset: number, size: number): BinaryLayout | undefined {
  for (const headerSize of [4, 5] as const) {
    if (size <= headerSize + 1 || offset + size > bytes.length) continue;
    const computed = crc32(bytes.subarray(offset + headerSize, offset + size));
    const layout = matchCrc(bytes, offset, size, headerSize, computed);
    if (layout) return layout;
  }
  return undefined;
}

function matchCrc(bytes: Uint8Array, offset: number, size: number, headerSize: 4 | 5, computed: number): BinaryLayout | undefined {
  const little = le32(bytes, offset);
  const big = be32(bytes, offset);
  const endian = computed === little ? 'little' : computed === big ? 'big' : undefined;
  if (!endian) return undefined;
  return {
    size,
    headerSize,
    endian,
    storedCrc: endian === 'little' ? little : big,
    computedCrc: computed,
    crcValid: true,
    ...(headerSize === 5 ? { flags: bytes[offset + 4] as number } : {}),
  };
}

/**
 * Finds the environment at the start of `bytes`: the whole length first (mkenvimage -s, a FAT uboot.env,
 * an env partition dumped whole), then power-of-two prefixes (a flash erase block holding a smaller env).
 * The data area's CRC is computed once per header size and extended from one prefix to the next.
 */
export function locateBinary(bytes: Uint8Array): BinaryLayout | undefined {
  if (bytes.length <= MAX_ENV_BYTES) {
    const whole = layoutAt(bytes, 0, bytes.length);
    if (whole) return whole;
  }
  const sizes = PREFIX_SIZES.filter((s) => s < bytes.length);
  for (const headerSize of [4, 5] as const) {
    let running = 0;
    let done: number = headerSize;
    for (const size of sizes) {
      running = crc32(bytes.subarray(done, size), running);
      done = size;
      const layout = matchCrc(bytes, 0, size, headerSize, running);
      if (layout) return layout;
    }
  }
  return undefined;
}

export interface Entries {
  definitions: EnvVariable[];
  unreadable: number[];
  /** Where the list of entries ended: at "\0\0", or at the end of the area without it. */
  terminated: boolean;
  truncated?: string;
}

/** The `name=value\0` entries of a binary data area, up to the empty entry that ends them. */
export function parseEntries(data: Uint8Array): Entries {
  const definitions: EnvVariable[] = [];
  const unreadable: number[] = [];
  let position = 0;
  let line = 1;
  let entry = 0;
  while (position < data.length) {
    if (data[position] === 0) return { definitions, unreadable, terminated: true };
    entry++;
    if (entry > MAX_VARIABLES)
      return { definitions, unreadable, terminated: false, truncated: `more than ${MAX_VARIABLES} entries; the rest were not read` };
    let end = data.indexOf(0, position);
    const unterminated = end < 0;
    if (unterminated) end = data.length;
    const length = end - position;
    if (length > MAX_VALUE_CHARS + MAX_NAME_CHARS + 1) {
      unreadable.push(line);
      line++;
    } else {
      const text = utf8.decode(data.subarray(position, end));
      const eq = text.indexOf('=');
      const name = eq > 0 ? text.slice(0, eq) : '';
      if (eq > 0 && isName(name)) definitions.push({ name, value: text.slice(eq + 1), line });
      else unreadable.push(line);
      line += 1 + countNewlines(text);
    }
    if (unterminated) return { definitions, unreadable, terminated: false };
    position = end + 1;
  }
  return { definitions, unreadable, terminated: false };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Applies definitions the way `env import` does: empty deletes, later replaces. */
export function effective(definitions: EnvVariable[]): Map<string, EnvVariable> {
  const variables = new Map<string, EnvVariable>();
  for (const d of definitions) {
    if (d.value === '') variables.delete(d.name);
    else variables.set(d.name, d);
  }
  return variables;
}

/**
 * A binary environment whose CRC matches nowhere: is it still one? Entries from the header on, mostly
 * well-formed, at least one a variable U-Boot itself uses, ending in "\0\0".
 */
export function looksLikeBinaryEnv(bytes: Uint8Array, headerSize: 4 | 5, known: (name: string) => boolean): boolean {
  if (bytes.length <= headerSize + 2) return false;
  const first = bytes[headerSize] as number;
  if (first <= 32 || first >= 127 || first === 61) return false;
  const data = bytes.subarray(headerSize, Math.min(bytes.length, headerSize + MAX_ENV_BYTES));
  const entries = parseEntries(data);
  const good = entries.definitions.length;
  return entries.terminated && good >= 1 && good >= 4 * entries.unreadable.length && entries.definitions.some((d) => known(d.name));
}

/** Reads a binary environment, CRC checked; when no CRC matches, `fallbackHeader` (4 or 5) says where the data starts. */
export function readBinary(bytes: Uint8Array, fallbackHeader?: 4 | 5): UbootEnv {
  let layout = locateBinary(bytes);
  if (!layout) {
    if (!fallbackHeader) throw new InputError('no U-Boot environment CRC matches and the data is not a list of name=value entries');
    const size = Math.min(bytes.length, MAX_ENV_BYTES);
    const endian = 'little';
    layout = {
      size,
      headerSize: fallbackHeader,
      endian,
      storedCrc: le32(bytes, 0),
      computedCrc: crc32(bytes.subarray(fallbackHeader, size)),
      crcValid: false,
      ...(fallbackHeader === 5 ? { flags: bytes[4] as number } : {}),
    };
  }
  let used = { offset: 0, layout };
  let otherCopy: UbootEnv['otherCopy'];
  // A redundant pair dumped together: the second copy follows the first. U-Boot boots with the newer one.
  if (layout.headerSize === 5 && layout.crcValid && bytes.length >= 2 * layout.size) {
    const second = layoutAt(bytes, layout.size, layout.size);
    if (second && second.headerSize === 5) {
      const secondNewer = newerIsSecond(layout.flags ?? 0, second.flags ?? 0);
      otherCopy = secondNewer ? { offset: 0, layout } : { offset: layout.size, layout: second };
      if (secondNewer) used = { offset: layout.size, layout: second };
    }
  }
  const area = bytes.subarray(used.offset + used.layout.headerSize, used.offset + used.layout.size);
  const entries = parseEntries(area);
  const env: UbootEnv = {
    format: used.layout.headerSize === 5 ? 'binary-redundant' : 'binary',
    variables: effective(entries.definitions),
    definitions: entries.definitions,
    layout: used.layout,
    unreadable: entries.unreadable,
  };
  if (otherCopy) env.otherCopy = otherCopy;
  if (entries.truncated) env.truncated = entries.truncated;
  else if (!entries.terminated) env.truncated = 'the entries run to the end of the environment without the empty entry that ends them';
  return env;
}

/** U-Boot's choice between two valid redundant copies (env_check_redund): 0xff over 0, else the higher flag. */
function newerIsSecond(first: number, second: number): boolean {
  if (first === 0xff && second === 0) return true;
  if (first === 0 && second === 0xff) return false;
  return second > first;
}

/** Reads a text environment: u-boot-initial-env, uEnv.txt or mkenvimage input. */
export function readText(text: string): UbootEnv {
  if (text.length > MAX_ENV_BYTES)
    throw new InputError(`${text.length} characters is larger than any U-Boot environment (limit ${MAX_ENV_BYTES})`);
  const definitions: EnvVariable[] = [];
  const unreadable: number[] = [];
  // A value continued over several lines is kept as parts: joining once keeps hostile input linear.
  let pending: { start: number; parts: string[]; length: number } | undefined;
  let truncated: string | undefined;
  const finish = (start: number, body: string) => {
    const eq = body.indexOf('=');
    const name = eq > 0 ? body.slice(0, eq) : '';
    if (eq > 0 && isName(name) && body.length - eq - 1 <= MAX_VALUE_CHARS)
      definitions.push({ name, value: body.slice(eq + 1), line: start });
    else unreadable.push(start);
  };
  for (const line of textLines(text)) {
    if (definitions.length >= MAX_VARIABLES) {
      truncated = `more than ${MAX_VARIABLES} variables; the rest were not read`;
      break;
    }
    if (line.unreadable) {
      pending = undefined;
      unreadable.push(line.number);
      continue;
    }
    let body = line.text;
    if (!pending) {
      body = body.replace(/^[ \t]+/, '');
      if (body === '' || body.startsWith('#')) continue;
      pending = { start: line.number, parts: [], length: 0 };
    }
    // A backslash at the end of a line continues the value on the next, with a newline in its place.
    const continued = body.endsWith('\\');
    const part = continued ? body.slice(0, -1) : body;
    pending.parts.push(part);
    pending.length += part.length + 1;
    if (continued && pending.length <= MAX_VALUE_CHARS + MAX_NAME_CHARS) continue;
    finish(pending.start, pending.parts.join('\n'));
    pending = undefined;
  }
  if (pending) finish(pending.start, pending.parts.join('\n'));
  const env: UbootEnv = { format: 'text', variables: effective(definitions), definitions, unreadable };
  if (truncated) env.truncated = truncated;
  return env;
}

/** For messages: the environment's layout in words. */
export function describeLayout(env: UbootEnv): string {
  const layout = env.layout;
  if (!layout) return 'text environment';
  const variant =
    layout.headerSize === 5 ? `redundant variant, flag byte 0x${(layout.flags ?? 0).toString(16).padStart(2, '0')}` : 'single copy';
  return `binary environment, ${layout.size} bytes (${variant}${layout.crcValid ? `, ${layout.endian}-endian CRC` : ''})`;
}

export function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Whether bytes are text: no NUL in the first MAX_ENV_BYTES (a binary environment ends its entries with NULs). */
export function isTextual(bytes: Uint8Array): boolean {
  const head = bytes.length > MAX_ENV_BYTES ? bytes.subarray(0, MAX_ENV_BYTES) : bytes;
  return !head.includes(0);
}
