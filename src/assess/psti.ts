// The PSTI verdict: one per Schedule 1 requirement, each reached through a Schedule 2 deemed-compliance route.
import { loadPstiCatalog } from '../catalog/load.ts';
import type { PstiRequirement } from '../catalog/schema.ts';
import type { Product } from '../product/load.ts';
import type { ProvisionVerdict } from './provision-verdict.ts';
import { type Verdict, worstOf } from './verdict.ts';

export interface PstiRequirementVerdict {
  id: string;
  key: PstiRequirement['key'];
  title: string;
  paragraph: string;
  verdict: Verdict;
  /** The deemed-compliance route relied on, in words, e.g. "ETSI EN 303 645 V2.1.1 provision 5.1-1". */
  route: string;
  provisions: string[];
  reasons: string[];
}

export interface PstiVerdict {
  verdict: Verdict;
  excepted?: { id: string; title: string };
  requirements: PstiRequirementVerdict[];
}

export function assessPsti(product: Product, verdicts: ReadonlyMap<string, ProvisionVerdict>, asOf: string): PstiVerdict {
  const psti = loadPstiCatalog();
  const exceptedId = product.file.psti.excepted;
  const excepted = psti.exceptedProducts.find((e) => e.id === exceptedId);
  const requirements = psti.requirements.map((requirement): PstiRequirementVerdict => {
    const base = { id: requirement.id, key: requirement.key, title: requirement.title, paragraph: requirement.paragraph };
    if (excepted) {
      return {
        ...base,
        verdict: 'NOT APPLICABLE',
        route: 'none: excepted product',
        provisions: [],
        reasons: [`excepted by Schedule 3 paragraph ${excepted.paragraph}: ${excepted.title}`],
      };
    }
    const judge = JUDGES[requirement.key];
    return { ...base, ...judge(requirement, product, verdicts, asOf) };
  });
  return {
    verdict: worstOf(requirements.map((r) => r.verdict)),
    ...(excepted ? { excepted: { id: excepted.id, title: excepted.title } } : {}),
    requirements,
  };
}

type Judgement = Pick<PstiRequirementVerdict, 'verdict' | 'route' | 'provisions' | 'reasons'>;
type Judge = (requirement: PstiRequirement, product: Product, verdicts: ReadonlyMap<string, ProvisionVerdict>, asOf: string) => Judgement;

function etsiRouteName(product: Product, provisions: string[]): string {
  const plural = provisions.length > 1 ? 'provisions' : 'provision';
  return `ETSI EN 303 645 V${product.catalog.version} (${product.catalog.date}) ${plural} ${provisions.join(' and ')}`;
}

/** Verdict of the EN 303 645 provisions a route rests on; ids missing from this version are skipped. */
function throughProvisions(ids: string[], verdicts: ReadonlyMap<string, ProvisionVerdict>): { verdict: Verdict; reasons: string[] } {
  const used = ids.map((id) => verdicts.get(id)).filter((v) => v !== undefined);
  const reasons = used.filter((v) => v.verdict !== 'PASS').map((v) => `${v.id} is ${v.verdict}${v.reasons[0] ? `: ${v.reasons[0]}` : ''}`);
  return { verdict: worstOf(used.map((v) => v.verdict)), reasons };
}

function etsiRoute(requirement: PstiRequirement) {
  const route = requirement.deemedCompliance.find((r) => r.standard === 'etsi-en-303-645');
  if (!route) throw new Error(`catalog: ${requirement.id} has no EN 303 645 route`);
  return route;
}

const passwords: Judge = (requirement, product, verdicts) => {
  const route = etsiRoute(requirement);
  const core = route.provisions;
  const whereRelevant = route.provisionsWhereRelevant.filter((id) => {
    const v = verdicts.get(id);
    return v !== undefined && v.verdict !== 'NOT APPLICABLE';
  });
  const ids = [...core, ...whereRelevant];
  const result = throughProvisions(ids, verdicts);
  if (result.verdict === 'NOT APPLICABLE') {
    return {
      verdict: 'NOT APPLICABLE',
      route: 'none needed',
      provisions: ids,
      reasons: ['the product uses no passwords', ...result.reasons],
    };
  }
  return { verdict: result.verdict, route: etsiRouteName(product, ids), provisions: ids, reasons: result.reasons };
};

const securityIssueReporting: Judge = (requirement, product, verdicts) => {
  const disclosure = product.file.vulnerabilityDisclosure;
  const missing: string[] = [];
  if (!disclosure) missing.push('vulnerabilityDisclosure (contact point, acknowledgement and status-update timescales)');
  else {
    if (!disclosure.acknowledgement) missing.push('vulnerabilityDisclosure.acknowledgement (when a reporter gets an acknowledgement)');
    if (!disclosure.statusUpdates) missing.push('vulnerabilityDisclosure.statusUpdates (when a reporter gets status updates)');
  }
  const missingReasons = missing.map((m) => `the product file lacks ${m}`);
  if (disclosure?.route === 'iso-iec-29147') {
    const route = requirement.deemedCompliance.find((r) => r.standard === 'iso-iec-29147');
    const paragraphs = route?.paragraphs.join(', ') ?? '';
    return {
      verdict: missing.length ? 'FAIL' : 'PASS',
      route: `ISO/IEC 29147 paragraphs ${paragraphs}`,
      provisions: [],
      reasons: missingReasons,
    };
  }
  const ids = etsiRoute(requirement).provisions;
  const result = throughProvisions(ids, verdicts);
  return {
    verdict: missing.length ? 'FAIL' : result.verdict,
    route: etsiRouteName(product, ids),
    provisions: ids,
    reasons: [...missingReasons, ...result.reasons],
  };
};

const supportPeriod: Judge = (requirement, product, verdicts, asOf) => {
  const period = product.file.supportPeriod;
  const reasons: string[] = [];
  let own: Verdict = 'PASS';
  if (!period) {
    own = 'FAIL';
    reasons.push('the product file lacks supportPeriod.endDate: the defined support period must have an end date');
  } else {
    const later = period.previousEndDates.filter((d) => d > period.endDate);
    if (later.length) {
      own = 'FAIL';
      reasons.push(`the support period was shortened: it ended ${later.join(', ')} before and now ends ${period.endDate}`);
    }
    if (!period.publishedAt) {
      own = worstOf([own, 'NOT ASSESSED']);
      reasons.push('supportPeriod.publishedAt is missing: say where the period is published');
    }
    if (period.endDate < asOf) reasons.push(`the support period ended on ${period.endDate}`);
  }
  const ids = etsiRoute(requirement).provisions;
  const result = throughProvisions(ids, verdicts);
  return {
    verdict: worstOf([own, result.verdict]),
    route: etsiRouteName(product, ids),
    provisions: ids,
    reasons: [...reasons, ...result.reasons],
  };
};

const JUDGES: Record<PstiRequirement['key'], Judge> = {
  passwords,
  'security-issue-reporting': securityIssueReporting,
  'support-period': supportPeriod,
};
