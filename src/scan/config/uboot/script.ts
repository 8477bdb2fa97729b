// Enough of U-Boot's command language to follow a boot: the hush shell's words (quotes, backslashes,
// `#` comments), `${name}`, `$(name)` and `$name` references, and commands separated by `;`, `&&`, `||`
// and newlines. It never runs anything; it only says which words a command would have. Linear time, bounded.

/** A piece of a word: literal text, or a reference to a variable. */
export type Part = { text: string } | { ref: string };
export type Word = Part[];
/** One simple command: its words, with `if`/`then`/`do`… keywords already taken off the front. */
export interface Command {
  words: Word[];
  /** Set when the command opens a `for NAME in WORDS…` loop: the loop variable and the words it takes. */
  loop?: { name: string; values: Word[] };
  /** Where the command's first word starts in the script (keywords such as `if` included): for line numbers. */
  at: number;
}

/** Longest script read; U-Boot's own values are far shorter. */
export const MAX_SCRIPT_CHARS = 64 * 1024;
/** Most words one script may have. */
export const MAX_WORDS = 20_000;

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}']);
const NAME_CHAR = /[A-Za-z0-9_]/;
/** Characters that end a word or a command without starting one. */
const BREAKS = new Set([' ', '\t', '\r', '\n', ';', '|']);

/** Splits a script into commands. Text past MAX_SCRIPT_CHARS is ignored (the caller reports it). */
export function parseScript(script: string): Command[] {
  const source = script.length > MAX_SCRIPT_CHARS ? script.slice(0, MAX_SCRIPT_CHARS) : script;
  const commands: Command[] = [];
  let words: Word[] = [];
  let word: Word | undefined;
  let literal = '';
  let wordCount = 0;
  let start = -1;

  const flushLiteral = () => {
    if (literal) (word ??= []).push({ text: literal });
    literal = '';
  };
  const endWord = () => {
    flushLiteral();
    if (word) {
      words.push(word);
      wordCount++;
    }
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    const command = toCommand(words, Math.max(0, start));
    if (command) commands.push(command);
    words = [];
    start = -1;
  };
  const reference = (at: number): { part: Part; next: number } | undefined => {
    const open = source[at + 1];
    if (open === '{' || open === '(') {
      const close = source.indexOf(open === '{' ? '}' : ')', at + 2);
      if (close < 0 || close - at > 256) return undefined;
      const name = source.slice(at + 2, close);
      return name ? { part: { ref: name }, next: close + 1 } : undefined;
    }
    let end = at + 1;
    while (end < source.length && end - at <= 256 && NAME_CHAR.test(source[end] as string)) end++;
    return end > at + 1 ? { part: { ref: source.slice(at + 1, end) }, next: end } : undefined;
  };
  const pushRef = (part: Part) => {
    flushLiteral();
    (word ??= []).push(part);
  };

  let i = 0;
  while (i < source.length && wordCount < MAX_WORDS) {
    const c = source[i] as string;
    if (start < 0 && !BREAKS.has(c) && !(c === '&' && source[i + 1] === '&') && !(c === '#' && word === undefined && literal === ''))
      start = i;
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '\n' || c === ';') {
      endCommand();
      i++;
    } else if ((c === '&' && source[i + 1] === '&') || (c === '|' && source[i + 1] === '|')) {
      endCommand();
      i += 2;
    } else if (c === '|') {
      endCommand();
      i++;
    } else if (c === '#' && word === undefined && literal === '') {
      const eol = source.indexOf('\n', i);
      i = eol < 0 ? source.length : eol;
    } else if (c === '\\') {
      const next = source[i + 1];
      if (next !== undefined && next !== '\n') literal += next;
      i += 2;
    } else if (c === "'") {
      const close = source.indexOf("'", i + 1);
      const end = close < 0 ? source.length : close;
      literal += source.slice(i + 1, end);
      word ??= [];
      i = end + 1;
    } else if (c === '"') {
      word ??= [];
      i++;
      while (i < source.length && source[i] !== '"') {
        const d = source[i] as string;
        if (d === '\\' && i + 1 < source.length) {
          literal += source[i + 1];
          i += 2;
        } else if (d === '$') {
          const ref = reference(i);
          if (ref) {
            pushRef(ref.part);
            i = ref.next;
          } else {
            literal += d;
            i++;
          }
        } else {
          literal += d;
          i++;
        }
      }
      i++;
    } else if (c === '$') {
      const ref = reference(i);
      if (ref) {
        pushRef(ref.part);
        i = ref.next;
      } else {
        literal += c;
        i++;
      }
    } else {
      literal += c;
      i++;
    }
  }
  endCommand();
  return commands;
}

function plain(word: Word | undefined): string | undefined {
  if (!word) return undefined;
  let text = '';
  for (const part of word) {
    if ('ref' in part) return undefined;
    text += part.text;
  }
  return text;
}

function toCommand(words: Word[], at: number): Command | undefined {
  let rest = words;
  while (rest.length && KEYWORDS.has(plain(rest[0]) ?? '')) rest = rest.slice(1);
  if (!rest.length) return undefined;
  if (plain(rest[0]) === 'for') {
    // for NAME in WORDS… (the body follows after `do`, as separate commands)
    const name = plain(rest[1]);
    if (name && plain(rest[2]) === 'in') return { words: rest, loop: { name, values: rest.slice(3) }, at };
    return undefined;
  }
  return { words: rest, at };
}

