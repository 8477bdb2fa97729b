// Findings as SARIF 2.1.0, for code-scanning UIs. Every scanner's --sarif goes through here.
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import { locationUri, type Results, type Severity } from './schema.ts';

export const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'note',
};

/** Only failures are results; passes and observations stay in the JSON. */
export function resultsToSarif(results: Results): string {
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: results.tool,
    toolDriverVersion: results.version,
    url: 'https://github.com/baseline-iot/baseline',
  });
  const rules = new Set<string>();
  for (const f of results.findings) {
    if (f.result !== 'fail') continue;
    if (!rules.has(f.check)) {
      rules.add(f.check);
      run.addRule(new SarifRuleBuilder().initSimple({ ruleId: f.check, shortDescriptionText: f.title ?? f.check }));
    }
    const where = locationUri(f.location);
    run.addResult(
      new SarifResultBuilder().initSimple({
        ruleId: f.check,
        level: SARIF_LEVEL[f.severity],
        messageText: `${f.message} (EN 303 645 ${f.provisions.join(', ')})`,
        fileUri: where,
        ...(f.location.line ? { startLine: f.location.line } : {}),
      }),
    );
  }
  const builder = new SarifBuilder();
  builder.addRun(run);
  return builder.buildSarifJsonString({ indent: true });
}
