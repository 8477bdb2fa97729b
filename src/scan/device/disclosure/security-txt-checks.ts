// What RFC 9116 asks of a security.txt, one check per concern, run over a parsed file. The same checks
// serve a file on disk (findings at path and line) and one fetched from a device or a product URL
// (findings at host and port, the URL and line named in the message).
import type { Check, FindingDraft } from '../../check.ts';
import { isoSeconds, parseRfc3339 } from './date-time.ts';
import { type ParsedSecurityTxt, SECURITY_TXT_MAX_BYTES, type SecurityTxtField, showLine } from './security-txt.ts';

export const DISCLOSURE_PROVISIONS = ['5.2-1'];

/** Where a finding goes: a file (line numbers go in the location) or a service (they go in the message). */
export type Place = { path: string } | { host: string; port: number };

export interface SecurityTxtSubject {
  /** The file path or URL, for messages. */
  name: string;
  place: Place;
  parsed: ParsedSecurityTxt;
  /** "Now" for Expires. */
  asOf: Date;
  /** The URL the file was fetched from, which its Canonical fields should list. */
  fetchedFrom?: string;
  /** The reporting contact the product file gives, looked for among the Contact fields. */
  claimedContact?: string;
}

/** A draft located at a line of a text known by `name` (a path or URL). */
export function located(place: Place, name: string, line: number | undefined, draft: Omit<FindingDraft, 'location'>): FindingDraft {
  if ('path' in place) return { ...draft, location: { path: place.path, ...(line !== undefined ? { line } : {}) } };
  const where = line !== undefined ? `${name} line ${line}` : name;
  return { ...draft, location: { host: place.host, port: place.port }, message: `${where}: ${draft.message}` };
}

const atLine = (subject: SecurityTxtSubject, line: number | undefined, draft: Omit<FindingDraft, 'location'>): FindingDraft =>
  located(subject.place, subject.name, line, draft);

const fieldsNamed = (subject: SecurityTxtSubject, key: string) => subject.parsed.fields.filter((f) => f.key === key);
const evidenceOf = (field: SecurityTxtField) => showLine(`${field.name}: ${field.value}`);
/** At most this many findings per check and file: a file of junk should not bury the report. */
const MAX_LINE_FINDINGS = 20;

function* capped(subject: SecurityTxtSubject, drafts: FindingDraft[]): Iterable<FindingDraft> {
  yield* drafts.slice(0, MAX_LINE_FINDINGS);
  if (drafts.length > MAX_LINE_FINDINGS) {
    const worst = drafts.slice(MAX_LINE_FINDINGS);
    yield atLine(subject, undefined, {
      result: worst[0]?.result ?? 'fail',
      message: `${worst.length} more lines with the same kind of problem not listed`,
    });
  }
}

export const encodingCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/encoding',
  title: 'security.txt is UTF-8 text of a sensible size',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'medium',
  rationale:
    'RFC 9116 files are UTF-8 plain text read by people and by tools. A file in another encoding, or one of many kilobytes, is read wrongly or not at all, and the contact it carries is lost.',
  remediation: 'Save the file as UTF-8 plain text and keep it to the fields RFC 9116 defines and short comments.',
  *run(subject) {
    const { parsed } = subject;
    if (parsed.notUtf8) {
      const { line, offset, byte } = parsed.notUtf8;
      yield atLine(subject, line, {
        result: 'fail',
        message: `not UTF-8: byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset} cannot start or continue a UTF-8 character`,
      });
    }
    if (parsed.oversized) {
      yield atLine(subject, undefined, {
        result: 'fail',
        message: `larger than the ${SECURITY_TXT_MAX_BYTES / 1024} KiB read${parsed.size > SECURITY_TXT_MAX_BYTES + 1 ? ` (${parsed.size} bytes)` : ''}; only the first ${parsed.lineCount} lines were checked`,
      });
    }
    if (!parsed.notUtf8 && !parsed.oversized) {
      yield atLine(subject, undefined, {
        result: 'pass',
        message: `UTF-8 text, ${parsed.size} bytes, ${describeEndings(parsed.lineEndings)}`,
      });
    }
  },
};

function describeEndings(endings: ParsedSecurityTxt['lineEndings']): string {
  return { lf: 'LF line endings', crlf: 'CRLF line endings', mixed: 'mixed CRLF and LF line endings', none: 'a single line' }[endings];
}

