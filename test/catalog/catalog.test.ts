import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogEntries } from '../../src/catalog/entries.ts';
import { findProvision, formatStatus, loadEtsiCatalog, loadPstiCatalog, tableB1Provisions } from '../../src/catalog/load.ts';

// Pinned from Table B.1 of EN 303 645 V2.1.1; the readings chosen where public copies differ are in the catalog file.
const V2_TABLE =
  '5.1-1 M C (1), 5.1-2 M C (2), 5.1-3 M, 5.1-4 M C (8), 5.1-5 M C (5), 5.2-1 M, 5.2-2 R, 5.2-3 R, 5.3-1 R, 5.3-2 M C (5), ' +
  '5.3-3 M C (12), 5.3-4 R C (12), 5.3-5 R C (12), 5.3-6 R C (9, 12), 5.3-7 M C (12), 5.3-8 M C (12), 5.3-9 R C (12), ' +
  '5.3-10 M C (11, 12), 5.3-11 R C (12), 5.3-12 R C (12), 5.3-13 M, 5.3-14 R C (3, 4), 5.3-15 R C (3, 4), 5.3-16 M, 5.4-1 M, ' +
  '5.4-2 M C (10), 5.4-3 M, 5.4-4 M, 5.5-1 M, 5.5-2 R, 5.5-3 R, 5.5-4 R, 5.5-5 M, 5.5-6 R, 5.5-7 M, 5.5-8 M, 5.6-1 M, 5.6-2 M, ' +
  '5.6-3 R, 5.6-4 M C (13), 5.6-5 R, 5.6-6 R, 5.6-7 R, 5.6-8 R, 5.6-9 R, 5.7-1 R, 5.7-2 R, 5.8-1 R, 5.8-2 M, 5.8-3 M, 5.9-1 R, ' +
  '5.9-2 R, 5.9-3 R, 5.10-1 R C (6), 5.11-1 M, 5.11-2 R, 5.11-3 R, 5.11-4 R, 5.12-1 R, 5.12-2 R, 5.12-3 R, 5.13-1 M, 6-1 M, ' +
  '6-2 M C (7), 6-3 M, 6-4 R C (6), 6-5 M C (6)';

const V3_TABLE =
  '5.0-1 M, 5.1-1 M F (a), 5.1-2 M F (b), 5.1-2A R, 5.1-3 M F (c), 5.1-4 M F (d), 5.1-5 M C (14) F (e), 5.2-1 M, 5.2-2 R, ' +
  '5.2-3 R, 5.3-1 R F (f), 5.3-2 M C (15), 5.3-3 M F (g), 5.3-4A R F (g), 5.3-4B R F (h), 5.3-5 R F (g), 5.3-6A R F (h), ' +
  '5.3-6B R F (i), 5.3-7 M F (g), 5.3-8 M C (12), 5.3-9 R F (g), 5.3-10 M F (j), 5.3-11 R C (12), 5.3-12 R C (12), 5.3-13 M, ' +
  '5.3-14 R C (3), 5.3-15A R C (3), 5.3-15B R C (3), 5.3-16 M, 5.4-1 M F (k), 5.4-2 M F (l), 5.4-3 M, 5.4-4 M F (m), 5.5-1 M, ' +
  '5.5-2 R, 5.5-3 R, 5.5-4 R, 5.5-5 M F (n), 5.5-6 R F (o), 5.5-7 M F (o), 5.5-8 M C (16), 5.6-1 M F (p), 5.6-2 M, 5.6-3 R, ' +
  '5.6-4A M F (q), 5.6-4B R F (r), 5.6-5 R, 5.6-6 R, 5.6-7 R, 5.6-8 R, 5.6-9 R, 5.7-1 R, 5.7-2 R F (s), 5.8-1 R F (t), ' +
  '5.8-2 M F (u), 5.8-3 M F (v), 5.9-1 R, 5.9-2 R, 5.9-3 R, 5.10-1 R F (w), 5.11-1 M, 5.11-2 R F (x), 5.11-3 R, 5.11-4 R, ' +
  '5.12-1 R, 5.12-2 R, 5.12-3 R, 5.13-1A M, 5.13-1B M, 6-1 M, 6-2 M F (y), 6-3A M F (y), 6-3B M F (y), 6-4 R F (w), ' +
  '6-5 M F (w), 6-6 M F (z), 6-7 R F (aa), 6-8 R F (z)';

const table = (version: '2.1.1' | '3.1.3') =>
  tableB1Provisions(loadEtsiCatalog(version))
    .map((p) => `${p.id} ${formatStatus(p)}`)
    .join(', ');

const count = (version: '2.1.1' | '3.1.3') => {
  const counts: Record<string, number> = {};
  for (const p of tableB1Provisions(loadEtsiCatalog(version))) counts[p.status] = (counts[p.status] ?? 0) + 1;
  return counts;
};

