// Table B.1, the implementation conformance statement, laid out as Annex B lays it out and completed
// from the product file and the evidence.
import type { Assessment } from '../assess/assess.ts';
import type { ProvisionVerdict } from '../assess/provision-verdict.ts';
import { formatLocation } from '../findings/schema.ts';
import type { Block, ReportDocument, TableRow } from './document.ts';
import { describeEvidenceRef, productFields, standardName } from './header.ts';

export function buildTableB1(a: Assessment): ReportDocument {
  const rows = a.provisions.filter((p) => p.inTableB1);
  const outside = a.provisions.filter((p) => !p.inTableB1);
  const tableRows: TableRow[] = [];
  for (const clause of a.clauses) {
    const inClause = rows.filter((p) => p.clause === clause.number);
    if (!inClause.length) continue;
    tableRows.push({ group: `${clause.number} ${clause.title}` });
    for (const p of inClause) {
      tableRows.push({
        cells: [`Provision ${p.id}\n${p.title}`, p.status, supportShown(p), detailShown(p), p.verdict],
        verdict: p.verdict,
      });
    }
  }
  const c = a.overall.counts;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Table B.1: Implementation of provisions for consumer IoT security` },
    { kind: 'fields', rows: productFields(a) },
    {
      kind: 'paragraph',
      text: `Status: M mandatory, R recommended, C conditional (numbered conditions)${a.product.catalog.features.length ? ', F feature-dependent (lettered features)' : ''}. Support: Y supported, N not supported, N/A not applicable. The Verdict column is Baseline's check of each claim against the Annex B rules and the scan evidence.`,
      emphasis: 'note',
    },
    { kind: 'table', columns: ['Clause number and title', 'Status', 'Support', 'Detail', 'Verdict'], rows: tableRows, nowrap: [1, 2] },
  ];
  for (const p of outside) {
    blocks.push({ kind: 'heading', level: 2, text: `Provision ${p.id}: ${p.title}` });
    blocks.push({ kind: 'paragraph', text: `${p.verdict}: ${p.reasons.join('; ')}` });
  }
  blocks.push({
    kind: 'paragraph',
    text: `${rows.length} provisions: ${c.PASS} pass, ${c.FAIL} fail, ${c['NOT ASSESSED']} not assessed, ${c['NOT APPLICABLE']} not applicable. Overall: ${a.overall.verdict}.`,
  });
  return {
    id: 'table-b1',
    title: `Table B.1 for ${a.product.file.product.name} against ${standardName(a)}`,
    blocks,
    data: {
      document: 'table-b1',
      product: a.product.file.product,
      standard: a.standard,
      asOf: a.asOf,
      overall: a.overall,
      rows: a.provisions.map((p) => ({
        id: p.id,
        clause: p.clause,
        inTableB1: p.inTableB1,
        status: p.status,
        support: supportShown(p) || null,
        detail: p.detail,
        evidence: p.evidence,
        verdict: p.verdict,
        reasons: p.reasons,
      })),
    },
    csv: {
      columns: ['provision', 'clause', 'clause_title', 'title', 'status', 'support', 'detail', 'evidence', 'verdict', 'reasons'],
      rows: a.provisions.map((p) => [
        p.id,
        p.clause,
        a.clauses.find((cl) => cl.number === p.clause)?.title ?? '',
        p.title,
        p.status,
        supportShown(p),
        p.detail,
        p.evidence.map(describeEvidenceRef).join('; '),
        p.verdict,
        p.reasons.join('; '),
      ]),
    },
  };
}

/** A provision the conditions rule out reads N/A even when the maker left it blank. */
function supportShown(p: ProvisionVerdict): string {
  if (p.support) return p.support;
  return p.verdict === 'NOT APPLICABLE' ? 'N/A' : '';
}

function detailShown(p: ProvisionVerdict): string {
  const lines: string[] = [];
  if (p.detail) lines.push(p.detail);
  else if (p.verdict === 'NOT APPLICABLE') lines.push(`Not applicable: ${p.reasons[0] ?? ''}`);
  for (const ref of p.evidence) lines.push(`Evidence: ${describeEvidenceRef(ref)}`);
  for (const f of p.notes) lines.push(`Noted: ${f.finding.check} at ${formatLocation(f.finding.location)}: ${f.finding.message}`);
  for (const f of p.passes) lines.push(`Checked: ${f.finding.check} at ${formatLocation(f.finding.location)}: ${f.finding.message}`);
  for (const f of p.failures) lines.push(`Finding: ${f.finding.check} at ${formatLocation(f.finding.location)}: ${f.finding.message}`);
  for (const f of p.waived.filter((w) => w.waiver?.active))
    lines.push(`Waived until ${f.waiver?.waiver.expires}: ${f.finding.check}: ${f.waiver?.waiver.justification}`);
  if (p.verdict !== 'PASS' && p.verdict !== 'NOT APPLICABLE') {
    for (const reason of p.reasons) if (!lines.some((l) => l.includes(reason))) lines.push(`Open: ${reason}`);
  }
  return lines.join('\n');
}