export const syntaxCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/syntax',
  title: 'security.txt lines follow the RFC 9116 syntax',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'low',
  rationale:
    'Every line of a security.txt is a field ("Name: value"), a comment starting with "#", or blank. Tools skip other lines, so a contact written another way is invisible to them.',
  remediation: 'Write each entry as "Field-Name: value" with one space after the colon, and start comments with "#".',
  *run(subject) {
    const drafts = subject.parsed.syntaxProblems.map((p) =>
      atLine(subject, p.line, { result: 'fail', message: p.message, ...(p.text !== undefined ? { evidence: p.text } : {}) }),
    );
    yield* capped(subject, drafts);
    if (drafts.length === 0) {
      yield atLine(subject, undefined, { result: 'pass', message: `${subject.parsed.fields.length} fields, every line well formed` });
    }
  },
};

export const signatureCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/signature',
  title: 'security.txt OpenPGP signature',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'low',
  rationale:
    'RFC 9116 recommends signing the file with an OpenPGP cleartext signature so a reporter can tell a genuine contact from one planted by an attacker. A signature block that is malformed, or text added after it, defeats that.',
  remediation: 'Sign the file with "gpg --clearsign" after every edit, and put nothing after the signature block.',
  *run(subject) {
    const { parsed } = subject;
    yield* capped(
      subject,
      parsed.signatureProblems.map((p) =>
        atLine(subject, p.line, { result: 'fail', message: p.message, ...(p.text !== undefined ? { evidence: p.text } : {}) }),
      ),
    );
    if (parsed.signed && parsed.signatureProblems.length === 0) {
      const hash = parsed.armorHeaders.find((h) => /^hash:/i.test(h));
      yield atLine(subject, 1, {
        result: 'info',
        message: `signed with an OpenPGP cleartext signature${hash ? ` (${hash})` : ''}; the signature was not verified`,
      });
    }
    if (!parsed.signed && parsed.signatureProblems.length === 0) {
      yield atLine(subject, undefined, { result: 'info', message: 'not signed; RFC 9116 recommends an OpenPGP cleartext signature' });
    }
  },
};

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Problems with one URI value; web URIs must use https. */
function uriProblem(value: string): string | undefined {
  if (value.length > 2048) return 'is too long for a URI (more than 2048 characters)';
  if (/^-----BEGIN PGP PUBLIC KEY BLOCK-----/.test(value)) return 'is a key, not a URI to one';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (!scheme) return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? `is not a URI: write "mailto:${value}"` : 'is not a URI';
  if (/\s/.test(value)) return 'is not a URI: it contains white space';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URI';
  }
  if (scheme === 'http') return 'uses http: web URIs must begin with "https://"';
  if (scheme === 'https' && !url.hostname) return 'has no host name';
  const path = decoded(url.pathname);
  if (path === undefined) return 'has a malformed %-escape';
  if (scheme === 'mailto' && !/^[^\s@]+@[^\s@]+$/.test(path)) return 'is not a mailto: URI with an e-mail address';
  if (scheme === 'tel' && !/^\+?[0-9().\- ]{3,}(;.*)?$/.test(path)) return 'is not a tel: URI with a telephone number';
  return undefined;
}

/** A contact written as in the product file ("security@x", "mailto:security@x", a URL), for comparing. */
function normalContact(value: string): string {
  const v = value.trim().toLowerCase();
  if (/^mailto:/.test(v)) return v.slice(7).split('?')[0] ?? v;
  return v.replace(/\/+$/, '');
}

export const contactCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/contact',
  title: 'security.txt gives a contact for reporting vulnerabilities',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'high',
  rationale:
    'The Contact field is the reason a security.txt exists: RFC 9116 requires at least one, written as a URI (mailto:, https: or tel:), and web addresses must use https. The PSTI and EN 303 645 5.2-1 require a published point of contact for reports.',
  remediation: 'Add "Contact: mailto:security@example.com" (or an https:// reporting form), most preferred first.',
  *run(subject) {
    const contacts = fieldsNamed(subject, 'contact');
    if (contacts.length === 0) {
      yield atLine(subject, undefined, { result: 'fail', message: 'no Contact field: RFC 9116 requires at least one' });
      return;
    }
    const good: SecurityTxtField[] = [];
    const bad: FindingDraft[] = [];
    for (const field of contacts) {
      const problem = uriProblem(field.value);
      if (problem)
        bad.push(
          atLine(subject, field.line, {
            result: 'fail',
            message: `Contact "${showLine(field.value, 120)}" ${problem}`,
            evidence: evidenceOf(field),
          }),
        );
      else good.push(field);
    }
    yield* capped(subject, bad);
    if (good.length > 0) {
      yield atLine(subject, good[0]?.line, {
        result: 'pass',
        message: `${good.length === 1 ? 'contact' : `${good.length} contacts`}: ${good.map((f) => showLine(f.value, 120)).join(', ')}`,
      });
    }
    if (subject.claimedContact) {
      const claimed = normalContact(subject.claimedContact);
      if (!contacts.some((f) => normalContact(f.value) === claimed)) {
        yield atLine(subject, contacts[0]?.line, {
          result: 'info',
          message: `the product file gives the contact "${showLine(subject.claimedContact, 120)}", which no Contact field lists`,
        });
      }
    }
  },
};

