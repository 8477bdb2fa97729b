import type { FirmwareCheck } from '../../firmware-check.ts';
import type { Scheme } from '../crypt/index.ts';
import { redactHash, storedCredentials } from '../credential-sources.ts';

/** Schemes that are fast to brute-force or cryptographically broken. */
const WEAK: ReadonlySet<Scheme> = new Set([
  'descrypt',
  'bsdicrypt',
  'md5crypt',
  'apr1',
  'sunmd5',
  'nthash',
  'ldap-sha',
  'ldap-ssha',
  'mosquitto-sha512',
]);

export const weakPasswordHash: FirmwareCheck = {
  id: 'firmware/weak-password-hash',
  title: 'Password stored with a weak hashing scheme',
  provisions: ['5.1-3'],
  severity: 'medium',
  rationale:
    'DES crypt, MD5-based crypt and unsalted or single-round SHA hashes fall to offline guessing at billions of tries a second: not best-practice cryptography for authentication.',
  remediation: 'Use yescrypt, bcrypt or sha512crypt with a high round count (and PBKDF2 for Mosquitto).',
  run(context) {
    return storedCredentials(context)
      .filter(
        (c) =>
          WEAK.has(c.identification.scheme) ||
          (c.identification.locked !== undefined && WEAK.has(c.identification.locked.identification.scheme)),
      )
      .map((c) => ({
        result: 'fail' as const,
        location: { path: c.path, line: c.line },
        message: `${c.username}'s password is stored as ${c.identification.locked?.identification.name ?? c.identification.name}`,
        evidence: `${c.username}:${redactHash(c.hash)}`,
      }));
  },
};
