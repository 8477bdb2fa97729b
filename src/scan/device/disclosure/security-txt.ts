// A security.txt file (RFC 9116) read line by line: fields, comments, the OpenPGP cleartext signature
// around them, and every line that is none of these. Only syntax here; what the fields must say is
// for the checks. Line numbers always count lines of the file as given, signature armour included.

/** Larger than any honest security.txt; the rest of a bigger file is not read. Our bound, not the RFC's. */
export const SECURITY_TXT_MAX_BYTES = 32 * 1024;

export interface SecurityTxtField {
  /** The name as written. */
  name: string;
  /** The name lower-cased: field names are case-insensitive. */
  key: string;
  value: string;
  line: number;
  /** True for a field after the end of the signature block, which the signature does not cover. */
  outsideSignature?: boolean;
}

export interface LineProblem {
  line: number;
  message: string;
  /** The line itself, printable, for evidence. */
  text?: string;
}

export interface TextLine {
  line: number;
  text: string;
}

export interface ParsedSecurityTxt {
  /** Bytes given. */
  size: number;
  /** More than SECURITY_TXT_MAX_BYTES: only the lines within the bound were read. */
  oversized: boolean;
  /** Where the first byte that is not UTF-8 is, when there is one. */
  notUtf8?: { line: number; offset: number; byte: number };
  signed: boolean;
  /** Armour headers of the signed message, e.g. "Hash: SHA256". */
  armorHeaders: string[];
  /** Problems with the signature's framing (the signature itself is not verified). */
  signatureProblems: LineProblem[];
  fields: SecurityTxtField[];
  /** Lines that are neither a field, a comment nor blank, and fields written loosely. */
  syntaxProblems: LineProblem[];
  /** Comment lines without the "#", for reading prose such as timescales. */
  comments: TextLine[];
  lineEndings: 'lf' | 'crlf' | 'mixed' | 'none';
  lineCount: number;
}

const SIGNED_HEADER = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIGNATURE_BEGIN = '-----BEGIN PGP SIGNATURE-----';
const SIGNATURE_END = '-----END PGP SIGNATURE-----';
/** RFC 9116's field-name: printable US-ASCII except ":". */
const FIELD = /^([\x21-\x39\x3b-\x7e]+):(.*)$/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Offset of the first byte that does not belong to well-formed UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function countLines(bytes: Uint8Array, end: number): number {
  let lines = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) lines++;
  return lines;
}

/** Escapes control characters so a hostile line cannot rewrite a terminal, and cuts it short. */
export function showLine(text: string, max = 200): string {
  const cleaned = text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}

interface RawLine {
  line: number;
  text: string;
}

function splitLines(text: string): { lines: RawLine[]; endings: ParsedSecurityTxt['lineEndings'] } {
  const parts = text.split('\n');
  let crlf = 0;
  let lf = 0;
  const lines: RawLine[] = [];
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    if (last && part === '') return;
    let body = part;
    if (!last) {
      if (body.endsWith('\r')) {
        crlf++;
        body = body.slice(0, -1);
      } else lf++;
    }
    lines.push({ line: index + 1, text: body });
  });
  const endings = crlf && lf ? 'mixed' : crlf ? 'crlf' : lf ? 'lf' : 'none';
  return { lines, endings };
}

/**
 * Parses a security.txt. `totalSize` is the size of the whole file when only its head was read (at
 * least one byte past the bound tells it is too large).
 */
export function parseSecurityTxt(input: Uint8Array | string, totalSize?: number): ParsedSecurityTxt {
  const all = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const size = Math.max(totalSize ?? all.length, all.length);
  const oversized = size > SECURITY_TXT_MAX_BYTES;
  let bytes = all;
  if (oversized) {
    // Read what fits, up to the last whole line, so no field is judged on half its value.
    const head = all.subarray(0, SECURITY_TXT_MAX_BYTES);
    const lastNewline = head.lastIndexOf(0x0a);
    bytes = lastNewline >= 0 ? head.subarray(0, lastNewline + 1) : head;
  }
  const parsed: ParsedSecurityTxt = {
    size,
    oversized,
    signed: false,
    armorHeaders: [],
    signatureProblems: [],
    fields: [],
    syntaxProblems: [],
    comments: [],
    lineEndings: 'none',
    lineCount: 0,
  };
  const invalid = firstInvalidUtf8(bytes);
  if (invalid >= 0) parsed.notUtf8 = { line: countLines(bytes, invalid), offset: invalid, byte: bytes[invalid] as number };

  const { lines, endings } = splitLines(bytes.toString('utf8'));
  parsed.lineEndings = endings;
  parsed.lineCount = lines.length;
  const first = lines[0];
  if (first?.text.startsWith('\ufeff')) {
    first.text = first.text.slice(1);
    parsed.syntaxProblems.push({
      line: 1,
      message: 'starts with a byte-order mark, which some readers take as part of the first field name',
    });
  }

  const content = frameSignature(lines, parsed);
  for (const { line, text: lineText, outside } of content) parseLine(line, lineText, outside, parsed);
  return parsed;
}

interface ContentLine extends RawLine {
  outside: boolean;
}