/** Text with where each stretch of it came from: the variable whose value held it. */
export interface Traced {
  text: string;
  pieces: Array<{ start: number; end: number; origin: string }>;
  unresolved: string[];
  truncated: boolean;
}

export function traced(text: string, origin: string): Traced {
  return { text, pieces: text ? [{ start: 0, end: text.length, origin }] : [], unresolved: [], truncated: false };
}

/** What a reference stands for: possibly several values (a `for` loop's variable), each with its origin. */
export type Resolver = (name: string) => Array<{ value: string; origin: string }> | undefined;

/** Most alternatives a word expands to (a loop variable in several places multiplies them). */
export const MAX_ALTERNATIVES = 16;
/** Longest expansion kept: more than any kernel command line (COMMAND_LINE_SIZE is 4096 at most on ARM). */
export const MAX_EXPANDED_CHARS = 16 * 1024;
const MAX_PIECES = 256;
const MAX_UNRESOLVED = 32;

function withUnresolved(t: Traced, name: string): Traced {
  return t.unresolved.length >= MAX_UNRESOLVED || t.unresolved.includes(name) ? t : { ...t, unresolved: [...t.unresolved, name] };
}

/** The texts words make once references are replaced, joined by spaces (as `setenv` joins its arguments). */
export function resolveWords(words: Word[], origin: string, resolve: Resolver): Traced[] {
  let alternatives: Traced[] = [{ text: '', pieces: [], unresolved: [], truncated: false }];
  words.forEach((word, index) => {
    const next: Traced[] = [];
    for (const base of alternatives) {
      const start = index === 0 ? [base] : [append(base, ' ', origin)];
      let partial = start;
      for (const part of word) {
        const grown: Traced[] = [];
        for (const p of partial) {
          if ('text' in part) grown.push(append(p, part.text, origin));
          else {
            const values = resolve(part.ref);
            if (!values || values.length === 0) grown.push(withUnresolved(p, part.ref));
            else for (const v of values.slice(0, MAX_ALTERNATIVES)) grown.push(append(p, v.value, v.origin));
          }
        }
        partial = grown.slice(0, MAX_ALTERNATIVES);
      }
      next.push(...partial);
    }
    alternatives = next.slice(0, MAX_ALTERNATIVES);
  });
  return alternatives;
}

function append(base: Traced, text: string, origin: string): Traced {
  if (!text) return base;
  const room = MAX_EXPANDED_CHARS - base.text.length;
  const added = text.length > room ? text.slice(0, Math.max(0, room)) : text;
  const last = base.pieces.at(-1);
  // Past MAX_PIECES the last piece grows instead: origins stay bounded work on hostile input.
  const pieces =
    last && last.end === base.text.length && (last.origin === origin || base.pieces.length >= MAX_PIECES)
      ? [...base.pieces.slice(0, -1), { ...last, end: last.end + added.length }]
      : [...base.pieces, { start: base.text.length, end: base.text.length + added.length, origin }];
  return { text: base.text + added, pieces, unresolved: base.unresolved, truncated: base.truncated || added.length < text.length };
}

/**
 * Replaces `${name}`, `$(name)` and `$name` in a stored value once, as U-Boot's CONFIG_BOOTARGS_SUBST does
 * for bootargs at boot time (cli_simple_process_macros); `\$` is a literal dollar. Unknown names become "".
 */
export function expandValue(value: string, origin: string, resolve: Resolver): Traced {
  let out = traced('', origin);
  let literal = '';
  const flush = () => {
    out = append(out, literal, origin);
    literal = '';
  };
  const source = value.length > MAX_SCRIPT_CHARS ? value.slice(0, MAX_SCRIPT_CHARS) : value;
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\\' && source[i + 1] === '$') {
      literal += '$';
      i += 2;
      continue;
    }
    if (c !== '$') {
      literal += c;
      i++;
      continue;
    }
    const open = source[i + 1];
    let name: string | undefined;
    let next = i + 1;
    if (open === '{' || open === '(') {
      const close = source.indexOf(open === '{' ? '}' : ')', i + 2);
      if (close > i + 2 && close - i <= 256) {
        name = source.slice(i + 2, close);
        next = close + 1;
      }
    } else {
      let end = i + 1;
      while (end < source.length && end - i <= 256 && NAME_CHAR.test(source[end] as string)) end++;
      if (end > i + 1) {
        name = source.slice(i + 1, end);
        next = end;
      }
    }
    if (name === undefined) {
      literal += c;
      i++;
      continue;
    }
    flush();
    const values = resolve(name);
    const first = values?.[0];
    if (first) out = append(out, first.value, first.origin);
    else out = withUnresolved(out, name);
    i = next;
  }
  flush();
  if (value.length > MAX_SCRIPT_CHARS) out.truncated = true;
  return out;
}

/** The variable a stretch of the text at `index` came from. */
export function originAt(text: Traced, index: number): string | undefined {
  return text.pieces.find((p) => index >= p.start && index < p.end)?.origin;
}

/** A word's text when it has no references, else undefined. */
export function plainWord(word: Word | undefined): string | undefined {
  return plain(word);
}
