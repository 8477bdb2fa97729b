// Property-based fuzzing of every input parser: whatever bytes arrive, the answer is a result or an
// InputError, never a crash, and every rendering escapes what it is given.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { assess } from '../../src/assess/assess.ts';
import { readResultsFile } from '../../src/findings/read-results.ts';
import { InputError } from '../../src/io/input-error.ts';
import { loadProduct } from '../../src/product/load.ts';
import { renderCsv } from '../../src/report/csv.ts';
import { renderHtml } from '../../src/report/html.ts';
import { buildTableB1 } from '../../src/report/table-b1.ts';
import { parse as readCsv } from '../helpers/csv-read.ts';
import { conformantProductData, productFrom, tempDir } from '../helpers/product.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const dir = tempDir('baseline-fuzz-');
let counter = 0;

function onlyInputErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    assert.equal(error.message.includes('\n'), false, `multi-line error: ${error.message}`);
  }
}

function writeTemp(text: string, ext: string): string {
  const path = join(dir, `input-${counter++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

/** A valid product file with one value somewhere replaced by an arbitrary one. */
const mutatedProduct = fc.tuple(fc.nat(), fc.nat(), fc.jsonValue()).map(([sectionPick, keyPick, value]) => {
  const data = conformantProductData() as Record<string, unknown>;
  const sections = Object.keys(data);
  const section = sections[sectionPick % sections.length] as string;
  const inner = data[section];
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
    const keys = Object.keys(inner);
    const key = keys[keyPick % Math.max(keys.length, 1)] ?? 'x';
    (inner as Record<string, unknown>)[key] = value;
  } else data[section] = value;
  return stringify(data);
});

describe('fuzzing', () => {
  it('the product file loader answers arbitrary text with a result or a one-line input error', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => onlyInputErrors(() => loadProduct(writeTemp(text, 'yaml')))),
      { numRuns: RUNS },
    );
  });

  it('the product file loader and assessment survive any single mutated value', () => {
    fc.assert(
      fc.property(mutatedProduct, (text) => onlyInputErrors(() => assess(loadProduct(writeTemp(text, 'yaml')), { asOf: '2026-11-22' }))),
      { numRuns: RUNS },
    );
  });

  it('the results reader answers arbitrary JSON with a result or a one-line input error', () => {
    const finding = fc.record({
      check: fc.oneof(fc.constant('firmware/x'), fc.string()),
      provisions: fc.oneof(fc.constant(['5.1-1']), fc.array(fc.string())),
      severity: fc.oneof(fc.constant('high'), fc.string()),
      location: fc.oneof(fc.constant({ path: '/etc/shadow' }), fc.jsonValue()),
      message: fc.string(),
    });
    const results = fc.record({
      tool: fc.string(),
      version: fc.string(),
      target: fc.string(),
      findings: fc.array(finding, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.oneof(results, fc.jsonValue()), (value) => {
        const path = writeTemp(JSON.stringify(value) ?? 'null', 'json');
        onlyInputErrors(() => {
          readResultsFile(path);
          assess(productFrom(conformantProductData()), { asOf: '2026-11-22', evidence: [path] });
        });
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('HTML escapes and CSV round-trips any detail text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), (detail) => {
        fc.pre(detail.trim().length > 0);
        const data = conformantProductData();
        (data.provisions as Record<string, unknown>)['5.2-1'] = { support: 'Y', detail };
        const doc = buildTableB1(assess(productFrom(data), { asOf: '2026-11-22' }));
        const html = renderHtml(doc, 'fuzz');
        if (detail.includes('<')) assert.equal(html.includes(detail.trim()), false);
        const row = readCsv(renderCsv(doc)).find((r) => r[0] === '5.2-1');
        const expected = /^[=+\-@\t\r]/.test(detail.trim()) ? `'${detail.trim()}` : detail.trim();
        assert.equal(row?.[6], expected);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
