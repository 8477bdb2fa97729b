// The assessment as plain JSON for machines: `baseline assess --json`.
import type { Assessment } from './assess.ts';

export function assessmentJson(a: Assessment, tool: { name: string; version: string }) {
  return {
    tool: tool.name,
    version: tool.version,
    asOf: a.asOf,
    productFile: a.product.path,
    product: a.product.file.product,
    manufacturer: a.product.file.manufacturer,
    standard: a.standard,
    conformant: a.conformant,
    overall: a.overall,
    psti: a.psti,
    clauses: a.clauses,
    provisions: a.provisions.map((p) => ({
      id: p.id,
      clause: p.clause,
      status: p.status,
      mandatory: p.mandatory,
      inTableB1: p.inTableB1,
      title: p.title,
      support: p.support,
      verdict: p.verdict,
      basis: p.basis ?? null,
      reasons: p.reasons,
      violations: p.violations,
      findings: p.failures.map((f) => ({ ...f.finding, source: f.source })),
      waived: p.waived.map((f) => ({ ...f.finding, source: f.source, waiver: f.waiver })),
      passes: p.passes.map((f) => ({ ...f.finding, source: f.source })),
    })),
    evidence: a.evidence.sources,
  };
}
