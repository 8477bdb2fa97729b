import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { redactHash, storedCredentials } from '../credential-sources.ts';

const NOT_A_PASSWORD = new Set(['locked', 'no-password']);

export const universalPassword: FirmwareCheck = {
  id: 'firmware/universal-password',
  title: 'Password baked into the image',
  provisions: ['5.1-1'],
  severity: 'high',
  rationale:
    'Everything in an image is the same on every unit flashed with it, so a password hash stored there is one password shared by every device: a universal default password, which the PSTI forbids.',
  remediation:
    'Ship the account locked (`!` in /etc/shadow) and have each unit set a unique password at first start, or make the user choose one before the service can be used.',
  run(context) {
    const credentials = storedCredentials(context);
    const drafts: FindingDraft[] = [];
    for (const c of credentials) {
      if (NOT_A_PASSWORD.has(c.identification.scheme) || (c.kind === 'system' && !c.loginCapable)) continue;
      const what = c.kind === 'system' ? `account ${c.username} can log in with a password` : `${c.kind} user ${c.username} has a password`;
      drafts.push({
        result: 'fail',
        location: { path: c.path, line: c.line },
        message: `${what} stored in the image (${c.identification.name}): every unit shares it`,
        evidence: `${c.username}:${redactHash(c.hash)}`,
      });
    }
    if (!drafts.length && credentials.length) {
      drafts.push({
        result: 'pass',
        location: { path: credentials[0]?.path ?? '/etc/passwd' },
        message: `none of the ${credentials.length} stored credentials gives a password login: the accounts are locked or cannot log in`,
      });
    }
    return drafts;
  },
};
