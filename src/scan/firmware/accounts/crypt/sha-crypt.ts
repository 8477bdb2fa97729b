// SHA-crypt ($5$ sha256crypt, $6$ sha512crypt) as Ulrich Drepper's specification "Unix crypt using
// SHA-256 and SHA-512" (2007/2008) defines it: a salt of up to 16 characters, `rounds=N$` optional
// (default 5000, at least 1000, at most 999,999,999), and the digest bytes in a fixed permuted order.
import { hash } from 'node:crypto';
import { encodeTriples, to64 } from './encoding.ts';
import { CostTooHigh, MalformedHash, type CostLimits } from './types.ts';

export const ROUNDS_DEFAULT = 5000;
export const ROUNDS_MIN = 1000;
export const ROUNDS_MAX = 999_999_999;

interface Variant {
  magic: '$5$' | '$6$';
  algorithm: 'sha256' | 'sha512';
  size: number;
  encode(digest: Uint8Array): string;
}

const SHA256: Variant = {
  magic: '$5$',
  algorithm: 'sha256',
  size: 32,
  encode: (d) =>
    encodeTriples(d, [
      [0, 10, 20],
      [21, 1, 11],
      [12, 22, 2],
      [3, 13, 23],
      [24, 4, 14],
      [15, 25, 5],
      [6, 16, 26],
      [27, 7, 17],
      [18, 28, 8],
      [9, 19, 29],
    ]) + to64((d[31]! << 8) | d[30]!, 3),
};

const SHA512: Variant = {
  magic: '$6$',
  algorithm: 'sha512',
  size: 64,
  encode: (d) => {
    // Drepper's order: (0,21,42), (22,43,1), (44,2,23), (3,24,45), …: bytes i, i+21, i+42, rotated by i mod 3.
    const triples: [number, number, number][] = [];
    for (let i = 0; i < 21; i++) {
      const [x, y, z] = [i, i + 21, i + 42];
      triples.push(i % 3 === 0 ? [x, y, z] : i % 3 === 1 ? [y, z, x] : [z, x, y]);
    }
    return encodeTriples(d, triples) + to64(d[63]!, 2);
  },
};

/** A parsed `$5$`/`$6$` setting. */
export interface ShaCryptSetting {
  magic: '$5$' | '$6$';
  /** Undefined when the setting names no rounds (5000, and no `rounds=` in the output). */
  rounds: number | undefined;
  salt: string;
}

const ROUNDS_PREFIX = 'rounds=';

/** Parses the setting; throws MalformedHash for a rounds= that crypt(3) would never accept a password for. */
export function parseShaCryptSetting(setting: string): ShaCryptSetting {
  const magic = setting.startsWith('$5$') ? '$5$' : setting.startsWith('$6$') ? '$6$' : undefined;
  if (!magic) throw new MalformedHash('not a SHA-crypt hash');
  let rest = setting.slice(3);
  let rounds: number | undefined;
  if (rest.startsWith(ROUNDS_PREFIX)) {
    const end = rest.indexOf('$');
    const digits = rest.slice(ROUNDS_PREFIX.length, end === -1 ? undefined : end);
    if (end === -1 || !/^[1-9][0-9]{0,9}$/.test(digits)) throw new MalformedHash(`rounds=${digits} is not a number of rounds`);
    rounds = Number(digits);
    // glibc clamps such a count and then writes the clamped one, so the stored hash never equals crypt()'s output;
    // libxcrypt refuses it. Either way no password matches.
    if (rounds < ROUNDS_MIN || rounds > ROUNDS_MAX) throw new MalformedHash(`rounds=${rounds} is outside ${ROUNDS_MIN}–${ROUNDS_MAX}`);
    rest = rest.slice(end + 1);
  }
  const saltEnd = rest.indexOf('$');
  const salt = (saltEnd === -1 ? rest : rest.slice(0, saltEnd)).slice(0, 16);
  return { magic, rounds, salt };
}

/** sha256crypt or sha512crypt of `password` with `setting` (anything after the salt is ignored). */
export function shaCrypt(password: Uint8Array, setting: string, limits: CostLimits): string {
  const parsed = parseShaCryptSetting(setting);
  const variant = parsed.magic === '$5$' ? SHA256 : SHA512;
  const rounds = parsed.rounds ?? ROUNDS_DEFAULT;
  if (rounds > limits.maxShaCryptRounds) throw new CostTooHigh(`rounds=${rounds} is above the limit of ${limits.maxShaCryptRounds}`);
  const h = (...parts: Uint8Array[]): Buffer => hash(variant.algorithm, Buffer.concat(parts), 'buffer');
  const salt = Buffer.from(parsed.salt, 'utf8');
  const size = variant.size;

  // Digest B: password, salt, password.
  const b = h(password, salt, password);
  // Digest A: password, salt, B repeated over the password's length, then B or the password for each bit of the length.
  const aParts: Uint8Array[] = [password, salt];
  let left = password.length;
  for (; left > size; left -= size) aParts.push(b);
  aParts.push(b.subarray(0, left));
  for (let bits = password.length; bits > 0; bits >>= 1) aParts.push(bits & 1 ? b : password);
  const a = h(...aParts);
  // P: digest DP (the password once per byte of its length) stretched to the password's length.
  const dp = h(...new Array<Uint8Array>(password.length).fill(password));
  const p = repeatTo(dp, password.length);
  // S: digest DS (the salt 16 + A[0] times) cut to the salt's length.
  const ds = h(...new Array<Uint8Array>(16 + a[0]!).fill(salt));
  const s = repeatTo(ds, salt.length);

  let c: Buffer = a;
  for (let i = 0; i < rounds; i++) {
    const parts: Uint8Array[] = [i & 1 ? p : c];
    if (i % 3) parts.push(s);
    if (i % 7) parts.push(p);
    parts.push(i & 1 ? c : p);
    c = h(...parts);
  }
  const roundsText = parsed.rounds === undefined ? '' : `${ROUNDS_PREFIX}${parsed.rounds}$`;
  return `${parsed.magic}${roundsText}${parsed.salt}$${variant.encode(c)}`;
}

function repeatTo(digest: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = digest[i % digest.length]!;
  return out;
}