describe('EN 303 645 V2.1.1', () => {
  it('has the 67 rows of Table B.1 with their statuses and conditions', () => {
    assert.equal(table('2.1.1'), V2_TABLE);
    assert.equal(tableB1Provisions(loadEtsiCatalog('2.1.1')).length, 67);
  });
  it('counts 19 M, 13 M C, 25 R and 10 R C', () => {
    assert.deepEqual(count('2.1.1'), { M: 19, 'M C': 13, R: 25, 'R C': 10 });
  });
  it('keeps 4-1 outside Table B.1', () => {
    const p = findProvision(loadEtsiCatalog('2.1.1'), '4-1');
    assert.equal(p?.inTableB1, false);
    assert.equal(p?.status, 'M');
  });
  it('has 13 numbered conditions with stable keys', () => {
    const keys = loadEtsiCatalog('2.1.1').conditions.map((c) => `${c.number}:${c.key}`);
    assert.deepEqual(keys, [
      '1:passwords-used',
      '2:preinstalled-passwords',
      '3:software-not-updatable',
      '4:constrained-device',
      '5:not-constrained-device',
      '6:telemetry-collected',
      '7:consent-based-processing',
      '8:user-authentication',
      '9:automatic-updates-or-notifications',
      '10:hardcoded-unique-identity',
      '11:updates-over-network',
      '12:update-mechanism',
      '13:physical-debug-interface',
    ]);
  });
  it('accepts 6.1-1 … 6.1-5 as aliases of 6-1 … 6-5', () => {
    const catalog = loadEtsiCatalog('2.1.1');
    for (let n = 1; n <= 5; n++) assert.equal(findProvision(catalog, `6.1-${n}`)?.id, `6-${n}`);
  });
  it('names TS 103 701 test cases for the provisions', () => {
    const catalog = loadEtsiCatalog('2.1.1');
    assert.deepEqual(findProvision(catalog, '5.1-1')?.testCases.slice(0, 1), ['5.1-1-1']);
    const all = catalog.provisions.flatMap((p) => p.testCases);
    assert.equal(all.length, 109, 'TS 103 701 V1.1.1 has 109 test cases');
    for (const p of catalog.provisions) for (const t of p.testCases) assert.ok(t.startsWith(`${p.id}-`), `${t} belongs to ${p.id}`);
  });
});

describe('EN 303 645 V3.1.3', () => {
  it('has the 78 rows of Table B.1', () => {
    assert.equal(table('3.1.3'), V3_TABLE);
    assert.equal(tableB1Provisions(loadEtsiCatalog('3.1.3')).length, 78);
  });
  it('has the new and split ids, and no un-split ones', () => {
    const catalog = loadEtsiCatalog('3.1.3');
    for (const id of ['5.0-1', '5.1-2A', '6-6', '6-7', '6-8']) assert.ok(findProvision(catalog, id), id);
    for (const id of ['5.3-4', '5.3-6', '5.3-15', '5.6-4', '5.13-1', '6-3']) {
      assert.ok(findProvision(catalog, `${id}A`) && findProvision(catalog, `${id}B`), `${id} is split`);
      assert.equal(
        catalog.provisions.find((p) => p.id === id),
        undefined,
        `${id} itself is not a row`,
      );
    }
  });
  it('has conditions 3, 12, 14, 15, 16 and features a to aa', () => {
    const catalog = loadEtsiCatalog('3.1.3');
    assert.deepEqual(
      catalog.conditions.map((c) => c.number),
      [3, 12, 14, 15, 16],
    );
    assert.deepEqual(
      catalog.features.map((f) => f.letter),
      [...'abcdefghijklmnopqrstuvwxyz', 'aa'],
    );
  });
});

describe('UK PSTI (SI 2023/1007)', () => {
  const psti = loadPstiCatalog();
  it('has the three Schedule 1 requirements with their Schedule 2 routes', () => {
    assert.deepEqual(
      psti.requirements.map((r) => r.id),
      ['psti-passwords', 'psti-security-issue-reporting', 'psti-support-period'],
    );
    const routes = Object.fromEntries(psti.requirements.map((r) => [r.key, r.deemedCompliance]));
    assert.deepEqual(routes.passwords?.[0]?.provisions, ['5.1-1']);
    assert.deepEqual(routes.passwords?.[0]?.provisionsWhereRelevant, ['5.1-2']);
    assert.deepEqual(routes['security-issue-reporting']?.[0]?.provisions, ['5.2-1']);
    assert.deepEqual(routes['security-issue-reporting']?.[1]?.paragraphs, ['6.2.2', '6.2.5', '6.5']);
    assert.deepEqual(routes['support-period']?.[0]?.provisions, ['5.3-13']);
  });
  it('lists the Schedule 4 statement fields', () => {
    const ids = psti.statementFields.map((f) => f.id);
    for (const id of [
      'product-type-and-batch',
      'manufacturer',
      'authorised-representative',
      'prepared-by-or-on-behalf',
      'declaration-of-compliance',
      'support-period',
      'signatory',
      'place-and-date-of-issue',
    ]) {
      assert.ok(ids.includes(id), id);
    }
  });
  it('lists Schedule 3 excepted products', () => {
    const ids = psti.exceptedProducts.map((e) => e.id);
    for (const id of ['northern-ireland-supply', 'ev-charge-points', 'medical-devices', 'smart-meters', 'computers'])
      assert.ok(ids.includes(id), id);
  });
});

describe('catalog entries', () => {
  it('give id, status, conditions and title for every entry', () => {
    for (const ref of ['etsi-en-303-645@2.1.1', 'etsi-en-303-645@3.1.3', 'uk-psti-2023']) {
      for (const e of catalogEntries(ref)) {
        assert.equal(typeof e.id, 'string');
        assert.equal(typeof e.status, 'string');
        assert.ok(Array.isArray(e.conditions));
        assert.ok(e.title.length > 2);
      }
    }
  });
  it("never carry long summaries that could be the standard's own text", () => {
    for (const version of ['2.1.1', '3.1.3'] as const) {
      for (const p of loadEtsiCatalog(version).provisions) assert.ok(p.summary.length <= 400, p.id);
    }
  });
});
