// Argon2 (RFC 9106) hashes in the PHC string format that mosquitto 2.1, libsodium and the argon2 tool
// write: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>, salt and hash unpadded Base64.
// Node's crypto.argon2 (Node 24.7+) does the work; on an older Node 24 they are unverifiable.
import * as crypto from 'node:crypto';
import type { Argon2Algorithm } from 'node:crypto';
import { decodeBase64 } from './encoding.ts';
import { CostTooHigh, MalformedHash, type CostLimits } from './types.ts';

const PHC = /^\$(argon2(?:id|i|d))\$(?:v=([0-9]+)\$)?m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export function verifyArgon2(password: Uint8Array, text: string, limits: CostLimits): boolean {
  const match = PHC.exec(text);
  if (!match) throw new MalformedHash('an Argon2 hash is $argon2id$v=19$m=…,t=…,p=…$salt$hash');
  const [, algorithm, version, m, t, p, saltText, hashText] = match;
  if (version !== undefined && version !== '19') throw new MalformedHash(`Argon2 version ${version}: only version 19 (0x13) is supported`);
  const memory = Number(m);
  const passes = Number(t);
  const parallelism = Number(p);
  const salt = decodeBase64(saltText!);
  const expected = decodeBase64(hashText!);
  if (!salt || !expected || salt.length < 8 || expected.length < 4) throw new MalformedHash('Argon2 salt or hash does not decode');
  if (parallelism < 1 || passes < 1 || memory < 8 * parallelism) throw new MalformedHash('Argon2 parameters out of range');
  if (memory * 1024 > limits.maxMemoryBytes)
    throw new CostTooHigh(`Argon2 m=${memory} KiB is above the limit of ${limits.maxMemoryBytes} bytes`);
  // Time grows with passes × memory: allow up to four passes over the largest memory allowed.
  if (passes * memory * 1024 > 4 * limits.maxMemoryBytes)
    throw new CostTooHigh(`Argon2 t=${passes}, m=${memory} KiB is above the work limit`);
  const computed = crypto.argon2Sync(algorithm as Argon2Algorithm, {
    message: password,
    nonce: salt,
    parallelism,
    tagLength: expected.length,
    memory,
    passes,
  });
  return crypto.timingSafeEqual(computed, expected);
}

/** Whether this Node has crypto.argon2Sync (added in Node 24.7). */
export function argon2Supported(): boolean {
  // Looked up on the namespace: a named import would fail to link on a Node 24 before 24.7.
  return typeof (crypto as { argon2Sync?: unknown }).argon2Sync === 'function';
}
