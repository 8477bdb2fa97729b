import type { FirmwareCheck } from '../../firmware-check.ts';
import { type SecretPattern, secretPatterns } from '../secret-patterns.ts';
import { secretScan } from '../secret-scan.ts';

/** One check per token format in catalog/rules/secret-patterns.yaml, so each carries its own provisions. */
export function tokenCheck(rule: SecretPattern): FirmwareCheck {
  return {
    id: `firmware/secret/${rule.id}`,
    title: `${rule.title} in the image`,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: `${rule.rationale} (Format: ${rule.source}.)`,
    remediation:
      rule.remediation ??
      'Revoke the credential now (it is public with the image), and give each unit its own credential at provisioning or first start, stored in protected storage.',
    run(context) {
      return secretScan(context)
        .tokens.filter((t) => t.rule.id === rule.id)
        .map((t) => ({
          result: 'fail' as const,
          location: { path: t.path, line: t.line },
          message: `${rule.title} ${t.redacted}${rule.nearby ? (t.complete ? ' with its secret part nearby' : ' (no secret part found nearby)') : ''}`,
          evidence: t.evidence,
          ...(rule.nearby && !t.complete ? { severity: rule.nearby.severityAlone } : {}),
        }));
    },
  };
}

export function tokenChecks(): FirmwareCheck[] {
  return secretPatterns().map(tokenCheck);
}