/** Separates the signed content from its armour, or passes every line through when unsigned. */
function frameSignature(lines: RawLine[], parsed: ParsedSecurityTxt): ContentLine[] {
  const isLine = (l: RawLine | undefined, marker: string) => l !== undefined && l.text.trimEnd() === marker;
  if (!isLine(lines[0], SIGNED_HEADER)) {
    for (const l of lines) {
      if (l.text.trimEnd() === SIGNED_HEADER) {
        parsed.signatureProblems.push({ line: l.line, message: 'a signed message must begin on the first line of the file' });
      } else if (l.text.trimEnd() === SIGNATURE_BEGIN) {
        parsed.signatureProblems.push({ line: l.line, message: `a signature block without "${SIGNED_HEADER}" on the first line` });
      }
    }
    // Leave out the armour itself: a stray signature block is one problem, not a line of junk each.
    const content: ContentLine[] = [];
    let inSignature = false;
    for (const l of lines) {
      const text = l.text.trimEnd();
      if (text === SIGNATURE_BEGIN) inSignature = true;
      else if (text === SIGNATURE_END) inSignature = false;
      else if (!inSignature && text !== SIGNED_HEADER) content.push({ ...l, outside: false });
    }
    return content;
  }
  parsed.signed = true;
  let i = 1;
  // Armour headers ("Hash: SHA256") run up to the first blank line.
  while (i < lines.length && (lines[i] as RawLine).text.trim() !== '') {
    const header = lines[i] as RawLine;
    if (!/^[A-Za-z][A-Za-z-]*: ?\S/.test(header.text) || isLine(header, SIGNATURE_BEGIN)) {
      parsed.signatureProblems.push({ line: header.line, message: 'no blank line between the armour headers and the signed text' });
      break;
    }
    parsed.armorHeaders.push(header.text.trim());
    i++;
  }
  if (i < lines.length && (lines[i] as RawLine).text.trim() === '') i++;
  const content: ContentLine[] = [];
  while (i < lines.length && !isLine(lines[i], SIGNATURE_BEGIN)) {
    const l = lines[i] as RawLine;
    if (l.text.startsWith('- ')) content.push({ line: l.line, text: l.text.slice(2), outside: false });
    else {
      if (l.text.startsWith('-'))
        parsed.signatureProblems.push({
          line: l.line,
          message: 'a line starting with "-" inside a signed message must be dash-escaped ("- ")',
          text: showLine(l.text),
        });
      content.push({ line: l.line, text: l.text, outside: false });
    }
    i++;
  }
  if (i >= lines.length) {
    parsed.signatureProblems.push({ line: lines.at(-1)?.line ?? 1, message: `the signed message has no "${SIGNATURE_BEGIN}" block` });
    return content;
  }
  const begin = lines[i] as RawLine;
  i++;
  let armourLines = 0;
  while (i < lines.length && !isLine(lines[i], SIGNATURE_END)) {
    armourLines++;
    i++;
  }
  if (i >= lines.length) {
    parsed.signatureProblems.push({ line: begin.line, message: `the signature block has no "${SIGNATURE_END}" line` });
    return content;
  }
  if (armourLines === 0) parsed.signatureProblems.push({ line: begin.line, message: 'the signature block is empty' });
  for (i++; i < lines.length; i++) {
    const l = lines[i] as RawLine;
    if (l.text.trim() === '') continue;
    content.push({ line: l.line, text: l.text, outside: true });
  }
  return content;
}

function parseLine(line: number, text: string, outside: boolean, parsed: ParsedSecurityTxt): void {
  if (text.trim() === '') return;
  if (outside) {
    parsed.signatureProblems.push({
      line,
      message: 'text after the signature block is not covered by the signature',
      text: showLine(text),
    });
  }
  if (text.startsWith('#')) {
    parsed.comments.push({ line, text: text.replace(/^#+\s?/, '') });
    return;
  }
  if (CONTROL.test(text) || text.includes('\ufffd')) {
    parsed.syntaxProblems.push({ line, message: 'contains control characters or bytes that are not text', text: showLine(text) });
    return;
  }
  const indented = /^\s/.test(text);
  const match = FIELD.exec(text.trimStart());
  if (!match) {
    const looksLikeComment = /^\s*(\/\/|;)/.test(text);
    parsed.syntaxProblems.push({
      line,
      message: looksLikeComment ? 'comments start with "#"' : 'neither a field ("Name: value") nor a comment ("# ...")',
      text: showLine(text),
    });
    return;
  }
  const name = match[1] as string;
  const rest = match[2] as string;
  const value = rest.trim();
  if (indented) parsed.syntaxProblems.push({ line, message: `field "${name}" starts with white space`, text: showLine(text) });
  if (value === '') {
    parsed.syntaxProblems.push({ line, message: `field "${name}" has no value`, text: showLine(text) });
    return;
  }
  if (!rest.startsWith(' '))
    parsed.syntaxProblems.push({ line, message: `field "${name}": the colon must be followed by one space`, text: showLine(text) });
  parsed.fields.push({ name, key: name.toLowerCase(), value, line, ...(outside ? { outsideSignature: true } : {}) });
}
