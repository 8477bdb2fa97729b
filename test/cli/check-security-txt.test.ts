// `baseline check security-txt` as a user runs it: problems as FILE:LINE: message, the shared findings
// format, exit codes, and one-line errors for input it cannot read.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resultsSchema } from '../../src/findings/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { conformantProductData, tempDir, writeProduct } from '../helpers/product.ts';

const fixture = (name: string) => new URL(`../fixtures/security-txt/${name}`, import.meta.url).pathname;
const AS_OF = ['--as-of', '2026-11-01'];

describe('baseline check security-txt', () => {
  it('exits 0 on a valid file and says what it checked', () => {
    const r = runCli(['check', 'security-txt', fixture('valid.txt'), ...AS_OF]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const file = fixture('valid.txt');
    assert.ok(r.stdout.startsWith(`${file}: security.txt, 8 fields\n`), r.stdout);
    assert.ok(r.stdout.includes(`${file}:6: expires 2027-03-31T23:59:59Z, in 151 days [OK disclosure/security-txt/expires]`), r.stdout);
    assert.ok(r.stdout.includes(`${file}:2: acknowledgement timescale: "5 working days"`), r.stdout);
    assert.match(r.stdout, /^0 failing, 7 ok, 0 not applicable, 2 informational$/m);
  });

  it('lists each problem as FILE:LINE: message and exits 1', () => {
    const file = fixture('problems.txt');
    const r = runCli(['check', 'security-txt', file, ...AS_OF]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    for (const expected of [
      `${file}:2: Contact "http://test.example/report" uses http: web URIs must begin with "https://" [FAIL high disclosure/security-txt/contact]`,
      `${file}:3: Contact "security@test.example" is not a URI: write "mailto:security@test.example" [FAIL high disclosure/security-txt/contact]`,
      `${file}:4: expired on 2026-01-01T00:00:00Z (304 days before 2026-11-01T00:00:00Z): reporters must not trust it [FAIL medium disclosure/security-txt/expires]`,
      `${file}:5: Expires appears again (first on line 4): RFC 9116 allows it once [FAIL medium disclosure/security-txt/expires]`,
      `${file}:6: field "Acknowledgements" is not defined by RFC 9116; did you mean "Acknowledgments"? [INFO disclosure/security-txt/unknown-field]`,
      `${file}:9: neither a field ("Name: value") nor a comment ("# ...") [FAIL low disclosure/security-txt/syntax]`,
    ]) {
      assert.ok(r.stdout.split('\n').includes(expected), `missing line:\n${expected}\nin:\n${r.stdout}`);
    }
  });

  it('reads the timescales from --policy and compares them with the product file', () => {
    const product = writeProduct(conformantProductData());
    const ok = runCli([
      'check',
      'security-txt',
      fixture('no-timescales.txt'),
      '--policy',
      fixture('policy.html'),
      '--product',
      product,
      ...AS_OF,
    ]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.ok(ok.stdout.includes(`${fixture('policy.html')}:10: acknowledgement timescale: "5 working days"`), ok.stdout);
    assert.ok(ok.stdout.includes(', as the product file says [OK disclosure/policy/acknowledgement-timescale]'), ok.stdout);

    const slower = runCli([
      'check',
      'security-txt',
      fixture('no-timescales.txt'),
      '--policy',
      fixture('policy-slower.txt'),
      '--product',
      product,
      ...AS_OF,
    ]);
    assert.equal(slower.status, 1, slower.stdout);
    assert.ok(
      slower.stdout.includes(`${fixture('policy-slower.txt')}:4: the published acknowledgement timescale "10 working days"`) &&
        slower.stdout.includes(`differs from the product file's acknowledgement "within 5 working days" [FAIL medium`),
      slower.stdout,
    );
    // The difference is medium: a high threshold lets it through.
    const high = runCli([
      'check',
      'security-txt',
      fixture('no-timescales.txt'),
      '--policy',
      fixture('policy-slower.txt'),
      '--product',
      product,
      ...AS_OF,
      '--fail-on',
      'high',
    ]);
    assert.equal(high.status, 0, high.stdout);
  });

  it('fails a file without timescales, pointing at the policy it names', () => {
    const r = runCli(['check', 'security-txt', fixture('no-timescales.txt'), ...AS_OF]);
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /no acknowledgement timescale found in .*no-timescales\.txt; not read: https:\/\/test\.example\/security\/disclosure-policy \(save it and pass it with --policy\)/,
    );
  });

  it('writes the shared findings format with --json, and assess reads it', () => {
    const dir = tempDir();
    const out = join(dir, 'security-txt.json');
    const r = runCli(['check', 'security-txt', fixture('problems.txt'), ...AS_OF, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const results = resultsSchema.parse(JSON.parse(r.stdout));
    writeFileSync(out, r.stdout);
    assert.equal(results.format, 'baseline-findings/1');
    assert.equal(results.tool, 'baseline-check-security-txt');
    const http = results.findings.find((f) => f.check === 'disclosure/security-txt/contact' && f.result === 'fail');
    assert.deepEqual(http?.location, { path: fixture('problems.txt'), line: 2 });
    assert.deepEqual(http?.provisions, ['5.2-1']);
    assert.equal(http?.severity, 'high');

    const assess = runCli(['assess', writeProduct(conformantProductData(), dir), '--evidence', out, '--json']);
    const verdict = JSON.parse(assess.stdout).provisions.find((p: { id: string }) => p.id === '5.2-1');
    assert.equal(verdict.verdict, 'FAIL');
  });

  it('writes SARIF with one result per failure, at its line', () => {
    const r = runCli(['check', 'security-txt', fixture('problems.txt'), ...AS_OF, '--sarif']);
    assert.equal(r.status, 1);
    const sarif = JSON.parse(r.stdout);
    const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { region?: { startLine: number } } }[] }[];
    assert.equal(results.length, 9);
    const contact = results.find((x) => x.ruleId === 'disclosure/security-txt/contact');
    assert.equal(contact?.locations[0]?.physicalLocation.region?.startLine, 2);
  });

  it('turns unreadable input into one line and exit 2', () => {
    const dir = tempDir();
    const missing = runCli(['check', 'security-txt', join(dir, 'nope.txt')]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, `baseline: ${join(dir, 'nope.txt')}: no such file\n`);
    assert.equal(missing.stdout, '');

    const latin1 = join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from('Contact: mailto:s\xe9curit\xe9@test.example\n', 'latin1'));
    const notUtf8 = runCli(['check', 'security-txt', latin1]);
    assert.equal(notUtf8.status, 2);
    assert.equal(notUtf8.stderr, `baseline: ${latin1}:1: not UTF-8 text (byte 0xe9 at offset 17); a security.txt must be UTF-8\n`);

    const badDate = runCli(['check', 'security-txt', fixture('valid.txt'), '--as-of', '1 Nov 2026']);
    assert.equal(badDate.status, 2);
    assert.equal(badDate.stderr, 'baseline: --as-of: expected a date written YYYY-MM-DD, got "1 Nov 2026"\n');

    const badPolicy = runCli(['check', 'security-txt', fixture('valid.txt'), '--policy', join(dir, 'policy.html')]);
    assert.equal(badPolicy.status, 2);
    assert.match(badPolicy.stderr, /^baseline: .*policy\.html: no such file\n$/);
  });

  it('shows usage with examples', () => {
    const r = runCli(['check', 'security-txt', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: baseline check security-txt \[options\] <file>/);
    assert.match(r.stdout, /--policy <file>/);
    assert.match(r.stdout, /baseline check security-txt security\.txt --as-of 2026-11-01 --json/);
  });
});
