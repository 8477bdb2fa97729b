// The rules Annex B sets for filling in Table B.1, each written like a lint rule: metadata beside its test.
import { formatStatus, isMandatory } from '../catalog/load.ts';
import type { Provision } from '../catalog/schema.ts';
import type { Claim } from '../product/schema.ts';
import type { Applicability } from './applicability.ts';
import type { Verdict } from './verdict.ts';

export interface AnnexBContext {
  provision: Provision;
  claim: Claim | undefined;
  applicability: Applicability;
}

export interface AnnexBRule {
  id: string;
  title: string;
  rationale: string;
  remediation: string;
  /** What a violation does to the provision's verdict when the provision applies. */
  effect: Extract<Verdict, 'FAIL' | 'NOT ASSESSED'>;
  /** A message when the claim breaks the rule, else undefined. */
  evaluate(context: AnnexBContext): string | undefined;
}

const hasDetail = (claim: Claim | undefined) => (claim?.detail.trim().length ?? 0) > 0;

export const naOnlyWhenConditionUnmet: AnnexBRule = {
  id: 'annex-b/na-only-when-condition-unmet',
  title: 'N/A only for a conditional provision whose condition does not hold',
  rationale: 'Annex B allows "not applicable" only where a provision is conditional and its condition is not met.',
  remediation: 'Claim Y or N, or correct the condition answers if the product really lacks what the condition describes.',
  effect: 'FAIL',
  evaluate({ provision, claim, applicability }) {
    if (claim?.support !== 'N/A' || applicability.applies !== true) return undefined;
    if (!provision.conditions.length && !provision.features.length) {
      return `N/A is claimed, but ${provision.id} is unconditional (status ${formatStatus(provision)}) and always applies`;
    }
    return `N/A is claimed, but the conditions of ${provision.id} hold for this product`;
  },
};

export const justifyEveryDeviation: AnnexBRule = {
  id: 'annex-b/justify-n-and-na',
  title: 'Every N and N/A carries a justification (provision 4-1)',
  rationale: 'Provision 4-1 (5.0-1 in V3) requires a recorded justification for every provision not applied or not met.',
  remediation: "Write the justification in the claim's detail.",
  effect: 'FAIL',
  evaluate({ provision, claim }) {
    if ((claim?.support === 'N' || claim?.support === 'N/A') && !hasDetail(claim)) {
      return `${provision.id} is claimed ${claim.support} without a justification`;
    }
    return undefined;
  },
};

export const supportNeedsDetail: AnnexBRule = {
  id: 'annex-b/y-needs-detail',
  title: 'A Y claim says how the provision is met',
  rationale:
    'The Detail column of Table B.1 records how each supported provision is implemented; an empty one gives an assessor nothing to check.',
  remediation: "Describe the implementation in the claim's detail and cite evidence.",
  effect: 'NOT ASSESSED',
  evaluate({ provision, claim }) {
    if (claim?.support === 'Y' && !hasDetail(claim)) return `${provision.id} is claimed Y without a detail`;
    return undefined;
  },
};

export const mandatoryNeedsSupport: AnnexBRule = {
  id: 'annex-b/mandatory-needs-support',
  title: 'An applicable mandatory provision is supported',
  rationale: 'A mandatory provision that applies must be met for the product to conform; a justification does not excuse it.',
  remediation: 'Implement the provision, then claim Y with detail and evidence.',
  effect: 'FAIL',
  evaluate({ provision, claim, applicability }) {
    if (claim?.support === 'N' && applicability.applies === true && isMandatory(provision)) {
      return `${provision.id} is mandatory (status ${formatStatus(provision)}) and applies, but is claimed N`;
    }
    return undefined;
  },
};

export const ANNEX_B_RULES: readonly AnnexBRule[] = [
  naOnlyWhenConditionUnmet,
  justifyEveryDeviation,
  supportNeedsDetail,
  mandatoryNeedsSupport,
];
