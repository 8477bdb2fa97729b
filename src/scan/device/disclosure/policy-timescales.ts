// Reads a disclosure policy's prose for the two timescales the PSTI makes it publish: when a reporter
// gets an acknowledgement, and how often they hear how the report is going. Plain-language heuristics
// over sentences, so a finding always quotes the sentence it rests on and a person can judge it.
import type { TextLine } from './security-txt.ts';

export type TimescaleKind = 'acknowledgement' | 'statusUpdates';

export interface Timescale {
  amount: number;
  unit: 'hour' | 'day' | 'week' | 'month';
  /** Working (business) days rather than calendar days. */
  working: boolean;
  /** The words it was read from, e.g. "within 5 working days" or "monthly". */
  text: string;
}

export interface TimescaleFound {
  sentence: string;
  /** Line of the text where the sentence starts. */
  line: number;
  timescale: Timescale;
}

export interface Sentence {
  line: number;
  text: string;
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fourteen: 14,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  ninety: 90,
  'twenty-four': 24,
  'forty-eight': 48,
  'seventy-two': 72,
};
const NUMBER = `(\\d{1,3}|${Object.keys(NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|')})`;
/** "5 working days", "two (2) business days", "48 hours", "48h", "a week", "30-day". */
const DURATION = new RegExp(
  `\\b${NUMBER}(?:\\s*\\(\\d{1,3}\\))?[\\s-]*(?:(working|business|calendar)[\\s-]+)?(hours?|hrs?|h|days?|weeks?|months?)\\b`,
  'gi',
);
/** "weekly", "every 14 days", "once a month", "every other week". */
const FREQUENCY = new RegExp(
  `\\b(daily|weekly|fortnightly|bi-?weekly|monthly)\\b|\\bevery\\s+(?:${NUMBER}\\s+)?(?:(other)\\s+)?(?:(working|business|calendar)\\s+)?(days?|weeks?|fortnights?|months?)\\b|\\b(?:at\\s+least\\s+)?once\\s+(?:a|per|every)\\s+(day|week|fortnight|month)\\b`,
  'gi',
);

const ACKNOWLEDGEMENT =
  /\backnowledg(?:e|es|ed|ing|ement|ements)\b|\bconfirm(?:s|ed|ation)?\s+(?:of\s+)?(?:the\s+)?receipt\b|\breceipt\s+of\s+(?:your|the|a)\s+report\b|\b(?:initial|first)\s+(?:response|reply|contact)\b|\b(?:respond|reply)\s+to\s+(?:you|your\s+report|reports|the\s+reporter)\b|\bget\s+back\s+to\s+you\b/gi;
const STATUS_UPDATES =
  /\bstatus\s+updates?\b|\bupdates?\s+(?:on|about|regarding)\s+(?:the\s+|its\s+|our\s+)?(?:progress|status)\b|\bprogress\s+(?:updates?|reports?)\b|\bkeep\s+(?:you|the\s+reporter|reporters|them)\s+(?:informed|updated|up\s+to\s+date|posted)\b|\bupdate\s+(?:you|the\s+reporter|reporters)\b|\binform\s+(?:you|the\s+reporter|reporters)\s+(?:of|about|on)\s+(?:the\s+|our\s+)?progress\b|\bupdates?\s+(?:every|at\s+least|weekly|monthly|fortnightly)\b/gi;

const UNIT: Record<string, Timescale['unit']> = { h: 'hour', hr: 'hour', hour: 'hour', day: 'day', week: 'week', month: 'month' };

function toNumber(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : (NUMBER_WORDS[text.toLowerCase()] ?? 1);
}

function unitOf(word: string): Timescale['unit'] {
  const singular = word.toLowerCase().replace(/s$/, '');
  if (singular === 'fortnight') return 'week';
  return UNIT[singular] ?? 'day';
}

interface Located {
  index: number;
  timescale: Timescale;
}

