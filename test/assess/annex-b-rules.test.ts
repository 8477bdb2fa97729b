// Each Annex B rule, tested the way ESLint's RuleTester tests a rule: claims that must pass and claims that must not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AnnexBContext,
  type AnnexBRule,
  justifyEveryDeviation,
  mandatoryNeedsSupport,
  naOnlyWhenConditionUnmet,
  supportNeedsDetail,
} from '../../src/assess/annex-b-rules.ts';
import type { Applicability } from '../../src/assess/applicability.ts';
import { loadEtsiCatalog } from '../../src/catalog/load.ts';
import type { Support } from '../../src/product/schema.ts';

const catalog = loadEtsiCatalog('2.1.1');
const applies: Applicability = { applies: true };
const ruledOut: Applicability = { applies: false, reason: 'condition 1 does not hold' };

interface Case {
  provision: string;
  support: Support | null;
  detail?: string;
  applicability?: Applicability;
}

function context(c: Case): AnnexBContext {
  const provision = catalog.byId.get(c.provision);
  assert.ok(provision, c.provision);
  return {
    provision,
    claim: { support: c.support, detail: c.detail ?? '', evidence: [] },
    applicability: c.applicability ?? applies,
  };
}

function ruleTester(rule: AnnexBRule, cases: { valid: Case[]; invalid: Array<Case & { message: RegExp }> }) {
  describe(rule.id, () => {
    for (const c of cases.valid) {
      it(`accepts ${c.provision} ${c.support}${c.detail ? ' with detail' : ''}`, () => {
        assert.equal(rule.evaluate(context(c)), undefined);
      });
    }
    for (const c of cases.invalid) {
      it(`rejects ${c.provision} ${c.support}${c.detail ? ' with detail' : ''}`, () => {
        assert.match(rule.evaluate(context(c)) ?? '(no violation)', c.message);
      });
    }
  });
}

ruleTester(naOnlyWhenConditionUnmet, {
  valid: [
    { provision: '5.1-1', support: 'N/A', detail: 'No passwords anywhere.', applicability: ruledOut },
    { provision: '5.1-1', support: 'Y', detail: 'Unique per device.' },
    { provision: '5.10-1', support: 'N/A', detail: 'No telemetry.', applicability: ruledOut },
  ],
  invalid: [
    {
      provision: '5.2-1',
      support: 'N/A',
      detail: 'We do not think it applies.',
      message: /5\.2-1 is unconditional \(status M\) and always applies/,
    },
    { provision: '5.5-2', support: 'N/A', detail: 'Not relevant.', message: /5\.5-2 is unconditional \(status R\)/ },
    { provision: '5.1-1', support: 'N/A', detail: 'No passwords.', message: /the conditions of 5\.1-1 hold for this product/ },
  ],
});

ruleTester(justifyEveryDeviation, {
  valid: [
    { provision: '5.5-2', support: 'N', detail: 'The radio stack has no vetted TLS implementation yet.' },
    { provision: '5.1-1', support: 'N/A', detail: 'No passwords.', applicability: ruledOut },
    { provision: '5.2-1', support: 'Y' },
  ],
  invalid: [
    { provision: '5.5-2', support: 'N', message: /5\.5-2 is claimed N without a justification/ },
    { provision: '5.1-1', support: 'N/A', applicability: ruledOut, message: /5\.1-1 is claimed N\/A without a justification/ },
    { provision: '5.2-1', support: 'N', detail: '   ', message: /claimed N without a justification/ },
  ],
});

ruleTester(supportNeedsDetail, {
  valid: [
    { provision: '5.2-1', support: 'Y', detail: 'Policy at https://example.com/security.' },
    { provision: '5.2-1', support: null },
  ],
  invalid: [
    { provision: '5.2-1', support: 'Y', message: /5\.2-1 is claimed Y without a detail/ },
    { provision: '5.2-1', support: 'Y', detail: ' \n ', message: /without a detail/ },
  ],
});

ruleTester(mandatoryNeedsSupport, {
  valid: [
    { provision: '5.5-2', support: 'N', detail: 'Justified.' },
    { provision: '5.1-1', support: 'N', detail: 'No passwords.', applicability: ruledOut },
    { provision: '5.2-1', support: 'Y', detail: 'Done.' },
  ],
  invalid: [
    { provision: '5.2-1', support: 'N', detail: 'Later.', message: /5\.2-1 is mandatory \(status M\) and applies, but is claimed N/ },
    { provision: '5.1-1', support: 'N', detail: 'Later.', message: /5\.1-1 is mandatory \(status M C \(1\)\)/ },
  ],
});
