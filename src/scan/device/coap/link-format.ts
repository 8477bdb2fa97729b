// The CoRE Link Format (RFC 6690 section 2) a CoAP server answers GET /.well-known/core with:
//   </sensors/temp>;rt="temperature-c";if="sensor";ct=0, </firmware>;title="Update"
// Read from an untrusted device, so the parser never throws: a link it cannot read is counted as malformed
// and skipped up to the next comma outside quotes, and the number of links, parameters and their lengths
// are bounded. One pass over the text, so its cost grows with the text alone.

export interface LinkParam {
  name: string;
  /** Absent for a parameter without "=value" (RFC 6690's "obs", say). */
  value?: string;
}

export interface CoreLink {
  /** The URI reference between < and >, as written. */
  target: string;
  params: LinkParam[];
}

export interface LinkFormat {
  links: CoreLink[];
  /** Links past the bound, counted but not kept. */
  more: number;
  /** Links that could not be read. */
  malformed: number;
}

export const MAX_LINKS = 256;
const MAX_PARAMS = 32;
const MAX_TARGET = 1024;
const MAX_VALUE = 512;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** From `at`, the index just after the next comma outside a quoted string (or the end). */
function skipLink(text: string, at: number): number {
  let quoted = false;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') return i + 1;
  }
  return text.length;
}

export function parseLinkFormat(text: string, maxLinks = MAX_LINKS): LinkFormat {
  const links: CoreLink[] = [];
  let more = 0;
  let malformed = 0;
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (isSpace(text[i])) i++;
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    const start = i;
    const link = readLink();
    if (link === undefined) {
      malformed++;
      i = skipLink(text, Math.max(i, start + 1));
      continue;
    }
    if (links.length < maxLinks) links.push(link);
    else more++;
  }
  return { links, more, malformed };

  // Reads one link at i; leaves i after its comma. Undefined when it is malformed (i then at the problem).
  function readLink(): CoreLink | undefined {
    if (text[i] !== '<') return undefined;
    // Looked for within MAX_TARGET characters only, so that many unclosed "<" cost no more than that each.
    let close = i + 1;
    while (close < n && close <= i + 1 + MAX_TARGET && text[close] !== '>') close++;
    if (text[close] !== '>') return undefined;
    const target = text.slice(i + 1, close);
    if (/[<\s"]/.test(target)) return undefined;
    i = close + 1;
    const params: LinkParam[] = [];
    for (;;) {
      skipSpace();
      if (i >= n) return { target, params };
      if (text[i] === ',') {
        i++;
        return { target, params };
      }
      if (text[i] !== ';') return undefined;
      i++;
      skipSpace();
      const nameStart = i;
      while (i < n && /[A-Za-z0-9!#$&+\-.^_`|~*]/.test(text[i]!)) i++;
      const name = text.slice(nameStart, i).toLowerCase();
      if (name === '') return undefined;
      skipSpace();
      let value: string | undefined;
      if (text[i] === '=') {
        i++;
        skipSpace();
        if (text[i] === '"') {
          let v = '';
          i++;
          for (;;) {
            if (i >= n) return undefined;
            const c = text[i]!;
            if (c === '\\') {
              if (i + 1 >= n) return undefined;
              if (v.length < MAX_VALUE) v += text[i + 1];
              i += 2;
            } else if (c === '"') {
              i++;
              break;
            } else {
              if (v.length < MAX_VALUE) v += c;
              i++;
            }
          }
          value = v;
        } else {
          const valueStart = i;
          while (i < n && text[i] !== ';' && text[i] !== ',' && !isSpace(text[i])) i++;
          value = text.slice(valueStart, Math.min(i, valueStart + MAX_VALUE));
        }
      }
      if (params.length < MAX_PARAMS) params.push(value === undefined ? { name } : { name, value });
    }
  }
}

/** The first value of a link parameter. */
export function linkParam(link: CoreLink, name: string): string | undefined {
  return link.params.find((p) => p.name === name)?.value;
}
