// The RFC 9116 checks over hand-written files: each case names the findings a maker would see, with
// their lines and the facts the messages must carry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCheck } from '../../../../src/scan/check.ts';
import { parseRfc3339 } from '../../../../src/scan/device/disclosure/date-time.ts';
import { SECURITY_TXT_CHECKS, type SecurityTxtSubject } from '../../../../src/scan/device/disclosure/security-txt-checks.ts';
import { parseSecurityTxt, SECURITY_TXT_MAX_BYTES } from '../../../../src/scan/device/disclosure/security-txt.ts';
import type { Finding } from '../../../../src/findings/schema.ts';

const AS_OF = new Date('2026-11-01T00:00:00Z');
const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/security-txt/${name}`, import.meta.url));

function check(input: string | Buffer, extra: Partial<SecurityTxtSubject> = {}): Finding[] {
  const subject: SecurityTxtSubject = {
    name: 'security.txt',
    place: { path: 'security.txt' },
    parsed: parseSecurityTxt(input),
    asOf: AS_OF,
    ...extra,
  };
  return SECURITY_TXT_CHECKS.flatMap((c) => runCheck(c, subject));
}

/** "check-name line: message" for each finding with the given result, e.g. "contact 3: ...". */
function shown(findings: Finding[], result: Finding['result']): string[] {
  return findings
    .filter((f) => f.result === result)
    .map((f) => `${f.check.replace('disclosure/security-txt/', '')} ${f.location.line ?? '-'}: ${f.message}`);
}

const GOOD = 'Contact: mailto:security@test.example\nExpires: 2027-03-31T23:59:59Z\n';

interface Case {
  name: string;
  text: string | Buffer;
  /** Each expected failure: a pattern matched against "check line: message". */
  fails: RegExp[];
  infos?: RegExp[];
  subject?: Partial<SecurityTxtSubject>;
}

const CASES: Case[] = [
  { name: 'a minimal valid file', text: GOOD, fails: [] },
  {
    name: 'the valid fixture',
    text: fixture('valid.txt'),
    fails: [],
    infos: [/^signature -: not signed/, /^canonical 10: Canonical lists https:\/\/test\.example/],
  },
  { name: 'no Contact', text: 'Expires: 2027-03-31T23:59:59Z\n', fails: [/^contact -: no Contact field: RFC 9116 requires at least one$/] },
  {
    name: 'an http Contact',
    text: `# reports\nContact: http://test.example/report\nExpires: 2027-03-31T23:59:59Z\n`,
    fails: [/^contact 2: Contact "http:\/\/test\.example\/report" uses http: web URIs must begin with "https:\/\/"$/],
  },
  {
    name: 'a bare e-mail address as Contact',
    text: 'Contact: security@test.example\nExpires: 2027-03-31T23:59:59Z\n',
    fails: [/^contact 1: Contact "security@test\.example" is not a URI: write "mailto:security@test\.example"$/],
  },
  {
    name: 'tel: and https: contacts beside a broken one',
    text: 'Contact: tel:+44-1223-555-0100\nContact: https://test.example/report\nContact: mailto:nobody\nContact: mailto:%security@test.example\nExpires: 2027-03-31T23:59:59Z\n',
    fails: [
      /^contact 3: Contact "mailto:nobody" is not a mailto: URI with an e-mail address$/,
      /^contact 4: Contact "mailto:%security@test\.example" has a malformed %-escape$/,
    ],
  },
  { name: 'no Expires', text: 'Contact: mailto:security@test.example\n', fails: [/^expires -: no Expires field: RFC 9116 requires one$/] },
  {
    name: 'an expired file',
    text: 'Contact: mailto:security@test.example\nExpires: 2026-01-01T00:00:00Z\n',
    fails: [/^expires 2: expired on 2026-01-01T00:00:00Z \(304 days before 2026-11-01T00:00:00Z\)/],
  },
  {
    name: 'Expires twice',
    text: 'Expires: 2027-01-01T00:00:00Z\nContact: mailto:security@test.example\nExpires: 2027-02-01T00:00:00Z\n',
    fails: [/^expires 3: Expires appears again \(first on line 1\): RFC 9116 allows it once$/],
  },
  {
    name: 'Expires more than a year ahead',
    text: 'Contact: mailto:security@test.example\nExpires: 2028-06-01T00:00:00Z\n',
    fails: [/^expires 2: expires 2028-06-01T00:00:00Z, 578 days ahead: RFC 9116 recommends less than a year$/],
  },
  {
    name: 'Expires as a date only',
    text: 'Contact: mailto:security@test.example\nExpires: 2027-01-31\n',
    fails: [/^expires 2: Expires "2027-01-31" a date without a time and time zone/],
  },
  {
    name: 'Expires in the e-mail date format of the drafts',
    text: 'Contact: mailto:security@test.example\nExpires: Thu, 31 Dec 2026 18:37:07 -0800\n',
    fails: [/^expires 2: .*uses the e-mail date format of early drafts/],
  },
  {
    name: 'Expires on a day that does not exist',
    text: 'Contact: mailto:security@test.example\nExpires: 2027-02-29T12:00:00Z\n',
    fails: [/^expires 2: Expires "2027-02-29T12:00:00Z" day 29 does not exist in 2027-02$/],
  },
  {
    name: 'the signed fixture',
    text: fixture('signed.txt'),
    fails: [],
    infos: [/^signature 1: signed with an OpenPGP cleartext signature \(Hash: SHA256\); the signature was not verified$/],
  },
  {
    name: 'a signed file with a field added after the signature',
    text: `${fixture('signed.txt').toString()}Contact: mailto:attacker@evil.example\n`,
    fails: [/^signature 16: text after the signature block is not covered by the signature$/],
  },
  {
    name: 'a signed message without its signature block',
    text: `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${GOOD}`,
    fails: [/^signature 5: the signed message has no "-----BEGIN PGP SIGNATURE-----" block$/],
  },
  {
    name: 'a signature block without the signed-message header',
    text: `${GOOD}-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n`,
    fails: [/^signature 3: a signature block without "-----BEGIN PGP SIGNED MESSAGE-----" on the first line$/],
  },
  { name: 'CRLF line endings', text: fixture('crlf.txt'), fails: [] },
  {
    name: 'an unknown field and a misspelt one',
    text: `${GOOD}X-Bug-Bounty: https://test.example/bounty\nAcknowledgements: https://test.example/thanks\n`,
    fails: [],
    infos: [
      /^unknown-field 3: field "X-Bug-Bounty" is not defined by RFC 9116 and is ignored by readers$/,
      /^unknown-field 4: field "Acknowledgements" is not defined by RFC 9116; did you mean "Acknowledgments"\?$/,
    ],
  },
  {
    name: 'Preferred-Languages twice and a bad tag',
    text: `${GOOD}Preferred-Languages: en, Deutsch!\nPreferred-Languages: fr\n`,
    fails: [
      /^preferred-languages 4: Preferred-Languages appears again/,
      /^preferred-languages 3: Preferred-Languages: "Deutsch!" is not a language tag/,
    ],
  },
  {
    name: 'http and key-valued URI fields',
    text: `${GOOD}Policy: http://test.example/policy\nEncryption: -----BEGIN PGP PUBLIC KEY BLOCK-----\nHiring: jobs page\n`,
    fails: [
      /^uri-fields 3: Policy "http:\/\/test\.example\/policy" uses http/,
      /^uri-fields 4: Encryption .* is a key, not a URI to one$/,
      /^uri-fields 5: Hiring "jobs page" is not a URI$/,
    ],
  },
  {
    name: 'loose syntax: no space after the colon, indentation, a // comment, a stray line',
    text: `Contact:mailto:security@test.example\n  Expires: 2027-03-31T23:59:59Z\n// a comment\nhello world\nPolicy:\n`,
    fails: [
      /^syntax 1: field "Contact": the colon must be followed by one space$/,
      /^syntax 2: field "Expires" starts with white space$/,
      /^syntax 3: comments start with "#"$/,
      /^syntax 4: neither a field \("Name: value"\) nor a comment \("# \.\.\."\)$/,
      /^syntax 5: field "Policy" has no value$/,
    ],
  },
  { name: 'a byte-order mark', text: `\ufeff${GOOD}`, fails: [/^syntax 1: starts with a byte-order mark/] },
  {
    name: 'binary junk',
    text: Buffer.concat([
      Buffer.from(GOOD),
      Buffer.from([0x43, 0x3a, 0x20, 0xff, 0xfe, 0x00, 0x0a]),
      Buffer.from('\x01\x02\x03\n'.repeat(30)),
    ]),
    fails: [
      /^encoding 3: not UTF-8: byte 0xff at offset 71 cannot start or continue a UTF-8 character$/,
      ...Array.from({ length: 20 }, () => /^syntax \d+: contains control characters or bytes that are not text$/),
      /^syntax -: 11 more lines with the same kind of problem not listed$/,
    ],
  },
  {
    name: 'a file larger than the bound, its Contact beyond it',
    text: `${`# ${'x'.repeat(98)}\n`.repeat(400)}Contact: mailto:security@test.example\nExpires: 2027-03-31T23:59:59Z\n`,
    fails: [
      /^encoding -: larger than the 32 KiB read \(\d+ bytes\); only the first 324 lines were checked$/,
      /^contact -: no Contact field/,
      /^expires -: no Expires field/,
    ],
  },
  {
    name: 'a Canonical that does not list the URL the file came from',
    text: `${GOOD}Canonical: https://test.example/.well-known/security.txt\n`,
    subject: { fetchedFrom: 'https://other.example/.well-known/security.txt' },
    fails: [
      /^canonical 3: fetched from https:\/\/other\.example\/\.well-known\/security\.txt, which no Canonical field lists \(https:\/\/test\.example/,
    ],
  },
  {
    name: 'a Canonical that lists it',
    text: `${GOOD}Canonical: https://TEST.example:443/.well-known/security.txt\n`,
    subject: { fetchedFrom: 'https://test.example/.well-known/security.txt' },
    fails: [],
  },
  {
    name: "a contact other than the product file's",
    text: GOOD,
    subject: { claimedContact: 'psirt@test.example' },
    fails: [],
    infos: [
      /^contact 1: the product file gives the contact "psirt@test\.example", which no Contact field lists$/,
      /^signature/,
      /^canonical/,
    ],
  },
];

