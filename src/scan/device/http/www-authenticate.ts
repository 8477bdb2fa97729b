// The WWW-Authenticate header (RFC 9110 section 11.6.1): one or more challenges, each a scheme followed
// by either a token68 or comma-separated name=value parameters. Commas separate both challenges and
// parameters, so a comma is followed by a new challenge only when what follows is not `name=`.
// Devices send odd headers: anything that cannot be read raises AuthHeaderError, nothing else.

export class AuthHeaderError extends Error {
  override readonly name = 'AuthHeaderError';
}

export interface Challenge {
  /** The scheme as sent ("Basic", "Digest"); compare with schemeIs(). */
  scheme: string;
  /** Parameters by lower-case name; the first of a repeated name wins. */
  params: Record<string, string>;
  token68?: string;
}

/** Longest header value read; a longer one is refused rather than scanned. */
export const MAX_AUTH_HEADER_LENGTH = 16 * 1024;
const MAX_CHALLENGES = 32;
const MAX_PARAMS = 64;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))/;
const NAME_THEN_EQUALS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=/;

export function parseWwwAuthenticate(value: string): Challenge[] {
  if (value.length > MAX_AUTH_HEADER_LENGTH) throw new AuthHeaderError(`header longer than ${MAX_AUTH_HEADER_LENGTH} characters`);
  const reader = new Reader(value);
  const challenges: Challenge[] = [];
  for (;;) {
    reader.skip(/^[ \t,]+/);
    if (reader.done) break;
    if (challenges.length >= MAX_CHALLENGES) throw new AuthHeaderError(`more than ${MAX_CHALLENGES} challenges`);
    const scheme = reader.take(TOKEN);
    if (scheme === undefined) throw new AuthHeaderError(`expected an auth scheme at offset ${reader.offset}`);
    const challenge: Challenge = { scheme, params: {} };
    challenges.push(challenge);
    if (reader.skip(/^[ \t]+/) === undefined || reader.done) continue;
    if (!NAME_THEN_EQUALS.test(reader.rest) || TOKEN68.test(reader.rest)) {
      const token68 = reader.take(TOKEN68);
      if (token68 !== undefined) {
        challenge.token68 = token68;
        continue;
      }
      if (reader.peek() === ',') continue;
    }
    readParams(reader, challenge);
  }
  return challenges;
}

function readParams(reader: Reader, challenge: Challenge): void {
  let count = 0;
  for (;;) {
    const name = reader.take(TOKEN);
    if (name === undefined) throw new AuthHeaderError(`expected a parameter name at offset ${reader.offset}`);
    reader.skip(/^[ \t]*/);
    if (reader.take(/^=/) === undefined) throw new AuthHeaderError(`expected "=" after ${name} at offset ${reader.offset}`);
    reader.skip(/^[ \t]*/);
    const value = reader.peek() === '"' ? reader.quoted() : reader.take(TOKEN);
    if (value === undefined) throw new AuthHeaderError(`expected a value for ${name} at offset ${reader.offset}`);
    if (++count > MAX_PARAMS) throw new AuthHeaderError(`more than ${MAX_PARAMS} parameters`);
    const key = name.toLowerCase();
    if (!Object.hasOwn(challenge.params, key)) challenge.params[key] = value;
    reader.skip(/^[ \t]*/);
    if (reader.done) return;
    if (reader.peek() !== ',') throw new AuthHeaderError(`expected "," at offset ${reader.offset}`);
    // Look past the commas: another parameter of this challenge, or the next challenge.
    const mark = reader.offset;
    reader.skip(/^[ \t,]+/);
    if (reader.done || !NAME_THEN_EQUALS.test(reader.rest)) {
      reader.offset = mark;
      return;
    }
  }
}

class Reader {
  offset = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get done(): boolean {
    return this.offset >= this.text.length;
  }
  get rest(): string {
    return this.text.slice(this.offset);
  }
  peek(): string | undefined {
    return this.text[this.offset];
  }
  take(pattern: RegExp): string | undefined {
    const match = pattern.exec(this.rest);
    if (!match) return undefined;
    this.offset += match[0].length;
    return match[0];
  }
  skip(pattern: RegExp): string | undefined {
    return this.take(pattern);
  }
  /** A quoted-string, with backslash escapes undone. */
  quoted(): string {
    let out = '';
    for (let i = this.offset + 1; i < this.text.length; i++) {
      const c = this.text[i];
      if (c === '"') {
        this.offset = i + 1;
        return out;
      }
      if (c === '\\') {
        i++;
        if (i >= this.text.length) break;
        out += this.text[i];
      } else out += c;
    }
    throw new AuthHeaderError(`unterminated quoted string at offset ${this.offset}`);
  }
}

export function schemeIs(challenge: Challenge, scheme: string): boolean {
  return challenge.scheme.toLowerCase() === scheme.toLowerCase();
}

/** The challenges of a WWW-Authenticate header as a login judges them: none when absent or malformed. */
export function challengesIn(header: string | undefined): Challenge[] {
  if (header === undefined) return [];
  try {
    return parseWwwAuthenticate(header);
  } catch (error) {
    if (error instanceof AuthHeaderError) return [];
    throw error;
  }
}
