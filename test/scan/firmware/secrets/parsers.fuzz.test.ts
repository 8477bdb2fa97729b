// Fuzzing the secrets analyzer's parsers: DER shapes, PKCS#12 walking, OpenSSH and dropbear keys, PEM
// scanning, password assignments and the token patterns. Arbitrary bytes give a result, never an
// exception, and never a long stall. Also: the pattern file refuses patterns that could backtrack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../../src/io/input-error.ts';
import { passwordAssignments } from '../../../../src/scan/firmware/secrets/assignments.ts';
import { derShape, pkcs12Contents } from '../../../../src/scan/firmware/secrets/der.ts';
import { keyMaterial } from '../../../../src/scan/firmware/secrets/key-material.ts';
import { redactSecret } from '../../../../src/scan/firmware/secrets/redact.ts';
import { loadSecretPatterns, secretPatterns, unboundedQuantifier } from '../../../../src/scan/firmware/secrets/secret-patterns.ts';
import { parseDropbearKey, parseOpensshKey } from '../../../../src/scan/firmware/secrets/ssh-keys.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const MAX_MS = 2000;

function bounded(run: () => unknown): void {
  const started = cpuClock();
  run();
  assert.ok(started() < MAX_MS, `took ${Math.round(started())} ms`);
}

const derish = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc
    .array(
      fc.oneof(fc.constantFrom(0x30, 0x82, 0x02, 0x01, 0x00, 0x03, 0x04, 0xa0, 0x06, 0x81, 0x84, 0xff), fc.integer({ min: 0, max: 255 })),
      { maxLength: 400 },
    )
    .map((a) => Uint8Array.from(a)),
);
const pemish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '-----BEGIN PRIVATE KEY-----',
        '-----END PRIVATE KEY-----',
        '-----BEGIN CERTIFICATE-----',
        '-----END CERTIFICATE-----',
        '-----BEGIN OPENSSH PRIVATE KEY-----',
        '-----END OPENSSH PRIVATE KEY-----',
        'MIIB',
        'b3BlbnNzaC1rZXktdjE',
        '\\n',
        '\n',
        'Proc-Type: 4,ENCRYPTED',
        '"',
      ),
      fc.string({ maxLength: 30 }),
    ),
    { maxLength: 100 },
  )
  .map((p) => p.join(''));

describe('secrets parsers never throw on arbitrary input', () => {
  it('derShape and pkcs12Contents', () =>
    fc.assert(
      fc.property(derish, (b) => bounded(() => (derShape(b), pkcs12Contents(b)))),
      { numRuns: RUNS },
    ));
  it('OpenSSH and dropbear keys', () =>
    fc.assert(
      fc.property(derish, (b) =>
        bounded(() => {
          parseDropbearKey(b);
          parseOpensshKey(Buffer.concat([Buffer.from('openssh-key-v1\0'), b]));
        }),
      ),
      { numRuns: RUNS },
    ));
  it('keyMaterial on text and bytes', () =>
    fc.assert(
      fc.property(pemish, derish, (t, b) =>
        bounded(() => {
          keyMaterial('/x', Buffer.from(t, 'latin1'), true);
          keyMaterial('/x', b, false, { dropbear: true });
        }),
      ),
      { numRuns: RUNS },
    ));
  it('password assignments and token patterns', () =>
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (t) =>
        bounded(() => {
          passwordAssignments(t);
          for (const rule of secretPatterns()) {
            rule.pattern.lastIndex = 0;
            t.match(rule.pattern);
          }
        }),
      ),
      { numRuns: RUNS },
    ));
  it('token patterns stay fast on long near-misses', () => {
    for (const s of ['AKIA'.repeat(20_000), 'A'.repeat(100_000), 'xoxb-'.repeat(20_000), 'AccountKey='.repeat(10_000) + 'a'.repeat(50_000)])
      bounded(() => secretPatterns().forEach((r) => s.match(r.pattern)));
  });
  it('redaction never shows more than 8 characters of a secret', () =>
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (s) => {
        const shown = redactSecret(s)
          .replace(/ \[redacted.*$/, '')
          .replace('…', '');
        assert.ok([...shown].filter((c) => c !== '*').length <= Math.min(8, Math.floor([...s].length / 2)));
      }),
      { numRuns: RUNS },
    ));
});

describe('secret-patterns.yaml', () => {
  it('loads, each rule compiling to a linear pattern', () => assert.ok(secretPatterns().length >= 6));
  it('refuses unbounded quantifiers and back-references', () => {
    assert.match(unboundedQuantifier('(a+)+b') ?? '', /unbounded/);
    assert.match(unboundedQuantifier('(x.*)') ?? '', /unbounded/);
    assert.match(unboundedQuantifier('(a{2,})') ?? '', /unbounded/);
    assert.match(unboundedQuantifier('(a)\\1') ?? '', /back-references/);
    assert.equal(unboundedQuantifier('(AKIA[A-Z2-7]{16})[+*]'), undefined);
    const bad =
      'rules:\n  - id: bad\n    title: Bad one\n    regex: "(a+)+$"\n    rationale: ten characters at least\n    source: nowhere\n    provisions: [5.4-3]\n    severity: low\n';
    assert.throws(() => loadSecretPatterns('/inline/bad.yaml', bad), InputError);
  });
});