describe('security.txt checks (RFC 9116)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const findings = check(c.text, c.subject);
      const fails = shown(findings, 'fail');
      assert.equal(fails.length, c.fails.length, `failures:\n${fails.join('\n')}`);
      for (const pattern of c.fails)
        assert.ok(
          fails.some((f) => pattern.test(f)),
          `no failure like ${pattern}:\n${fails.join('\n')}`,
        );
      for (const pattern of c.infos ?? []) {
        const infos = shown(findings, 'info');
        assert.ok(
          infos.some((f) => pattern.test(f)),
          `no info like ${pattern}:\n${infos.join('\n')}`,
        );
      }
      for (const f of findings) {
        assert.deepEqual(f.provisions, ['5.2-1']);
        assert.equal(f.message.includes('\n'), false);
      }
    });
  }

  it('passes each required field of a valid file, at its line', () => {
    const passes = shown(check(fixture('valid.txt')), 'pass');
    assert.ok(
      passes.includes('contact 4: 2 contacts: mailto:security@test.example, https://test.example/security/report'),
      passes.join('\n'),
    );
    assert.ok(passes.includes('expires 6: expires 2027-03-31T23:59:59Z, in 151 days'), passes.join('\n'));
  });

  it('reads fields inside the signed message and counts lines from the armour header', () => {
    const parsed = parseSecurityTxt(fixture('signed.txt'));
    assert.equal(parsed.signed, true);
    assert.deepEqual(parsed.armorHeaders, ['Hash: SHA256']);
    assert.deepEqual(
      parsed.fields.map((f) => [f.name, f.line]),
      [
        ['Contact', 6],
        ['Expires', 7],
        ['Canonical', 8],
      ],
    );
  });

  it('keeps line numbers with CRLF endings and reports them', () => {
    const parsed = parseSecurityTxt(fixture('crlf.txt'));
    assert.equal(parsed.lineEndings, 'crlf');
    assert.deepEqual(
      parsed.fields.map((f) => [f.value, f.line]),
      [
        ['mailto:security@test.example', 1],
        ['2027-03-31T23:59:59Z', 2],
      ],
    );
  });

  it('undoes dash-escaping inside a signed message', () => {
    const parsed = parseSecurityTxt(
      `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n- # dashed comment\n${GOOD}-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n`,
    );
    assert.deepEqual(parsed.signatureProblems, []);
    assert.deepEqual(parsed.comments, [{ line: 4, text: 'dashed comment' }]);
  });

  it('names the service and line in messages when the file came from a device', () => {
    const findings = check('Contact: http://device.local/\nExpires: 2027-03-31T23:59:59Z\n', {
      name: 'http://127.0.0.1:8080/.well-known/security.txt',
      place: { host: '127.0.0.1', port: 8080 },
    });
    const contact = findings.find((f) => f.check === 'disclosure/security-txt/contact' && f.result === 'fail');
    assert.deepEqual(contact?.location, { host: '127.0.0.1', port: 8080 });
    assert.match(
      contact?.message ?? '',
      /^http:\/\/127\.0\.0\.1:8080\/\.well-known\/security\.txt line 1: Contact "http:\/\/device\.local\/" uses http/,
    );
  });

  it('never reads past the bound', () => {
    assert.equal(SECURITY_TXT_MAX_BYTES, 32 * 1024);
    const parsed = parseSecurityTxt(Buffer.alloc(SECURITY_TXT_MAX_BYTES * 4, 'a'));
    assert.equal(parsed.oversized, true);
    assert.equal(parsed.size, SECURITY_TXT_MAX_BYTES * 4);
    assert.equal(parsed.lineCount, 1);
  });
});