/** Every duration and frequency in a piece of text, in order. */
export function timescalesIn(text: string): Located[] {
  const found: Located[] = [];
  for (const m of text.matchAll(DURATION)) {
    found.push({
      index: m.index,
      timescale: {
        amount: toNumber(m[1] as string),
        unit: unitOf(m[3] as string),
        working: /working|business/i.test(m[2] ?? ''),
        text: m[0],
      },
    });
  }
  for (const m of text.matchAll(FREQUENCY)) {
    if (found.some((f) => f.index >= m.index && f.index < m.index + m[0].length)) {
      // "every 30 days" is already there as a duration; keep the wording with "every".
      const inner = found.find((f) => f.index >= m.index && f.index < m.index + m[0].length) as Located;
      inner.index = m.index;
      inner.timescale.text = m[0];
      continue;
    }
    const single = m[1] ?? m[6];
    if (single) {
      const word = single.toLowerCase();
      const unit = word.startsWith('dai') || word === 'day' ? 'day' : word.startsWith('month') ? 'month' : 'week';
      const amount = word === 'fortnightly' || word === 'fortnight' || word.startsWith('bi') ? 2 : 1;
      found.push({ index: m.index, timescale: { amount, unit, working: false, text: m[0] } });
    } else {
      const unitWord = m[5] as string;
      const base = m[2] ? toNumber(m[2]) : 1;
      const amount = base * (m[3] ? 2 : 1) * (/^fortnight/i.test(unitWord) ? 2 : 1);
      found.push({
        index: m.index,
        timescale: { amount, unit: unitOf(unitWord), working: /working|business/i.test(m[4] ?? ''), text: m[0] },
      });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** The first timescale in a claim such as "within 5 working days". */
export function parseTimescale(text: string): Timescale | undefined {
  return timescalesIn(text)[0]?.timescale;
}

/** Hours, for comparing "48 hours" with "2 days"; working days count as days. */
export function timescaleHours(t: Timescale): number {
  const per = { hour: 1, day: 24, week: 24 * 7, month: 24 * 30 }[t.unit];
  return t.amount * per;
}

export function sameTimescale(a: Timescale, b: Timescale): boolean {
  return timescaleHours(a) === timescaleHours(b) && a.working === b.working;
}

/**
 * Sentences of prose given as lines: lines are joined (prose wraps), blank lines and sentence ends
 * break. Each sentence keeps the line it starts on.
 */
export function sentencesOf(lines: TextLine[], maxLength = 600): Sentence[] {
  const sentences: Sentence[] = [];
  let current = '';
  let empty = true;
  let start = 0;
  const flush = () => {
    const text = current.replace(/\s+/g, ' ').trim();
    if (text) sentences.push({ line: start, text: text.length > maxLength ? `${text.slice(0, maxLength)}…` : text });
    current = '';
    empty = true;
  };
  const add = (piece: string, line: number) => {
    if (piece.trim() === '') return;
    if (empty) start = line;
    empty = false;
    current += ` ${piece}`;
  };
  for (const { line, text } of lines) {
    if (text.trim() === '') {
      flush();
      continue;
    }
    // One pass over the line: a hostile page of a hundred thousand full stops stays linear.
    const ends = /[.!?](?=\s|$)/g;
    let from = 0;
    for (let end = ends.exec(text); end; end = ends.exec(text)) {
      add(text.slice(from, end.index + 1), line);
      flush();
      from = end.index + 1;
    }
    add(text.slice(from), line);
  }
  flush();
  return sentences;
}

const KEYWORDS: Record<TimescaleKind, RegExp> = { acknowledgement: ACKNOWLEDGEMENT, statusUpdates: STATUS_UPDATES };

/**
 * The timescale a sentence gives for one kind: the first one after the kind's keyword and before the
 * other kind's keyword (so "acknowledge within 3 days and update every 14 days" splits right), else
 * the nearest one before the keyword.
 */
function timescaleFor(kind: TimescaleKind, sentence: string): Timescale | undefined {
  const own = [...sentence.matchAll(KEYWORDS[kind])].map((m) => m.index);
  if (own.length === 0) return undefined;
  const other = [...sentence.matchAll(KEYWORDS[kind === 'acknowledgement' ? 'statusUpdates' : 'acknowledgement'])].map((m) => m.index);
  const all = timescalesIn(sentence);
  for (const at of own) {
    const stop = Math.min(...other.filter((o) => o > at), sentence.length);
    const after = all.find((t) => t.index > at && t.index < stop);
    if (after) return after.timescale;
  }
  const first = own[0] as number;
  const before = all.filter((t) => t.index < first && !other.some((o) => o < first && o > t.index));
  return before.at(-1)?.timescale;
}

/** The first sentence giving a timescale of each kind, if any. */
export function findTimescales(lines: TextLine[]): Partial<Record<TimescaleKind, TimescaleFound>> {
  const found: Partial<Record<TimescaleKind, TimescaleFound>> = {};
  for (const sentence of sentencesOf(lines)) {
    for (const kind of ['acknowledgement', 'statusUpdates'] as const) {
      if (found[kind]) continue;
      const timescale = timescaleFor(kind, sentence.text);
      if (timescale) found[kind] = { sentence: sentence.text, line: sentence.line, timescale };
    }
    if (found.acknowledgement && found.statusUpdates) break;
  }
  return found;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

const BREAK = '\u2029';

/**
 * Comments, scripts and styles cut out (their line breaks kept), in one pass with indexOf: an unclosed
 * "<script" or "<!--" ends the page instead of making a lazy regex rescan it from every opening.
 */
function stripHiddenBlocks(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = lower.indexOf('<', i);
    if (lt < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    const element = /^<(script|style|noscript)\b/.exec(lower.slice(lt, lt + 10))?.[1];
    const close = lower.startsWith('<!--', lt) ? '-->' : element ? `</${element}` : undefined;
    if (!close) {
      out += '<';
      i = lt + 1;
      continue;
    }
    const at = lower.indexOf(close, lt + 4);
    const gt = at < 0 || close === '-->' ? -1 : lower.indexOf('>', at);
    const end = at < 0 ? html.length : close === '-->' ? at + 3 : gt < 0 ? html.length : gt + 1;
    out += keepNewlines(html.slice(lt, end));
    i = end;
  }
  return out;
}
/** Keeps a removed stretch's line breaks, so line numbers still count lines of the page. */
const keepNewlines = (removed: string, replacement = ' ') => `${replacement}${removed.replace(/[^\n]/g, '')}`;

/**
 * Prose lines of an HTML page, numbered as in the page: scripts and styles dropped, block elements
 * become paragraph breaks (empty lines carrying the same number).
 */
export function htmlToLines(html: string): TextLine[] {
  const text = stripHiddenBlocks(html)
    .replace(/<\/?(p|div|li|ul|ol|br|h[1-6]|tr|td|th|table|section|article|header|footer|dt|dd|blockquote|pre)\b[^<>]*>/gi, (m) =>
      keepNewlines(m, BREAK),
    )
    .replace(/<[^<>]*>/g, (m) => keepNewlines(m))
    .replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{1,8});/gi, (whole, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
  const lines: TextLine[] = [];
  text.split('\n').forEach((lineText, index) => {
    lineText.split(BREAK).forEach((piece, k) => {
      if (k > 0) lines.push({ line: index + 1, text: '' });
      lines.push({ line: index + 1, text: piece });
    });
  });
  return lines;
}

/** True when a document is HTML rather than plain text. */
export function looksLikeHtml(text: string, contentType?: string): boolean {
  if (contentType && /\bhtml\b/i.test(contentType)) return true;
  return /^\s*(<!doctype\s+html|<html\b|<head\b|<body\b)/i.test(text);
}

/** Lines of a policy document, plain or HTML. */
export function policyLines(text: string, contentType?: string): TextLine[] {
  if (looksLikeHtml(text, contentType)) return htmlToLines(text);
  return text.split('\n').map((t, i) => ({ line: i + 1, text: t.replace(/\r$/, '') }));
}
