// Reading a disclosure policy for the PSTI's two timescales, and the checks that judge them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCheck } from '../../../../src/scan/check.ts';
import { POLICY_CHECKS, type PolicySubject } from '../../../../src/scan/device/disclosure/policy-checks.ts';
import {
  findTimescales,
  htmlToLines,
  parseTimescale,
  policyLines,
  sameTimescale,
} from '../../../../src/scan/device/disclosure/policy-timescales.ts';

const lines = (text: string) => text.split('\n').map((t, i) => ({ line: i + 1, text: t }));

describe('finding timescales in policy prose', () => {
  const table: { text: string; acknowledgement?: string; statusUpdates?: string }[] = [
    { text: 'We will acknowledge receipt of your report within 5 working days.', acknowledgement: '5 working days' },
    { text: 'You will receive an acknowledgement within 48 hours.', acknowledgement: '48 hours' },
    { text: 'Within two (2) business days we confirm receipt of the report.', acknowledgement: 'two (2) business days' },
    { text: 'Our first response comes within 3 days.', acknowledgement: '3 days' },
    { text: 'We send status updates every 30 days until the issue is resolved.', statusUpdates: 'every 30 days' },
    { text: 'We will keep you informed of progress at least once a month.', statusUpdates: 'at least once a month' },
    { text: 'Expect progress updates fortnightly.', statusUpdates: 'fortnightly' },
    {
      text: 'We acknowledge reports within 3 working days and provide status updates every 14 days.',
      acknowledgement: '3 working days',
      statusUpdates: 'every 14 days',
    },
    { text: 'We acknowledge\nevery report within\n10 days.', acknowledgement: '10 days' },
    // Words that look alike but set no timescale for the reporter.
    { text: 'We provide security updates for 5 years after the product is sold.' },
    { text: 'We acknowledge researchers in our hall of fame.' },
    { text: 'Status updates are sent when we have news. We fix issues within 90 days' },
  ];
  for (const row of table) {
    it(row.text.replace(/\n/g, ' '), () => {
      const found = findTimescales(lines(row.text));
      assert.equal(found.acknowledgement?.timescale.text, row.acknowledgement);
      assert.equal(found.statusUpdates?.timescale.text, row.statusUpdates);
    });
  }

  it('gives the line a wrapped sentence starts on', () => {
    const found = findTimescales(lines('Policy\n\nReports are welcome. We will\nacknowledge them within 5 days.'));
    assert.equal(found.acknowledgement?.line, 3);
    assert.equal(found.acknowledgement?.sentence, 'We will acknowledge them within 5 days.');
  });

  it('reads HTML as prose with the page’s own line numbers, skipping scripts', () => {
    const html = readFileSync(new URL('../../../fixtures/security-txt/policy.html', import.meta.url), 'utf8');
    const found = findTimescales(policyLines(html));
    assert.equal(found.acknowledgement?.line, 10);
    assert.equal(found.statusUpdates?.line, 12);
    assert.equal(findTimescales(htmlToLines('<p>x</p><script>\n"acknowledge within 1 day"\n</script>')).acknowledgement, undefined);
  });

  it('compares claims in other words', () => {
    const same = (a: string, b: string) => sameTimescale(parseTimescale(a)!, parseTimescale(b)!);
    assert.ok(same('within 48 hours', 'two days'));
    assert.ok(same('every 30 days', 'monthly'));
    assert.ok(same('5 working days', 'five business days'));
    assert.ok(!same('5 working days', '5 days'));
    assert.ok(!same('every 14 days', 'every 30 days'));
  });
});

describe('policy timescale checks', () => {
  const subject = (text: string, claims: PolicySubject['claims'] = {}): PolicySubject => ({
    texts: [{ name: 'policy.txt', place: { path: 'policy.txt' }, lines: lines(text) }],
    claims,
    unread: [],
    place: { path: 'policy.txt' },
    placeName: 'policy.txt',
  });
  const run = (s: PolicySubject) => POLICY_CHECKS.flatMap((c) => runCheck(c, s));

  it('passes both, quoting the sentence and its line', () => {
    const findings = run(subject('Intro.\nWe acknowledge reports within 5 working days.\nStatus updates follow every 30 days.'));
    assert.deepEqual(
      findings.map((f) => [f.check, f.result, f.location.line]),
      [
        ['disclosure/policy/acknowledgement-timescale', 'pass', 2],
        ['disclosure/policy/status-update-timescale', 'pass', 3],
      ],
    );
    assert.match(findings[0]?.message ?? '', /"5 working days" \("We acknowledge reports within 5 working days\."\)/);
    assert.equal(findings[0]?.evidence, 'We acknowledge reports within 5 working days.');
  });

  it('fails each missing timescale at high severity, saying what was not read', () => {
    const s = subject('Send reports to security@test.example.', { acknowledgement: 'within 5 working days' });
    s.unread.push({ name: 'https://test.example/policy', reason: 'HTTP 404' });
    const findings = run(s);
    assert.deepEqual(
      findings.map((f) => [f.check, f.result, f.severity]),
      [
        ['disclosure/policy/acknowledgement-timescale', 'fail', 'high'],
        ['disclosure/policy/status-update-timescale', 'fail', 'high'],
      ],
    );
    assert.match(
      findings[0]?.message ?? '',
      /^no acknowledgement timescale found in policy\.txt; not read: https:\/\/test\.example\/policy \(HTTP 404\); the product file says "within 5 working days", but the published policy has to say it/,
    );
  });

  it('fails at medium severity when the published timescale differs from the product file', () => {
    const findings = run(
      subject('We acknowledge reports within 10 working days. Status updates monthly.', {
        acknowledgement: 'within 5 working days',
        statusUpdates: 'every 30 days',
      }),
    );
    const [ack, status] = findings;
    assert.equal(ack?.result, 'fail');
    assert.equal(ack?.severity, 'medium');
    assert.match(ack?.message ?? '', /"10 working days" .* differs from the product file's acknowledgement "within 5 working days"/);
    assert.equal(status?.result, 'pass');
    assert.match(status?.message ?? '', /as the product file says$/);
  });

  it('names the URL and line when the policy was fetched', () => {
    const s: PolicySubject = {
      texts: [
        {
          name: 'http://127.0.0.1:8080/policy',
          place: { host: '127.0.0.1', port: 8080 },
          lines: lines('Policy.\nWe acknowledge within 2 days.'),
        },
      ],
      claims: {},
      unread: [],
      place: { host: '127.0.0.1', port: 8080 },
      placeName: 'http://127.0.0.1:8080/policy',
    };
    const [ack, status] = run(s);
    assert.deepEqual(ack?.location, { host: '127.0.0.1', port: 8080 });
    assert.match(ack?.message ?? '', /^http:\/\/127\.0\.0\.1:8080\/policy line 2: acknowledgement timescale/);
    assert.match(status?.message ?? '', /^http:\/\/127\.0\.0\.1:8080\/policy: no status-update timescale found/);
  });
});
