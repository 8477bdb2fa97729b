// The verdict on one provision: applicability, the Annex B rules, then the claim weighed against the findings.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatStatus, isMandatory } from '../catalog/load.ts';
import type { Provision } from '../catalog/schema.ts';
import { formatLocation } from '../findings/schema.ts';
import type { Product } from '../product/load.ts';
import type { Claim, EvidenceRef, Support } from '../product/schema.ts';
import { ANNEX_B_RULES } from './annex-b-rules.ts';
import { type Applicability, applicability } from './applicability.ts';
import type { AttributedFinding } from './evidence.ts';
import type { Verdict } from './verdict.ts';

export interface RuleViolation {
  rule: string;
  message: string;
}

export interface ProvisionVerdict {
  id: string;
  clause: string;
  status: string;
  mandatory: boolean;
  title: string;
  inTableB1: boolean;
  support: Support | null;
  detail: string;
  evidence: EvidenceRef[];
  verdict: Verdict;
  /** Why the verdict is what it is, in the order the reasons were found. */
  reasons: string[];
  /** 'evidenced' when a cited reference or a passing check backs a PASS, 'declared' when only the claim does. */
  basis?: 'evidenced' | 'declared' | 'justified-deviation';
  applicability: Applicability;
  violations: RuleViolation[];
  /** Findings that break the provision and are not waived. */
  failures: AttributedFinding[];
  /** Findings that break it but are waived (active or expired: expired ones are also in failures). */
  waived: AttributedFinding[];
  /** Checks that looked and found the provision met. */
  passes: AttributedFinding[];
  /** Observations that neither break nor meet it. */
  notes: AttributedFinding[];
}

export function provisionVerdict(provision: Provision, product: Product, findings: readonly AttributedFinding[]): ProvisionVerdict {
  const claim: Claim | undefined = product.claims.get(provision.id);
  const applies = applicability(provision, product);
  const mine = findings.filter((f) => f.provisions.includes(provision.id));
  const breaking = mine.filter((f) => f.finding.result === 'fail');
  const failures = breaking.filter((f) => !f.waiver?.active);
  const waived = breaking.filter((f) => f.waiver !== undefined);
  const passes = mine.filter((f) => f.finding.result === 'pass');
  const notes = mine.filter((f) => f.finding.result === 'info');
  const violations = ANNEX_B_RULES.flatMap((rule) => {
    const message = rule.evaluate({ provision, claim, applicability: applies });
    return message ? [{ rule: rule.id, message, effect: rule.effect }] : [];
  });

  const result: ProvisionVerdict = {
    id: provision.id,
    clause: provision.clause,
    status: formatStatus(provision),
    mandatory: isMandatory(provision),
    title: provision.title,
    inTableB1: provision.inTableB1,
    support: claim?.support ?? null,
    detail: claim?.detail.trim() ?? '',
    evidence: claim?.evidence ?? [],
    verdict: 'NOT ASSESSED',
    reasons: [],
    applicability: applies,
    violations: violations.map(({ rule, message }) => ({ rule, message })),
    failures,
    waived,
    passes,
    notes,
  };
  const reasons = result.reasons;
  for (const f of failures) reasons.push(`${f.finding.check} at ${formatLocation(f.finding.location)}: ${f.finding.message}`);
  for (const f of waived) {
    const state = f.waiver?.active ? 'waived until' : 'waiver expired on';
    reasons.push(`${f.finding.check} ${state} ${f.waiver?.waiver.expires}: ${f.waiver?.waiver.justification}`);
  }

  if (applies.applies === false) {
    if (failures.length) {
      result.verdict = 'FAIL';
      reasons.unshift(`the evidence contradicts the product file: ${applies.reason}, yet checks found the provision broken`);
    } else {
      result.verdict = 'NOT APPLICABLE';
      reasons.unshift(applies.reason);
    }
    return result;
  }
  if (applies.applies === 'unknown') {
    result.verdict = failures.length ? 'FAIL' : 'NOT ASSESSED';
    reasons.unshift(applies.reason);
    return result;
  }

  const failing = violations.filter((v) => v.effect === 'FAIL');
  const open = violations.filter((v) => v.effect === 'NOT ASSESSED');
  reasons.push(...violations.map((v) => v.message));
  const missingFiles = (claim?.evidence ?? [])
    .filter((ref) => ref.file !== undefined && !existsSync(resolve(product.dir, ref.file)))
    .map((ref) => `cited evidence file ${ref.file} does not exist`);
  reasons.push(...missingFiles);

  if (failures.length || failing.length) result.verdict = 'FAIL';
  else if (claim?.support === undefined || claim.support === null) {
    result.verdict = 'NOT ASSESSED';
    reasons.push('no claim yet: set support to Y, N or N/A with a detail');
  } else if (open.length || missingFiles.length) result.verdict = 'NOT ASSESSED';
  else if (claim.support === 'N') {
    // Only a recommendation reaches here: a justified deviation keeps the product conformant (4-1).
    result.verdict = 'PASS';
    result.basis = 'justified-deviation';
    reasons.push('recommendation not implemented; the justification is recorded');
  } else {
    result.verdict = 'PASS';
    result.basis = claim.evidence.length || passes.length ? 'evidenced' : 'declared';
  }
  return result;
}
