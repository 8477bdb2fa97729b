// Mosquitto's password file hashes, as mosquitto_passwd writes them and the broker reads them
// (eclipse/mosquitto, common/password_mosq.c, pw__decode and pw__verify_*):
//   $6$<salt>$<hash>         SHA-512 of the password then the salt: one plain digest, NOT sha512crypt
//                            (mosquitto 1.6 and earlier, and `-H sha512`)
//   $7$<iterations>$<salt>$<hash>  PBKDF2-HMAC-SHA512 of the password, 64 bytes (the default since 2.0,
//                            101 iterations)
// Salt (12 or 64 bytes) and hash (64 bytes) are standard Base64. Argon2id hashes ($argon2id$…) of
// mosquitto 2.1 are PHC strings, verified in argon2.ts.
import { hash, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { decodeBase64 } from './encoding.ts';
import { CostTooHigh, MalformedHash, type CostLimits } from './types.ts';

const HASH_LEN = 64;

export type MosquittoHash =
  { kind: 'sha512'; salt: Buffer; digest: Buffer } | { kind: 'pbkdf2'; iterations: number; salt: Buffer; digest: Buffer };

/**
 * A padded Base64 field of the right length, or undefined. mosquitto_passwd always pads (OpenSSL's Base64
 * encoder), and sha512crypt's 86 characters never do, even when none of them is '.': that tells the two apart.
 */
function field(text: string | undefined, lengths: readonly number[]): Buffer | undefined {
  if (text === undefined || text.length % 4 !== 0) return undefined;
  const bytes = decodeBase64(text);
  return bytes && lengths.includes(bytes.length) ? bytes : undefined;
}

/** Parses a Mosquitto hash; undefined when it is not one (so a sha512crypt `$6$` can be told apart). */
export function parseMosquittoHash(text: string): MosquittoHash | undefined {
  const parts = text.split('$');
  if (parts[0] !== '') return undefined;
  if (parts[1] === '6' && parts.length === 4) {
    const salt = field(parts[2], [12, HASH_LEN]);
    const digest = field(parts[3], [HASH_LEN]);
    return salt && digest ? { kind: 'sha512', salt, digest } : undefined;
  }
  if (parts[1] === '7' && parts.length === 5 && /^[0-9]{1,10}$/.test(parts[2]!)) {
    const salt = field(parts[3], [12, HASH_LEN]);
    const digest = field(parts[4], [HASH_LEN]);
    return salt && digest ? { kind: 'pbkdf2', iterations: Number(parts[2]), salt, digest } : undefined;
  }
  return undefined;
}

export function verifyMosquitto(password: Uint8Array, text: string, limits: CostLimits): boolean {
  const parsed = parseMosquittoHash(text);
  if (!parsed) throw new MalformedHash('not a Mosquitto $6$ or $7$ hash (Base64 salt of 12 or 64 bytes, Base64 hash of 64 bytes)');
  let computed: Buffer;
  if (parsed.kind === 'sha512') {
    computed = hash('sha512', Buffer.concat([password, parsed.salt]), 'buffer');
  } else {
    if (parsed.iterations < 1) throw new MalformedHash('Mosquitto PBKDF2 iterations must be at least 1');
    if (parsed.iterations > limits.maxIterations) {
      throw new CostTooHigh(`Mosquitto PBKDF2 iterations ${parsed.iterations} are above the limit of ${limits.maxIterations}`);
    }
    computed = pbkdf2Sync(password, parsed.salt, parsed.iterations, HASH_LEN, 'sha512');
  }
  return timingSafeEqual(computed, parsed.digest);
}
