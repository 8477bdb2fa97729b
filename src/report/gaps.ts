// The gap report: every FAIL and NOT ASSESSED, mandatory first, each with what evidence would close it.
import { ANNEX_B_RULES } from '../assess/annex-b-rules.ts';
import type { Assessment } from '../assess/assess.ts';
import type { ProvisionVerdict } from '../assess/provision-verdict.ts';
import { formatLocation } from '../findings/schema.ts';
import type { Block, ReportDocument } from './document.ts';
import { productFields, standardName } from './header.ts';

export interface Gap {
  id: string;
  status: string;
  mandatory: boolean;
  title: string;
  verdict: ProvisionVerdict['verdict'];
  reasons: string[];
  /** What would close the gap: fixes from the checks and the rules, then the evidence an assessor asks for. */
  toClose: string[];
  findings: Array<{ check: string; location: string; message: string; severity: string }>;
}

export function listGaps(a: Assessment): Gap[] {
  const open = a.provisions.filter((p) => p.verdict === 'FAIL' || p.verdict === 'NOT ASSESSED');
  const order = new Map(a.provisions.map((p, i) => [p.id, i]));
  open.sort((x, y) => Number(y.mandatory) - Number(x.mandatory) || (order.get(x.id) ?? 0) - (order.get(y.id) ?? 0));
  return open.map((p) => ({
    id: p.id,
    status: p.status,
    mandatory: p.mandatory,
    title: p.title,
    verdict: p.verdict,
    reasons: p.reasons,
    toClose: toClose(a, p),
    findings: p.failures.map((f) => ({
      check: f.finding.check,
      location: formatLocation(f.finding.location),
      message: f.finding.message,
      severity: f.finding.severity,
    })),
  }));
}

function toClose(a: Assessment, p: ProvisionVerdict): string[] {
  const steps = new Set<string>();
  for (const f of p.failures)
    steps.add(f.finding.remediation ?? `Fix ${f.finding.check} at ${formatLocation(f.finding.location)}, then scan again.`);
  for (const v of p.violations) {
    const rule = ANNEX_B_RULES.find((r) => r.id === v.rule);
    if (rule) steps.add(rule.remediation);
  }
  if (p.applicability.applies === 'unknown') steps.add(`Answer the open questions: ${p.applicability.reason}.`);
  if (p.support === null && p.applicability.applies === true)
    steps.add('Claim Y with a detail of how the provision is met, or N with a justification.');
  const provision = a.product.catalog.byId.get(p.id);
  const tests = provision?.testCases.length ? `ETSI TS 103 701 test cases ${provision.testCases.join(', ')}` : '';
  const ixit = provision?.ixit.length ? `IXIT ${provision.ixit.join(', ')}` : '';
  if (tests || ixit) steps.add(`Evidence an assessor will ask for: ${[tests, ixit].filter(Boolean).join('; ')}.`);
  return [...steps];
}

export function buildGaps(a: Assessment): ReportDocument {
  const gaps = listGaps(a);
  const pstiGaps = a.psti.requirements.filter((r) => r.verdict === 'FAIL' || r.verdict === 'NOT ASSESSED');
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: 'Gap report' },
    { kind: 'fields', rows: productFields(a) },
    {
      kind: 'paragraph',
      text: `${gaps.length} provisions of ${standardName(a)} are open (${gaps.filter((g) => g.verdict === 'FAIL').length} fail, ${gaps.filter((g) => g.verdict === 'NOT ASSESSED').length} not assessed); PSTI: ${a.psti.verdict}.`,
    },
  ];
  if (pstiGaps.length) {
    blocks.push({ kind: 'heading', level: 2, text: 'UK PSTI requirements' });
    blocks.push({
      kind: 'table',
      columns: ['Requirement', 'Route', 'What is open', 'Verdict'],
      rows: pstiGaps.map((r) => ({
        cells: [`Schedule 1 paragraph ${r.paragraph}: ${r.title}`, r.route, r.reasons.join('\n'), r.verdict],
        verdict: r.verdict,
      })),
    });
  }
  for (const [heading, subset] of [
    ['Mandatory provisions', gaps.filter((g) => g.mandatory)],
    ['Recommendations', gaps.filter((g) => !g.mandatory)],
  ] as const) {
    if (!subset.length) continue;
    blocks.push({ kind: 'heading', level: 2, text: heading });
    blocks.push({
      kind: 'table',
      columns: ['Provision', 'Status', 'Why it is open', 'What would close it', 'Verdict'],
      nowrap: [1],
      rows: subset.map((g) => ({
        cells: [`${g.id}\n${g.title}`, g.status, g.reasons.join('\n'), g.toClose.join('\n'), g.verdict],
        verdict: g.verdict,
      })),
    });
  }
  if (!gaps.length && !pstiGaps.length) blocks.push({ kind: 'paragraph', text: 'No gaps: every applicable provision passes.' });
  return {
    id: 'gaps',
    title: `Gap report for ${a.product.file.product.name}`,
    blocks,
    data: { document: 'gaps', standard: a.standard, asOf: a.asOf, psti: pstiGaps, gaps },
    csv: {
      columns: ['provision', 'status', 'mandatory', 'title', 'verdict', 'reasons', 'to_close'],
      rows: gaps.map((g) => [g.id, g.status, g.mandatory ? 'yes' : 'no', g.title, g.verdict, g.reasons.join('; '), g.toClose.join('; ')]),
    },
  };
}
