// `baseline checks`: the firmware and probe checks as a user lists them, and the promises every check
// keeps (a unique id, provisions that exist, a rationale and a remediation).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEtsiCatalog } from '../../src/catalog/load.ts';
import { runCli } from '../helpers/cli.ts';

interface Row {
  source: string;
  id: string;
  title: string;
  provisions: string[];
  severity: string;
  rationale: string;
  remediation: string;
}

describe('baseline checks', () => {
  const rows = JSON.parse(runCli(['checks', '--json']).stdout) as Row[];
  const catalog = loadEtsiCatalog('2.1.1');

  it('lists the firmware and probe checks, each id once', () => {
    assert.ok(rows.filter((r) => r.source === 'firmware').length >= 20);
    assert.ok(rows.filter((r) => r.source === 'probe').length >= 40);
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
  });

  it('ties every check to provisions of EN 303 645 V2.1.1, with a rationale and a remediation', () => {
    for (const r of rows) {
      assert.ok(r.provisions.length > 0, r.id);
      for (const id of r.provisions) assert.ok(catalog.byId.has(id), `${r.id}: ${id}`);
      assert.ok(r.rationale.length >= 20, `${r.id}: rationale`);
      assert.ok(r.remediation.length >= 5, `${r.id}: remediation`);
    }
  });

  it('names the PSTI password checks of both scanners under 5.1-1', () => {
    const ids = rows.filter((r) => r.provisions.includes('5.1-1')).map((r) => r.id);
    assert.ok(ids.includes('probe/default-credentials'));
    assert.ok(ids.some((id) => id.startsWith('firmware/')));
  });

  it('prints a table for one source', () => {
    const r = runCli(['checks', '--source', 'probe']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^SOURCE +CHECK +PROVISIONS +SEVERITY +TITLE$/m);
    assert.match(r.stdout, /^probe +probe\/tls\/legacy-version +5\.5-1 5\.5-7 5\.8-1 +high /m);
    assert.doesNotMatch(r.stdout, /^firmware /m);
  });

  it('refuses an unknown source in one line, exit 2', () => {
    const r = runCli(['checks', '--source', 'cloud']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'baseline: --source: expected firmware or probe, got "cloud"\n');
  });
});
