import type { FirmwareCheck } from '../../firmware-check.ts';
import { storedCredentials } from '../credential-sources.ts';

export const emptyPassword: FirmwareCheck = {
  id: 'firmware/empty-password',
  title: 'Login-capable account without a password',
  provisions: ['5.1-1'],
  severity: 'critical',
  rationale:
    'An empty password field lets anyone log in to that account wherever the login service accepts it (busybox login, dropbear, PAM with nullok).',
  remediation: 'Lock the account (`!` in the password field) or give each unit its own password at first start.',
  run(context) {
    return storedCredentials(context)
      .filter((c) => c.identification.scheme === 'no-password' && (c.kind !== 'system' || c.loginCapable))
      .map((c) => ({
        result: 'fail' as const,
        location: { path: c.path, line: c.line },
        message: `${c.kind === 'system' ? 'account' : `${c.kind} user`} ${c.username} has no password at all`,
        evidence: `${c.username}::`,
      }));
  },
};