export const expiresCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/expires',
  title: 'security.txt has a current Expires date',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'medium',
  rationale:
    'RFC 9116 requires exactly one Expires field, an RFC 3339 date-time after which the file must not be trusted, and recommends less than a year ahead so that stale contacts age out. An expired file tells reporters its contact may be dead.',
  remediation: 'Write one "Expires: 2027-01-31T23:59:59Z" less than a year ahead, and renew it (and re-sign) before it passes.',
  *run(subject) {
    const fields = fieldsNamed(subject, 'expires');
    if (fields.length === 0) {
      yield atLine(subject, undefined, { result: 'fail', message: 'no Expires field: RFC 9116 requires one' });
      return;
    }
    yield* capped(
      subject,
      fields.slice(1).map((extra) =>
        atLine(subject, extra.line, {
          result: 'fail',
          message: `Expires appears again (first on line ${fields[0]?.line}): RFC 9116 allows it once`,
          evidence: evidenceOf(extra),
        }),
      ),
    );
    const field = fields[0] as SecurityTxtField;
    const parsed = parseRfc3339(field.value);
    if (!parsed.ok) {
      yield atLine(subject, field.line, {
        result: 'fail',
        message: `Expires "${showLine(field.value, 80)}" ${parsed.reason}`,
        evidence: evidenceOf(field),
      });
      return;
    }
    const expires = parsed.date;
    const asOf = subject.asOf;
    const yearAhead = new Date(asOf);
    yearAhead.setUTCFullYear(yearAhead.getUTCFullYear() + 1);
    const days = Math.round((expires.getTime() - asOf.getTime()) / 86_400_000);
    if (expires.getTime() <= asOf.getTime()) {
      yield atLine(subject, field.line, {
        result: 'fail',
        message: `expired on ${isoSeconds(expires)} (${-days} days before ${isoSeconds(asOf)}): reporters must not trust it`,
        evidence: evidenceOf(field),
      });
    } else if (expires.getTime() > yearAhead.getTime()) {
      yield atLine(subject, field.line, {
        result: 'fail',
        severity: 'low',
        message: `expires ${isoSeconds(expires)}, ${days} days ahead: RFC 9116 recommends less than a year`,
        evidence: evidenceOf(field),
      });
    } else {
      yield atLine(subject, field.line, { result: 'pass', message: `expires ${isoSeconds(expires)}, in ${days} days` });
    }
  },
};

/** BCP 47 language tags, loosely: a primary subtag and any others. */
const LANGUAGE_TAG = /^(?:[a-z]{2,8}|[ix])(?:-[a-z0-9]{1,8})*$/i;

export const preferredLanguagesCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/preferred-languages',
  title: 'security.txt Preferred-Languages is one list of language tags',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'low',
  rationale:
    'Preferred-Languages tells reporters which languages the team reads. RFC 9116 allows it once, as comma-separated language tags such as "en, de".',
  remediation: 'Write one "Preferred-Languages: en" line listing language tags separated by commas.',
  *run(subject) {
    const fields = fieldsNamed(subject, 'preferred-languages');
    yield* capped(
      subject,
      fields.slice(1).map((extra) =>
        atLine(subject, extra.line, {
          result: 'fail',
          message: 'Preferred-Languages appears again: RFC 9116 allows it once',
          evidence: evidenceOf(extra),
        }),
      ),
    );
    for (const field of fields.slice(0, 1)) {
      const tags = field.value.split(',').map((t) => t.trim());
      const bad = tags.filter((t) => !LANGUAGE_TAG.test(t));
      if (bad.length > 0) {
        yield atLine(subject, field.line, {
          result: 'fail',
          message: `Preferred-Languages: ${bad.map((t) => `"${showLine(t, 40)}"`).join(', ')} ${bad.length === 1 ? 'is not a language tag' : 'are not language tags'} (write e.g. "en, fr")`,
          evidence: evidenceOf(field),
        });
      } else yield atLine(subject, field.line, { result: 'pass', message: `preferred languages: ${tags.join(', ')}` });
    }
  },
};

/** The URI-valued fields other than Contact, each with its name as RFC 9116 spells it. */
const URI_FIELDS: Record<string, string> = {
  encryption: 'Encryption',
  acknowledgments: 'Acknowledgments',
  canonical: 'Canonical',
  policy: 'Policy',
  hiring: 'Hiring',
};

