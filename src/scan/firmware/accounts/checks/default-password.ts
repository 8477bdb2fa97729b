import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { redactHash, redactPassword, storedCredentials } from '../credential-sources.ts';
import { crackedHashes } from '../cracked.ts';

export const defaultPassword: FirmwareCheck = {
  id: 'firmware/default-password',
  title: 'Stored password is a known default',
  provisions: ['5.1-1', '5.1-2'],
  severity: 'critical',
  rationale:
    "The hash verifies against a password from the lists botnets such as Mirai try first (or the product's own name): an attacker needs one guess.",
  remediation: 'Remove the password from the image; never ship a default from a public list or derived from the product name.',
  async run(context) {
    const cracked = await crackedHashes(context);
    const drafts: FindingDraft[] = [];
    for (const c of storedCredentials(context)) {
      const outcome = cracked.get(c.hash);
      if (outcome?.status !== 'match') continue;
      drafts.push({
        result: 'fail',
        location: { path: c.path, line: c.line },
        message: `${c.kind === 'system' ? 'account' : `${c.kind} user`} ${c.username} has a known default password: ${redactPassword(outcome.password)}`,
        evidence: `${c.username}:${redactHash(c.hash)}`,
      });
    }
    return drafts;
  },
};
