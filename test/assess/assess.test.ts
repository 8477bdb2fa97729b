import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assess } from '../../src/assess/assess.ts';
import { InputError } from '../../src/io/input-error.ts';
import { loadProduct } from '../../src/product/load.ts';
import { conformantProductData, LINUX_DEVICE_CONDITIONS, productFrom, tempDir, writeProduct, writeResults } from '../helpers/product.ts';

const AS_OF = '2026-11-22';
const verdictOf = (a: ReturnType<typeof assess>, id: string) => a.provisions.find((p) => p.id === id);

const universalPassword = {
  check: 'firmware/universal-password',
  title: 'Login-capable account with a password baked into the image',
  provisions: ['5.1-1'],
  severity: 'high',
  location: { path: '/etc/shadow', line: 1 },
  message: 'root has a password hash that every unit shares',
  evidence: 'root:$6$…:19000:0:99999:7:::',
};

describe('assessment', () => {
  it('passes a complete, conformant product', () => {
    const a = assess(productFrom(conformantProductData()), { asOf: AS_OF });
    assert.equal(a.overall.verdict, 'PASS');
    assert.equal(a.psti.verdict, 'PASS');
    assert.equal(a.conformant, true);
    assert.equal(verdictOf(a, '4-1')?.verdict, 'PASS');
  });

  it('marks a provision whose condition does not hold NOT APPLICABLE, with the reason', () => {
    const a = assess(productFrom(conformantProductData()), { asOf: AS_OF });
    const p = verdictOf(a, '5.6-4');
    assert.equal(p?.verdict, 'NOT APPLICABLE');
    assert.match(p?.reasons[0] ?? '', /condition 13 does not hold \(physical-debug-interface: false\)/);
  });

  it('leaves a provision without a claim NOT ASSESSED', () => {
    const data = conformantProductData();
    delete (data.provisions as Record<string, unknown>)['5.5-1'];
    const a = assess(productFrom(data), { asOf: AS_OF });
    assert.equal(verdictOf(a, '5.5-1')?.verdict, 'NOT ASSESSED');
    assert.equal(a.overall.verdict, 'NOT ASSESSED');
    assert.equal(a.conformant, false);
  });

  it('leaves a conditional provision NOT ASSESSED while its condition is unanswered', () => {
    const { 'telemetry-collected': _, ...conditions } = LINUX_DEVICE_CONDITIONS;
    const a = assess(productFrom(conformantProductData(conditions)), { asOf: AS_OF });
    const p = verdictOf(a, '5.10-1');
    assert.equal(p?.verdict, 'NOT ASSESSED');
    assert.match(p?.reasons[0] ?? '', /answer condition 6 \(telemetry-collected\)/);
  });

  it('fails a Y claim that a finding contradicts, citing the finding', () => {
    const product = productFrom(conformantProductData());
    const a = assess(product, { asOf: AS_OF, evidence: [writeResults([universalPassword])] });
    const p = verdictOf(a, '5.1-1');
    assert.equal(p?.verdict, 'FAIL');
    assert.match(p?.reasons.join('\n') ?? '', /firmware\/universal-password at \/etc\/shadow:1: root has a password hash/);
    assert.equal(a.psti.requirements.find((r) => r.key === 'passwords')?.verdict, 'FAIL');
    assert.equal(a.conformant, false);
  });

  it('fails a provision the maker ruled out when the evidence shows it applies', () => {
    const data = conformantProductData({ ...LINUX_DEVICE_CONDITIONS, 'passwords-used': false });
    delete (data.provisions as Record<string, unknown>)['5.1-1'];
    const a = assess(productFrom(data), { asOf: AS_OF, evidence: [writeResults([universalPassword])] });
    const p = verdictOf(a, '5.1-1');
    assert.equal(p?.verdict, 'FAIL');
    assert.match(p?.reasons[0] ?? '', /evidence contradicts the product file: condition 1 does not hold/);
  });

  it('shows a waived finding as waived until the waiver expires', () => {
    const data = {
      ...conformantProductData(),
      waivers: [
        {
          check: 'firmware/universal-password',
          location: '/etc/shadow',
          justification: 'Lab image only; production image locks root.',
          expires: '2027-01-31',
        },
      ],
    };
    const results = writeResults([universalPassword]);
    const before = verdictOf(assess(productFrom(data), { asOf: '2027-01-31', evidence: [results] }), '5.1-1');
    assert.equal(before?.verdict, 'PASS');
    assert.match(before?.reasons.join('\n') ?? '', /waived until 2027-01-31/);
    const after = verdictOf(assess(productFrom(data), { asOf: '2027-02-01', evidence: [results] }), '5.1-1');
    assert.equal(after?.verdict, 'FAIL');
    assert.match(after?.reasons.join('\n') ?? '', /waiver expired on 2027-01-31/);
  });

  it('does not waive a finding at another location', () => {
    const data = {
      ...conformantProductData(),
      waivers: [
        {
          check: 'firmware/universal-password',
          location: '/etc/htpasswd',
          justification: 'Only the lab password file.',
          expires: '2030-01-01',
        },
      ],
    };
    const a = assess(productFrom(data), { asOf: AS_OF, evidence: [writeResults([universalPassword])] });
    assert.equal(verdictOf(a, '5.1-1')?.verdict, 'FAIL');
  });

  it('counts a passing check as evidence for a Y claim', () => {
    const pass = {
      ...universalPassword,
      check: 'firmware/accounts',
      result: 'pass',
      severity: 'info',
      message: 'no account has a usable password',
    };
    const a = assess(productFrom(conformantProductData()), { asOf: AS_OF, evidence: [writeResults([pass])] });
    assert.equal(verdictOf(a, '5.1-1')?.basis, 'evidenced');
    assert.equal(verdictOf(a, '5.1-3')?.basis, 'declared');
  });

  it('reads scan evidence the product file cites', () => {
    const dir = tempDir();
    writeResults([universalPassword], dir, 'scan.json');
    const data = conformantProductData();
    (data.provisions as Record<string, unknown>)['5.1-1'] = {
      support: 'Y',
      detail: 'Unique passwords.',
      evidence: [{ scan: 'scan.json' }],
    };
    const a = assess(loadProduct(writeProduct(data, dir)), { asOf: AS_OF });
    assert.equal(verdictOf(a, '5.1-1')?.verdict, 'FAIL');
  });

  it('keeps a Y claim citing a missing file NOT ASSESSED', () => {
    const data = conformantProductData();
    (data.provisions as Record<string, unknown>)['5.2-1'] = { support: 'Y', detail: 'Policy.', evidence: [{ file: 'docs/missing.md' }] };
    const p = verdictOf(assess(productFrom(data), { asOf: AS_OF }), '5.2-1');
    assert.equal(p?.verdict, 'NOT ASSESSED');
    assert.match(p?.reasons.join('\n') ?? '', /cited evidence file docs\/missing\.md does not exist/);
  });

  it('passes a justified N on a recommendation and fails 4-1 for an unjustified one', () => {
    const data = conformantProductData();
    const provisions = data.provisions as Record<string, unknown>;
    provisions['5.5-2'] = { support: 'N', detail: 'The TLS stack in use has not been evaluated.' };
    const justified = assess(productFrom(data), { asOf: AS_OF });
    assert.equal(verdictOf(justified, '5.5-2')?.verdict, 'PASS');
    assert.equal(verdictOf(justified, '5.5-2')?.basis, 'justified-deviation');
    provisions['5.5-2'] = { support: 'N' };
    const unjustified = assess(productFrom(data), { asOf: AS_OF });
    assert.equal(verdictOf(unjustified, '5.5-2')?.verdict, 'FAIL');
    assert.equal(verdictOf(unjustified, '4-1')?.verdict, 'FAIL');
    assert.match(verdictOf(unjustified, '4-1')?.reasons[0] ?? '', /5\.5-2 \(N\)/);
  });

  it('gives clause and overall verdicts from the worst provision', () => {
    const data = conformantProductData();
    (data.provisions as Record<string, unknown>)['5.2-1'] = { support: 'N', detail: 'Not yet.' };
    const a = assess(productFrom(data), { asOf: AS_OF });
    assert.equal(a.clauses.find((c) => c.number === '5.2')?.verdict, 'FAIL');
    assert.equal(a.clauses.find((c) => c.number === '5.1')?.verdict, 'PASS');
    assert.equal(a.overall.verdict, 'FAIL');
  });

  it('rejects findings that cite an unknown provision, naming the file and finding', () => {
    const results = writeResults([{ ...universalPassword, provisions: ['5.1-7'] }]);
    assert.throws(
      () => assess(productFrom(conformantProductData()), { asOf: AS_OF, evidence: [results] }),
      (e: unknown) => e instanceof InputError && /results\.json: findings\.0\.provisions: unknown provision "5\.1-7"/.test(e.message),
    );
  });

  it('rejects a malformed results file with the line of the problem', () => {
    const dir = tempDir();
    const path = `${dir}/bad.json`;
    writeFileSync(
      path,
      '{\n  "tool": "x",\n  "version": "1",\n  "target": "t",\n  "findings": [\n    {"check": "a/b", "provisions": ["5.1-1"], "severity": "severe", "location": {"path": "/x"}, "message": "m"}\n  ]\n}\n',
    );
    assert.throws(
      () => assess(productFrom(conformantProductData()), { asOf: AS_OF, evidence: [path] }),
      (e: unknown) =>
        e instanceof InputError &&
        /bad\.json:6:\d+: findings\.0\.severity: expected critical, high, medium, low or info, got "severe"/.test(e.message),
    );
  });
});

