// A product assessed against EN 303 645 V3.1.3: lettered features, new conditions, split provisions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applicability } from '../../src/assess/applicability.ts';
import { assess } from '../../src/assess/assess.ts';
import { loadEtsiCatalog } from '../../src/catalog/load.ts';
import { buildStatement } from '../../src/report/statement.ts';
import { conformantProductData, productFrom, writeResults } from '../helpers/product.ts';

const catalog = loadEtsiCatalog('3.1.3');
const conditions = {
  'software-not-updatable': false,
  'update-mechanism': true,
  'no-constraint-brute-force-protection': true,
  'no-constraint-update-mechanism': true,
  'critical-security-parameters-exist': true,
};
// A product with every feature except physical debug ports and sensitive data.
const features = Object.fromEntries(
  catalog.features.map((f) => [f.key, !['physical-debug-ports', 'sensitive-personal-data-to-services'].includes(f.key)]),
);

function v3Product(): Record<string, unknown> {
  const numbers = new Map(catalog.conditions.map((c) => [c.number, conditions[c.key as keyof typeof conditions]]));
  const letters = new Map(catalog.features.map((f) => [f.letter, features[f.key] as boolean]));
  const provisions: Record<string, unknown> = {};
  for (const p of catalog.provisions) {
    if (applicability(p, { catalog, conditions: numbers, features: letters }).applies === true) {
      provisions[p.id] = { support: 'Y', detail: `How ${p.id} is met.` };
    }
  }
  return { ...conformantProductData(), standard: { id: 'etsi-en-303-645', version: '3.1.3' }, conditions, features, provisions };
}

describe('EN 303 645 V3.1.3 assessment', () => {
  it('passes a complete product and judges 5.0-1 from the whole statement', () => {
    const a = assess(productFrom(v3Product()), { asOf: '2026-11-22' });
    assert.equal(a.standard.version, '3.1.3');
    assert.equal(a.overall.verdict, 'PASS');
    assert.equal(a.provisions.find((p) => p.id === '5.0-1')?.verdict, 'PASS');
    assert.equal(a.provisions.filter((p) => p.inTableB1).length, 78);
  });

  it('rules out a provision whose feature the product lacks', () => {
    const a = assess(productFrom(v3Product()), { asOf: '2026-11-22' });
    const p = a.provisions.find((x) => x.id === '5.6-4B');
    assert.equal(p?.verdict, 'NOT APPLICABLE');
    assert.match(p?.reasons[0] ?? '', /lacks feature r \(physical-debug-ports: false\)/);
  });

  it('accepts a feature by its letter', () => {
    const data = v3Product();
    data.features = { ...features, r: true };
    delete (data.features as Record<string, unknown>)['physical-debug-ports'];
    const a = assess(productFrom(data), { asOf: '2026-11-22' });
    assert.equal(a.provisions.find((x) => x.id === '5.6-4B')?.verdict, 'NOT ASSESSED');
  });

  it('maps a V2.1.1 id in a finding onto both halves of a split provision', () => {
    const results = writeResults([
      {
        check: 'config/x',
        provisions: ['5.6-4'],
        severity: 'high',
        location: { path: 'config.txt', line: 3 },
        message: 'UART console enabled',
      },
    ]);
    const a = assess(productFrom(v3Product()), { asOf: '2026-11-22', evidence: [results] });
    assert.equal(a.provisions.find((x) => x.id === '5.6-4A')?.verdict, 'FAIL');
    assert.equal(a.provisions.find((x) => x.id === '5.6-4B')?.verdict, 'FAIL', 'the finding contradicts the feature answer');
  });

  it('declares compliance directly in the statement, since Schedule 2 cites V2.1.1', () => {
    const doc = buildStatement(assess(productFrom(v3Product()), { asOf: '2026-11-22' }));
    const fields = (doc.data as { fields: Record<string, string> }).fields;
    assert.match(
      fields['deemed-compliance-standard'] ?? '',
      /^Not claimed: the product was assessed against ETSI EN 303 645 V3\.1\.3 \(2024-09\)/,
    );
  });

  it('names an unknown feature with a suggestion', () => {
    const data = v3Product();
    data.features = { ...features, 'debug-interface': true };
    assert.throws(
      () => productFrom(data),
      /features\.debug-interface: unknown feature "debug-interface"; did you mean "debug-interfaces"\?/,
    );
  });
});
