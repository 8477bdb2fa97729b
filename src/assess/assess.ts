// Turns the product file and the evidence into verdicts: per provision, per clause, overall and for the PSTI.
import type { Product } from '../product/load.ts';
import { justifyEveryDeviation } from './annex-b-rules.ts';
import { type Evidence, evidencePaths, loadEvidence } from './evidence.ts';
import { type ProvisionVerdict, provisionVerdict } from './provision-verdict.ts';
import { assessPsti, type PstiVerdict } from './psti.ts';
import { countVerdicts, type Verdict, type VerdictCounts, worstOf } from './verdict.ts';

export interface ClauseVerdict {
  number: string;
  title: string;
  verdict: Verdict;
  counts: VerdictCounts;
}

export interface Assessment {
  asOf: string;
  product: Product;
  standard: { id: string; version: string; date: string; title: string };
  provisions: ProvisionVerdict[];
  clauses: ClauseVerdict[];
  overall: { verdict: Verdict; counts: VerdictCounts };
  psti: PstiVerdict;
  evidence: Evidence;
  /** True when every applicable provision passes and the PSTI requirements are met. */
  conformant: boolean;
}

export interface AssessOptions {
  /** Extra results files, as given with --evidence. */
  evidence?: readonly string[];
  /** The day the assessment speaks for (YYYY-MM-DD): waivers and support periods are judged against it. */
  asOf?: string;
}

/** The provision that records justifications: 4-1 in V2.1.1, 5.0-1 in V3. */
const JUSTIFICATION_PROVISIONS = new Set(['4-1', '5.0-1']);

export function assess(product: Product, options: AssessOptions = {}): Assessment {
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  const evidence = loadEvidence(product, evidencePaths(product, options.evidence ?? []), asOf);
  const catalog = product.catalog;

  const provisions = catalog.provisions.map((p) => provisionVerdict(p, product, evidence.findings));
  const justification = provisions.find((p) => JUSTIFICATION_PROVISIONS.has(p.id));
  if (justification) judgeJustifications(justification, provisions);

  const tableRows = provisions.filter((p) => p.inTableB1);
  const clauses = catalog.clauses.map((clause) => {
    const verdicts = provisions.filter((p) => p.clause === clause.number).map((p) => p.verdict);
    return { number: clause.number, title: clause.title, verdict: worstOf(verdicts), counts: countVerdicts(verdicts) };
  });
  const all = provisions.map((p) => p.verdict);
  const overall = { verdict: worstOf(all), counts: countVerdicts(tableRows.map((p) => p.verdict)) };
  const psti = assessPsti(product, new Map(provisions.map((p) => [p.id, p])), asOf);
  const conformant =
    overall.verdict !== 'FAIL' && overall.verdict !== 'NOT ASSESSED' && psti.verdict !== 'FAIL' && psti.verdict !== 'NOT ASSESSED';
  return {
    asOf,
    product,
    standard: { id: catalog.standard, version: catalog.version, date: catalog.date, title: catalog.title },
    provisions,
    clauses,
    overall,
    psti,
    evidence,
    conformant,
  };
}

// 4-1 is judged from the whole statement: it passes only when every deviation elsewhere is justified.
function judgeJustifications(target: ProvisionVerdict, all: ProvisionVerdict[]): void {
  const unjustified = all.filter((p) => p !== target && p.violations.some((v) => v.rule === justifyEveryDeviation.id));
  target.applicability = { applies: true };
  target.failures = [];
  if (unjustified.length) {
    target.verdict = 'FAIL';
    target.basis = undefined;
    target.reasons = [`unjustified deviations: ${unjustified.map((p) => `${p.id} (${p.support})`).join(', ')}`];
  } else {
    target.verdict = 'PASS';
    target.basis = 'evidenced';
    target.reasons = ['every N and N/A claim in the statement carries a justification'];
  }
}
