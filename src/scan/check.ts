// The shape every check takes, whatever it examines: metadata beside the detector, like an ESLint rule.
// A check only produces findings; what they mean for conformance is the assessment's business.
import { z } from 'zod';
import { type Finding, type FindingResult, findingSchema, type Severity, severitySchema } from '../findings/schema.ts';
import { provisionId } from '../catalog/schema.ts';

export interface CheckMeta {
  /** `source/kind/name`, e.g. `config/linux/stackprotector-strong`. */
  id: string;
  title: string;
  /** EN 303 645 V2.1.1 provision ids the check bears on. */
  provisions: string[];
  severity: Severity;
  rationale: string;
  remediation: string;
}

export interface Check<Subject> extends CheckMeta {
  run(subject: Subject): Iterable<FindingDraft>;
}

/** What a detector says; the check's metadata completes it into a finding. */
export interface FindingDraft {
  result: FindingResult;
  location: Finding['location'];
  message: string;
  evidence?: string;
  /** Overrides the check's severity, e.g. a weaker problem found by the same check. */
  severity?: Severity;
}

export function toFinding(check: CheckMeta, draft: FindingDraft): Finding {
  return findingSchema.parse({
    check: check.id,
    title: check.title,
    provisions: check.provisions,
    severity: draft.severity ?? check.severity,
    result: draft.result,
    location: draft.location,
    message: draft.message,
    ...(draft.evidence !== undefined ? { evidence: draft.evidence.slice(0, 2000) } : {}),
    remediation: check.remediation,
  });
}

export function runCheck<S>(check: Check<S>, subject: S): Finding[] {
  return [...check.run(subject)].map((draft) => toFinding(check, draft));
}

/** The fields every rule kept as data carries: why it matters, where it comes from, what it serves. */
export const dataRuleBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string().min(3),
  rationale: z.string().min(10),
  /** Where the recommendation is published: a project, document or URL. */
  source: z.string().min(3),
  provisions: z.array(provisionId).min(1),
  severity: severitySchema,
  remediation: z.string().optional(),
};

/** A data rule read by a detector of its own: it names the setting it reads and what a good value is, as `baseline rules` shows them. */
export const settingRuleBase = {
  ...dataRuleBase,
  remediation: z.string().min(3),
  /** The setting or variables the rule reads. */
  setting: z.string().min(2),
  /** What a good value looks like, in words. */
  expected: z.string().min(1),
};

/** One row of `baseline rules`: every rule, whichever kind, named by the option or setting it reads. */
export interface RuleListing {
  kind: string;
  id: string;
  title: string;
  /** The option or setting the rule reads, e.g. CONFIG_STACKPROTECTOR_STRONG or enable_uart. */
  setting: string;
  /** What a good value looks like, in words. */
  expected: string;
  provisions: string[];
  severity: Severity;
  rationale: string;
  source: string;
}
