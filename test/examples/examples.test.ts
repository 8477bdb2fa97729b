// The bundled examples are the first thing a user runs: each must assess as its README says and
// produce every document in every format, with every Schedule 4 field in the statement's PDF.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPstiCatalog } from '../../src/catalog/load.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/product.ts';

const EXAMPLES = [
  { dir: 'examples/smart-thermostat', exit: 0, verdict: 'CONFORMANT' },
  { dir: 'examples/battery-sensor', exit: 1, verdict: 'NOT CONFORMANT' },
];
const squash = (text: string) => text.replace(/\s+/g, ' ');

for (const example of EXAMPLES) {
  describe(example.dir, () => {
    it(`assesses as ${example.verdict}, with the PSTI requirements met`, () => {
      const r = runCli(['assess', join(example.dir, 'baseline.yaml'), '--as-of', '2026-11-22']);
      assert.equal(r.status, example.exit, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`^${example.verdict}$`, 'm'));
      assert.match(r.stdout, /^PSTI: PASS$/m);
    });

    it('writes every document in every format; the statement PDF carries every Schedule 4 field', () => {
      const out = join(tempDir(), 'docs');
      const r = runCli(['report', join(example.dir, 'baseline.yaml'), '--out', out, '--as-of', '2026-11-22']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(readdirSync(out).length, 16);
      const text = squash(execFileSync('pdftotext', ['-nopgbrk', join(out, 'statement.pdf'), '-'], { encoding: 'utf8' }));
      for (const field of loadPstiCatalog().statementFields) assert.ok(text.includes(squash(field.title)), `PDF lacks "${field.title}"`);
      const statement = JSON.parse(readFileSync(join(out, 'statement.json'), 'utf8'));
      assert.equal(statement.draft, null);
      for (const value of Object.values(statement.fields) as string[]) {
        const start = squash(value).slice(0, 40);
        assert.ok(text.includes(start), `PDF lacks the value "${start}…"`);
      }
    });
  });
}
