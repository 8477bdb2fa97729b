import type { FirmwareCheck } from '../../firmware-check.ts';
import { redactHash, storedCredentials } from '../credential-sources.ts';
import { crackedHashes } from '../cracked.ts';

// Said plainly, so that a hash nobody could test never reads as a clean result.
export const unverifiedHash: FirmwareCheck = {
  id: 'firmware/unverified-hash',
  title: 'Password hash that could not be checked against the default list',
  provisions: ['5.1-1'],
  severity: 'info',
  rationale: 'A hash whose scheme cannot be computed here, or whose cost is above the limit, was not tested against known defaults.',
  remediation: 'Check these credentials by hand, or build the libxcrypt binding (scripts/build-xcrypt.sh) for yescrypt.',
  async run(context) {
    const cracked = await crackedHashes(context);
    return storedCredentials(context).flatMap((c) => {
      const outcome = cracked.get(c.hash);
      if (outcome?.status !== 'unverifiable') return [];
      return [
        {
          result: 'info' as const,
          location: { path: c.path, line: c.line },
          message: `${c.username}'s ${c.identification.name} hash was not checked against the default passwords: ${outcome.reason}`,
          evidence: `${c.username}:${redactHash(c.hash)}`,
        },
      ];
    });
  },
};
