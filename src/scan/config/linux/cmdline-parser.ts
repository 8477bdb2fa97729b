// Splits a kernel command line the way the kernel's next_arg() does: whitespace separates parameters
// except inside double quotes, a parameter is name[=value], and everything after a lone "--" belongs
// to init. A cmdline.txt may hold the line on several lines; comments (#) are skipped.
import { InputError } from '../../../io/input-error.ts';
import { textLines } from './text-lines.ts';

/** Far above any architecture's COMMAND_LINE_SIZE; anything longer is not a command line. */
export const MAX_CMDLINE_CHARS = 64 * 1024;

export interface CmdlineParam {
  /** As written, e.g. "dm-mod.create". */
  name: string;
  /** Compared form: the kernel treats "-" and "_" in names alike. */
  key: string;
  /** Without surrounding quotes; undefined for a bare flag such as "nokaslr". */
  value: string | undefined;
  line: number;
  /** The parameter as written, for evidence. */
  text: string;
}

export interface Cmdline {
  params: CmdlineParam[];
}

export function paramKey(name: string): string {
  return name.replaceAll('-', '_');
}

export function parseCmdline(text: string, where = 'command line'): Cmdline {
  if (text.length > MAX_CMDLINE_CHARS) {
    throw new InputError(`${where}: ${text.length} characters is longer than any kernel command line (limit ${MAX_CMDLINE_CHARS})`);
  }
  const params: CmdlineParam[] = [];
  for (const { number, text: line } of textLines(text)) {
    if (line.trimStart().startsWith('#')) continue;
    for (const token of tokens(line)) {
      if (token === '--') return { params };
      params.push(toParam(token, number));
    }
  }
  return { params };
}

function isSpace(code: number): boolean {
  // NUL too: /proc/<pid>/cmdline separates arguments with it.
  return code === 32 || (code >= 9 && code <= 13) || code === 0;
}

function* tokens(line: string): Generator<string> {
  let i = 0;
  while (i < line.length) {
    while (i < line.length && isSpace(line.charCodeAt(i))) i++;
    if (i >= line.length) return;
    const start = i;
    let inQuote = false;
    while (i < line.length) {
      const code = line.charCodeAt(i);
      if (isSpace(code) && !inQuote) break;
      if (code === 34) inQuote = !inQuote;
      i++;
    }
    yield line.slice(start, i);
  }
}

function toParam(token: string, line: number): CmdlineParam {
  let body = token;
  if (body.startsWith('"')) body = body.slice(1);
  const eq = body.indexOf('=');
  const name = (eq === -1 ? body : body.slice(0, eq)).replaceAll('"', '');
  let value = eq === -1 ? undefined : body.slice(eq + 1);
  if (value !== undefined) {
    if (value.startsWith('"')) value = value.slice(1);
    if (value.endsWith('"')) value = value.slice(0, -1);
  }
  return { name, key: paramKey(name), value, line, text: token };
}
