import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { InputError } from '../../src/io/input-error.ts';
import { loadProduct } from '../../src/product/load.ts';
import { conformantProductData, LINUX_DEVICE_CONDITIONS, writeProduct } from '../helpers/product.ts';

function errorFor(text: string | Record<string, unknown>): string {
  const path = writeProduct(typeof text === 'string' ? text : stringify(text));
  try {
    loadProduct(path);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${error}`);
    return error.message.replace(path, 'FILE');
  }
  assert.fail('the product file was accepted');
}

describe('product file', () => {
  it('loads a complete file and derives the negated condition', () => {
    const product = loadProduct(writeProduct(conformantProductData()));
    assert.equal(product.catalog.version, '2.1.1');
    assert.equal(product.conditions.get(4), false);
    assert.equal(product.conditions.get(5), true, 'not-constrained-device follows from constrained-device: false');
    assert.equal(product.claims.get('5.1-1')?.support, 'Y');
  });

  it('reports a YAML syntax error with file:line:column', () => {
    assert.match(errorFor('product:\n  name: "unterminated\nmanufacturer: x\n'), /^FILE:\d+:\d+: YAML syntax error: /);
  });

  it('reports a schema violation at the line of the field, naming the field and the value', () => {
    const text = stringify(conformantProductData()).replace(/(5\.1-1:\n\s+support:) Y/, '$1 "yes"');
    const line = text.split('\n').findIndex((l) => l.includes('support: "yes"')) + 1;
    const message = errorFor(text);
    assert.equal(message, `FILE:${line}:14: provisions.5.1-1.support: expected Y, N or N/A, got "yes"`);
  });

  it('suggests the nearest provision id for an unknown one', () => {
    const data = conformantProductData();
    (data.provisions as Record<string, unknown>)['5.1-9'] = { support: 'Y', detail: 'x' };
    assert.match(errorFor(data), /provisions\.5\.1-9: unknown provision "5\.1-9" in EN 303 645 V2\.1\.1; did you mean "5\.1-\d"\?$/);
  });

  it('accepts the 6.1-x alias but not the same provision twice', () => {
    const data = conformantProductData();
    const provisions = data.provisions as Record<string, unknown>;
    provisions['6.1-1'] = provisions['6-1'];
    delete provisions['6-1'];
    assert.equal(loadProduct(writeProduct(data)).claims.has('6-1'), true);
    provisions['6-1'] = provisions['6.1-1'];
    assert.match(errorFor(data), /claims provision 6-1 a second time/);
  });

  it('suggests the nearest condition key for an unknown one', () => {
    const data = conformantProductData({ ...LINUX_DEVICE_CONDITIONS, telemetry: true });
    assert.match(
      errorFor(data),
      /conditions\.telemetry: unknown condition "telemetry" in EN 303 645 V2\.1\.1; did you mean "telemetry-collected"\?/,
    );
  });

  it('rejects conditions that contradict each other', () => {
    const data = conformantProductData({ ...LINUX_DEVICE_CONDITIONS, 'not-constrained-device': false });
    assert.match(errorFor(data), /conditions\.not-constrained-device: contradicts "constrained-device"/);
  });

  it('rejects a misspelt field', () => {
    const data = { ...conformantProductData(), suportPeriod: { endDate: '2030-01-01' } };
    assert.match(errorFor(data), /^FILE:\d+:1: unknown field "suportPeriod"$/);
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    const data = conformantProductData();
    data.supportPeriod = { endDate: '31/12/2031' };
    assert.match(errorFor(data), /supportPeriod\.endDate: a date written YYYY-MM-DD, got "31\/12\/2031"/);
  });

  it('rejects a waiver without a justification', () => {
    const data = { ...conformantProductData(), waivers: [{ check: 'firmware/x', justification: 'ok', expires: '2027-01-01' }] };
    assert.match(errorFor(data), /waivers\.0\.justification: needs a justification of at least 10 characters/);
  });

  it('rejects an unknown excepted product with a suggestion', () => {
    const data = { ...conformantProductData(), psti: { excepted: 'medical-device' } };
    assert.match(errorFor(data), /psti\.excepted: unknown excepted product "medical-device"; did you mean "medical-devices"\?/);
  });

  it('rejects lettered features on V2.1.1', () => {
    const data = { ...conformantProductData(), features: { a: true } };
    assert.match(errorFor(data), /features: EN 303 645 V2\.1\.1 has no lettered features/);
  });

  it('names a missing file', () => {
    assert.throws(() => loadProduct('/nonexistent/baseline.yaml'), /\/nonexistent\/baseline\.yaml: cannot read file \(ENOENT\)/);
  });

  it('refuses YAML alias bombs', () => {
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`;
    assert.match(errorFor(bomb), /FILE/);
  });
});