describe('PSTI verdicts', () => {
  const psti = (data: Record<string, unknown>) => assess(productFrom(data), { asOf: AS_OF }).psti;

  it('names the deemed-compliance route used for each requirement', () => {
    const routes = psti(conformantProductData()).requirements.map((r) => `${r.key}: ${r.verdict}: ${r.route}`);
    assert.deepEqual(routes, [
      'passwords: PASS: ETSI EN 303 645 V2.1.1 (2020-06) provisions 5.1-1 and 5.1-2',
      'security-issue-reporting: PASS: ETSI EN 303 645 V2.1.1 (2020-06) provision 5.2-1',
      'support-period: PASS: ETSI EN 303 645 V2.1.1 (2020-06) provision 5.3-13',
    ]);
  });

  it('leaves out 5.1-2 when no password is pre-installed', () => {
    const data = conformantProductData({ ...LINUX_DEVICE_CONDITIONS, 'preinstalled-passwords': false });
    delete (data.provisions as Record<string, unknown>)['5.1-2'];
    assert.equal(psti(data).requirements[0]?.route, 'ETSI EN 303 645 V2.1.1 (2020-06) provision 5.1-1');
  });

  it('needs no password route when the product uses no passwords', () => {
    const data = conformantProductData({ ...LINUX_DEVICE_CONDITIONS, 'passwords-used': false, 'preinstalled-passwords': false });
    const p = psti(data).requirements[0];
    assert.equal(p?.verdict, 'NOT APPLICABLE');
  });

  it('fails reporting when the timescales are missing', () => {
    const data = conformantProductData();
    data.vulnerabilityDisclosure = { contact: 'security@test.example' };
    const r = psti(data).requirements[1];
    assert.equal(r?.verdict, 'FAIL');
    assert.match(r?.reasons.join('\n') ?? '', /acknowledgement[\s\S]*statusUpdates/);
  });

  it('accepts the ISO/IEC 29147 route for reporting', () => {
    const data = conformantProductData();
    (data.vulnerabilityDisclosure as Record<string, unknown>).route = 'iso-iec-29147';
    const r = psti(data).requirements[1];
    assert.equal(r?.verdict, 'PASS');
    assert.equal(r?.route, 'ISO/IEC 29147 paragraphs 6.2.2, 6.2.5, 6.5');
  });

  it('fails a support period that was shortened', () => {
    const data = conformantProductData();
    data.supportPeriod = { endDate: '2029-12-31', publishedAt: 'https://test.example/support', previousEndDates: ['2030-06-30'] };
    const r = psti(data).requirements[2];
    assert.equal(r?.verdict, 'FAIL');
    assert.match(r?.reasons[0] ?? '', /shortened/);
  });

  it('fails when there is no defined support period', () => {
    const data = conformantProductData();
    delete data.supportPeriod;
    assert.equal(psti(data).requirements[2]?.verdict, 'FAIL');
  });

  it('marks an excepted product NOT APPLICABLE with the Schedule 3 reason', () => {
    const result = psti({ ...conformantProductData(), psti: { excepted: 'smart-meters' } });
    assert.equal(result.verdict, 'NOT APPLICABLE');
    assert.match(result.requirements[0]?.reasons[0] ?? '', /Schedule 3/);
  });
});