export const uriFieldsCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/uri-fields',
  title: 'security.txt links are URIs, web links over https',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'low',
  rationale:
    'Encryption, Acknowledgments, Canonical, Policy and Hiring each hold a URI, and RFC 9116 requires web URIs to use https so the linked key or policy cannot be swapped in transit. Encryption points to a key; it must not hold the key itself.',
  remediation: 'Link each document with an https:// URI, and publish the encryption key at a URI rather than pasting it in.',
  *run(subject) {
    const drafts: FindingDraft[] = [];
    for (const field of subject.parsed.fields) {
      const name = URI_FIELDS[field.key];
      if (!name) continue;
      const problem = uriProblem(field.value);
      if (problem)
        drafts.push(
          atLine(subject, field.line, {
            result: 'fail',
            message: `${name} "${showLine(field.value, 120)}" ${problem}`,
            evidence: evidenceOf(field),
          }),
        );
    }
    yield* capped(subject, drafts);
  },
};

const KNOWN_FIELDS = new Set(['contact', 'expires', 'preferred-languages', ...Object.keys(URI_FIELDS)]);
/** Names people write for a known field. */
const MISSPELLINGS: Record<string, string> = {
  acknowledgements: 'Acknowledgments',
  acknowledgement: 'Acknowledgments',
  acknowledgment: 'Acknowledgments',
  contacts: 'Contact',
  email: 'Contact',
  'e-mail': 'Contact',
  expiry: 'Expires',
  expire: 'Expires',
  expiration: 'Expires',
  expired: 'Expires',
  'preferred-language': 'Preferred-Languages',
  languages: 'Preferred-Languages',
  encryption_key: 'Encryption',
  policies: 'Policy',
  'security-policy': 'Policy',
  canonical_url: 'Canonical',
};

export const unknownFieldCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/unknown-field',
  title: 'Fields RFC 9116 does not define',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'info',
  rationale:
    'Fields beyond those RFC 9116 defines are allowed and ignored by readers, so a misspelt field (such as "Acknowledgements") silently goes missing.',
  remediation: 'Check the spelling of each field against RFC 9116, or remove fields no reader will use.',
  *run(subject) {
    const drafts = subject.parsed.fields
      .filter((f) => !KNOWN_FIELDS.has(f.key))
      .map((field) => {
        const meant = MISSPELLINGS[field.key];
        return atLine(subject, field.line, {
          result: 'info',
          message: `field "${showLine(field.name, 60)}" is not defined by RFC 9116${meant ? `; did you mean "${meant}"?` : ' and is ignored by readers'}`,
          evidence: evidenceOf(field),
        });
      });
    yield* capped(subject, drafts);
  },
};

/** URLs compared as a browser would: scheme and host case, default port and empty path normalised. */
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

export const canonicalCheck: Check<SecurityTxtSubject> = {
  id: 'disclosure/security-txt/canonical',
  title: 'security.txt was fetched from a URL its Canonical field lists',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'medium',
  rationale:
    'Canonical lists where the file is meant to live. RFC 9116 tells readers to treat a file found elsewhere as suspect: it may be a copy that has gone stale, or one an attacker placed.',
  remediation: 'List every URL the file is served from in Canonical fields (and sign the file so they cannot be altered).',
  *run(subject) {
    const canonical = fieldsNamed(subject, 'canonical');
    if (canonical.length === 0) {
      yield atLine(subject, undefined, {
        result: 'info',
        message: subject.parsed.signed
          ? 'no Canonical field: RFC 9116 recommends one in a signed file, so the signature vouches for where it belongs'
          : 'no Canonical field',
      });
      return;
    }
    const listed = canonical.map((f) => f.value);
    if (!subject.fetchedFrom) {
      yield atLine(subject, canonical[0]?.line, {
        result: 'info',
        message: `Canonical lists ${listed.join(', ')} (compared only when the file is fetched)`,
      });
      return;
    }
    const match = canonical.find((f) => sameUrl(f.value, subject.fetchedFrom as string));
    if (match) yield atLine(subject, match.line, { result: 'pass', message: `fetched from ${subject.fetchedFrom}, a Canonical URL` });
    else {
      yield atLine(subject, canonical[0]?.line, {
        result: 'fail',
        message: `fetched from ${subject.fetchedFrom}, which no Canonical field lists (${listed.map((u) => showLine(u, 120)).join(', ')})`,
      });
    }
  },
};

export const SECURITY_TXT_CHECKS: Check<SecurityTxtSubject>[] = [
  encodingCheck,
  syntaxCheck,
  signatureCheck,
  contactCheck,
  expiresCheck,
  preferredLanguagesCheck,
  uriFieldsCheck,
  unknownFieldCheck,
  canonicalCheck,
];

/** Web URLs in the Policy fields of a security.txt, for reading the timescales there (http too: it is flagged, but still read). */
export function policyUrls(parsed: ParsedSecurityTxt): string[] {
  return parsed.fields.filter((f) => f.key === 'policy' && /^https?:\/\/\S+$/i.test(f.value)).map((f) => f.value);
}