describe('RFC 3339 date-times', () => {
  const table: [string, string | RegExp][] = [
    ['2027-01-31T23:59:59Z', '2027-01-31T23:59:59.000Z'],
    ['2027-01-31t23:59:59z', '2027-01-31T23:59:59.000Z'],
    ['2027-01-31T23:59:59.5+01:00', '2027-01-31T22:59:59.500Z'],
    ['2027-01-31T00:00:00-05:30', '2027-01-31T05:30:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2026-12-31T23:59:60Z', '2026-12-31T23:59:59.000Z'],
    ['2027-01-31 23:59:59Z', /needs "T" between the date and the time/],
    ['2027-01-31T23:59:59', /has no time zone/],
    ['2027-01-31T23:59Z', /needs seconds/],
    ['2027-01-31T23:59:59+0100', /offset needs a colon/],
    ['2027-13-01T00:00:00Z', /month 13 does not exist/],
    ['2027-01-01T24:00:00Z', /time 24:00:00 does not exist/],
    ['2027-01-01T00:00:00+24:00', /offset \+24:00 does not exist/],
    ['next year', /not an RFC 3339 date-time/],
  ];
  for (const [text, expected] of table) {
    it(text, () => {
      const result = parseRfc3339(text);
      if (typeof expected === 'string') {
        assert.ok(result.ok, JSON.stringify(result));
        assert.equal(result.date.toISOString(), expected);
      } else {
        assert.equal(result.ok, false);
        if (!result.ok) assert.match(result.reason, expected);
      }
    });
  }
});
