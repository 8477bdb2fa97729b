// Property-based fuzzing of the security.txt reader and the policy reader: whatever bytes a device
// serves, the answer is findings in the shared format, never an exception, with lines that exist.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runCheck } from '../../../../src/scan/check.ts';
import { parseRfc3339 } from '../../../../src/scan/device/disclosure/date-time.ts';
import { POLICY_CHECKS } from '../../../../src/scan/device/disclosure/policy-checks.ts';
import { findTimescales, policyLines } from '../../../../src/scan/device/disclosure/policy-timescales.ts';
import { SECURITY_TXT_CHECKS } from '../../../../src/scan/device/disclosure/security-txt-checks.ts';
import { parseSecurityTxt } from '../../../../src/scan/device/disclosure/security-txt.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const AS_OF = new Date('2026-11-01T00:00:00Z');
const VALID = readFileSync(new URL('../../../fixtures/security-txt/valid.txt', import.meta.url));
const SIGNED = readFileSync(new URL('../../../fixtures/security-txt/signed.txt', import.meta.url));

/** Runs every check on the input, over a file and over a service, and checks what comes out. */
function checkAll(input: Uint8Array): void {
  const parsed = parseSecurityTxt(input);
  for (const place of [{ path: 'security.txt' }, { host: '127.0.0.1', port: 80 }]) {
    const subject = {
      name: 'http://127.0.0.1/.well-known/security.txt',
      place,
      parsed,
      asOf: AS_OF,
      fetchedFrom: 'http://127.0.0.1/.well-known/security.txt',
      claimedContact: 'security@test.example',
    };
    const findings = SECURITY_TXT_CHECKS.flatMap((c) => runCheck(c, subject));
    for (const f of findings) {
      assert.equal(f.message.includes('\n'), false, f.message);
      if (f.location.line !== undefined)
        assert.ok(
          f.location.line >= 1 && f.location.line <= Math.max(parsed.lineCount, 1),
          `line ${f.location.line} of ${parsed.lineCount}`,
        );
    }
    const policy = {
      texts: [{ name: 'security.txt', place, lines: parsed.comments }],
      claims: { acknowledgement: 'within 5 days' },
      unread: [],
      place,
      placeName: 'x',
    };
    POLICY_CHECKS.flatMap((c) => runCheck(c, policy));
  }
}

/** A valid file with bytes inserted, deleted or overwritten at random places. */
const mutated = (base: Buffer) =>
  fc
    .array(fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })), {
      maxLength: 12,
    })
    .map((edits) => {
      let bytes = Buffer.from(base);
      for (const [kind, at, data] of edits) {
        const i = at % (bytes.length + 1);
        if (kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), data, bytes.subarray(i)]);
        else if (kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + data.length)]);
        else bytes = Buffer.concat([bytes.subarray(0, i), data, bytes.subarray(i + data.length)]);
      }
      return bytes;
    });

const LINE = fc.oneof(
  fc.constantFrom(
    'Contact: mailto:security@test.example',
    'Contact: http://x',
    'Expires: 2027-03-31T23:59:59Z',
    'Expires: 2027-02-30T99:99:99+99:99',
    'Preferred-Languages: en, ,',
    'Canonical: https://[::1',
    'Encryption: -----BEGIN PGP PUBLIC KEY BLOCK-----',
    '-----BEGIN PGP SIGNED MESSAGE-----',
    '-----BEGIN PGP SIGNATURE-----',
    '-----END PGP SIGNATURE-----',
    'Hash: SHA256',
    '- - dashed',
    '# We acknowledge within 5 working days and send status updates every two weeks.',
    '',
    '\r',
  ),
  fc.string({ maxLength: 80 }),
  fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 60 })).map(([name, value]) => `${name}: ${value}`),
);

describe('security.txt reader under fuzzing', () => {
  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => checkAll(bytes)),
      { numRuns: RUNS },
    );
  });

  it('never throws on a mutated valid file', () => {
    fc.assert(
      fc.property(mutated(VALID), (bytes) => checkAll(bytes)),
      { numRuns: RUNS },
    );
  });

  it('never throws on a mutated signed file', () => {
    fc.assert(
      fc.property(mutated(SIGNED), (bytes) => checkAll(bytes)),
      { numRuns: RUNS },
    );
  });

  it('never throws on lines that look like fields and armour, with any line endings', () => {
    fc.assert(
      fc.property(fc.array(LINE, { maxLength: 40 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => checkAll(Buffer.from(lines.join(eol)))),
      { numRuns: RUNS },
    );
  });

  it('stays linear on pathological input a hostile device might serve', () => {
    // Each of these made an earlier, regex-heavy reader rescan the text from every opening.
    const size = 256 * 1024;
    const policies = [
      'a. '.repeat(size / 3),
      '<script'.repeat(size / 7),
      '<!--'.repeat(size / 4),
      '<p'.repeat(size / 2),
      'acknowledge\n'.repeat(size / 12),
    ];
    const files = [
      'Contact: a@' + 'b.'.repeat(16000) + '@\n',
      'Contact: http://x\n'.repeat(1800),
      'Preferred-Languages: ' + 'en-'.repeat(10000) + '!\n',
    ];
    const started = Date.now();
    for (const text of policies) findTimescales(policyLines(text));
    for (const text of files) checkAll(Buffer.from(text));
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    const findings = SECURITY_TXT_CHECKS.flatMap((c) =>
      runCheck(c, { name: 'x', place: { path: 'x' }, parsed: parseSecurityTxt(files[1] as string), asOf: AS_OF }),
    );
    assert.equal(findings.filter((f) => f.check === 'disclosure/security-txt/contact').length, 21);
  });

  it('reads the policy prose and dates of any text without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000, unit: 'binary' }), (text) => {
        findTimescales(policyLines(text));
        findTimescales(policyLines(`<html>${text}</html>`, 'text/html'));
        const date = parseRfc3339(text);
        if (date.ok) assert.ok(!Number.isNaN(date.date.getTime()));
      }),
      { numRuns: RUNS },
    );
  });
});
