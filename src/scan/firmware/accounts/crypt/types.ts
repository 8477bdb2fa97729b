// What verifying a password against a stored hash can come to, and the limits on the work it may take.

/** The verdict for one password against one hash: it matches, it does not, or the hash cannot be checked (and why). */
export type VerifyResult = 'match' | 'no-match' | { unverifiable: string };

/**
 * The most work one verification may take. A hash whose cost is above a limit is reported unverifiable
 * rather than computed: a firmware image can set any cost, and a scan must end.
 */
export interface CostLimits {
  /** sha256crypt/sha512crypt rounds= (default 5000; the hash allows up to 999,999,999). */
  maxShaCryptRounds: number;
  /** bcrypt's log2 cost (default 10 for most tools; 31 is allowed). */
  maxBcryptCost: number;
  /** Iterations of extended BSDi DES (_), of NetBSD sha1crypt and of Mosquitto's PBKDF2. */
  maxIterations: number;
  /** Memory of one scrypt, yescrypt or Argon2 computation, in bytes. */
  maxMemoryBytes: number;
  /** SunMD5 rounds (basic 4096 plus rounds=). */
  maxSunMd5Rounds: number;
}

export const DEFAULT_LIMITS: CostLimits = {
  maxShaCryptRounds: 200_000,
  maxBcryptCost: 12,
  maxIterations: 500_000,
  maxMemoryBytes: 64 * 1024 * 1024,
  maxSunMd5Rounds: 200_000,
};

/** Reports a hash unverifiable; a helper so the verifiers read as `return unverifiable('…')`. */
export function unverifiable(reason: string): VerifyResult {
  return { unverifiable: reason };
}

/** Thrown inside a verifier when a hash cannot be checked; verify() turns it into an unverifiable result, never a throw. */
export class CannotVerify extends Error {}

/** The hash does not have its scheme's form (or has parameters no implementation accepts). */
export class MalformedHash extends CannotVerify {}

/** Thrown inside a verifier when a hash's cost is above the configured limit; verify() reports it unverifiable. */
export class CostTooHigh extends CannotVerify {}
