// SARIF 2.1.0 for code-scanning UIs: each open provision is a result on its claim in baseline.yaml,
// and each finding behind it a result at the finding's own location.
import { relative } from 'node:path';
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { Assessment } from '../assess/assess.ts';
import { SARIF_LEVEL } from '../findings/sarif.ts';
import { locationUri } from '../findings/schema.ts';
import { listGaps } from './gaps.ts';

export function renderSarif(a: Assessment, toolVersion: string): string {
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: 'baseline',
    toolDriverVersion: toolVersion,
    url: 'https://github.com/baseline-iot/baseline',
  });
  const productUri = relative(process.cwd(), a.product.path).replaceAll('\\', '/');
  const seenRules = new Set<string>();
  const addRule = (ruleId: string, text: string) => {
    if (seenRules.has(ruleId)) return;
    seenRules.add(ruleId);
    run.addRule(new SarifRuleBuilder().initSimple({ ruleId, shortDescriptionText: text }));
  };
  for (const gap of listGaps(a)) {
    const ruleId = `etsi-en-303-645/${gap.id}`;
    addRule(ruleId, `${gap.id} ${gap.title} (${gap.status})`);
    run.addResult(
      new SarifResultBuilder().initSimple({
        ruleId,
        level: gap.verdict === 'FAIL' ? (gap.mandatory ? 'error' : 'warning') : 'note',
        messageText: `${gap.id} is ${gap.verdict}: ${gap.reasons.join('; ') || gap.title}`,
        fileUri: productUri,
        startLine: a.product.claimLines.get(gap.id) ?? 1,
      }),
    );
    const verdict = a.provisions.find((p) => p.id === gap.id);
    for (const f of verdict?.failures ?? []) {
      addRule(f.finding.check, f.finding.title ?? f.finding.check);
      const path = f.finding.location.path;
      run.addResult(
        new SarifResultBuilder().initSimple({
          ruleId: f.finding.check,
          level: SARIF_LEVEL[f.finding.severity],
          messageText: `${f.finding.message} (EN 303 645 ${f.finding.provisions.join(', ')})`,
          fileUri: path ?? locationUri(f.finding.location),
          ...(f.finding.location.line ? { startLine: f.finding.location.line } : {}),
        }),
      );
    }
  }
  const builder = new SarifBuilder();
  builder.addRun(run);
  return builder.buildSarifJsonString({ indent: true });
}
