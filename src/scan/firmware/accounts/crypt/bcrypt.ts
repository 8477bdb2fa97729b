// bcrypt (Provos and Mazières, "A Future-Adaptable Password Scheme", USENIX 1999): EksBlowfish with
// 2^cost rounds of key schedule, then "OrpheanBeholderScryDoubt" encrypted 64 times. Follows the
// crypt_blowfish conventions that libxcrypt and glibc-based systems use: the key is the password's bytes
// and its NUL, cycled over 72 bytes; `$2b$`/`$2y$` are the correct algorithm, `$2x$` reproduces the 8-bit
// sign-extension bug of crypt_blowfish before 1.1, and `$2a$` is the correct algorithm with its
// countermeasure (a password whose 8-bit bytes would have been mangled by the bug gets a different key).
import { bcryptDecode, bcryptEncode } from './encoding.ts';
import { CostTooHigh, MalformedHash, type CostLimits } from './types.ts';

/**
 * Blowfish's initial P-array and S-boxes are the fractional part of pi in hexadecimal (Schneier, 1993):
 * 18 + 4 × 256 32-bit words. Computed here once with Machin's formula in BigInt instead of a 4 KiB table.
 */
let initialState: Uint32Array | undefined;

function piWords(count: number): Uint32Array {
  const bits = BigInt(count * 32 + 64); // 64 guard bits
  const one = 1n << bits;
  const arctanInverse = (x: bigint): bigint => {
    const x2 = x * x;
    let term = one / x;
    let sum = term;
    for (let k = 1n; term !== 0n; k++) {
      term /= x2;
      const t = term / (2n * k + 1n);
      sum += k & 1n ? -t : t;
    }
    return sum;
  };
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
  const fraction = (pi - 3n * one) >> 64n; // drop the integer part and the guard bits
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = Number((fraction >> BigInt((count - 1 - i) * 32)) & 0xffffffffn);
  return words;
}

/** P (18 words) followed by S0–S3 (256 words each): Blowfish's initial state. */
export function blowfishInitialState(): Uint32Array {
  initialState ??= piWords(18 + 1024);
  return initialState;
}

/** "OrpheanBeholderScryDoubt" as six big-endian words. */
const MAGIC = Uint32Array.from([0x4f727068, 0x65616e42, 0x65686f6c, 0x64657253, 0x63727944, 0x6f756274]);

class Blowfish {
  readonly state: Uint32Array;
  l = 0;
  r = 0;

  constructor(initial: Uint32Array) {
    this.state = Uint32Array.from(initial);
  }

  /** Encrypts (this.l, this.r) in place: 16 Feistel rounds over P[0..17] and the S-boxes at state[18..]. */
  encrypt(): void {
    const s = this.state;
    let l = this.l;
    let r = this.r;
    for (let i = 0; i < 16; i += 2) {
      l ^= s[i]!;
      r ^= (((s[18 + (l >>> 24)]! + s[274 + ((l >>> 16) & 0xff)]!) ^ s[530 + ((l >>> 8) & 0xff)]!) + s[786 + (l & 0xff)]!) | 0;
      r ^= s[i + 1]!;
      l ^= (((s[18 + (r >>> 24)]! + s[274 + ((r >>> 16) & 0xff)]!) ^ s[530 + ((r >>> 8) & 0xff)]!) + s[786 + (r & 0xff)]!) | 0;
    }
    this.l = (r ^ s[17]!) >>> 0;
    this.r = (l ^ s[16]!) >>> 0;
  }

  /** Re-fills P and the S-boxes from a chain of encryptions, each block XORed with the next two salt words when given. */
  refill(salt?: Uint32Array): void {
    const s = this.state;
    let l = 0;
    let r = 0;
    for (let i = 0; i < s.length; i += 2) {
      if (salt) {
        l ^= salt[i & 3]!;
        r ^= salt[(i + 1) & 3]!;
      }
      // encrypt(), inlined: this loop is nearly all of bcrypt's time.
      for (let k = 0; k < 16; k += 2) {
        l ^= s[k]!;
        r ^= (((s[18 + (l >>> 24)]! + s[274 + ((l >>> 16) & 0xff)]!) ^ s[530 + ((l >>> 8) & 0xff)]!) + s[786 + (l & 0xff)]!) | 0;
        r ^= s[k + 1]!;
        l ^= (((s[18 + (r >>> 24)]! + s[274 + ((r >>> 16) & 0xff)]!) ^ s[530 + ((r >>> 8) & 0xff)]!) + s[786 + (r & 0xff)]!) | 0;
      }
      const outL = r ^ s[17]!;
      r = l ^ s[16]!;
      l = outL;
      s[i] = l;
      s[i + 1] = r;
    }
  }

  xorP(words: Uint32Array): void {
    for (let i = 0; i < 18; i++) this.state[i]! ^= words[i % words.length]!;
  }
}

/** crypt_blowfish's BF_set_key: the 18 key words from the password and its NUL, with the $2x$ bug and the $2a$ countermeasure. */
function expandKey(password: Uint8Array, subtype: string): { expanded: Uint32Array; signFlag: number } {
  const bug = subtype === 'x';
  const safety = subtype === 'a';
  const key = new Uint8Array(password.length + 1);
  key.set(password);
  const expanded = new Uint32Array(18);
  let at = 0;
  let diff = 0;
  let sign = 0;
  for (let i = 0; i < 18; i++) {
    let correct = 0;
    let buggy = 0;
    for (let j = 0; j < 4; j++) {
      const byte = key[at]!;
      correct = ((correct << 8) | byte) >>> 0;
      buggy = ((buggy << 8) | (byte >= 0x80 ? byte - 0x100 : byte)) >>> 0; // sign-extended, as (signed char)
      if (j) sign |= buggy & 0x80;
      at = at === key.length - 1 ? 0 : at + 1;
    }
    diff |= correct ^ buggy;
    expanded[i] = bug ? buggy : correct;
  }
  // Bit 16 set when the bug would have made a difference; the countermeasure flips it into P[0].
  diff |= diff >>> 16;
  diff &= 0xffff;
  diff += 0xffff;
  const signFlag = safety ? ((sign << 9) & ~diff & 0x10000) >>> 0 : 0;
  return { expanded, signFlag };
}

export interface BcryptSetting {
  subtype: 'a' | 'b' | 'x' | 'y';
  cost: number;
  /** The 22 salt characters as given. */
  saltText: string;
}

export function parseBcryptSetting(setting: string): BcryptSetting {
  const match = /^\$2([abxy])\$([0-9]{2})\$([./A-Za-z0-9]{22})/.exec(setting);
  if (!match) throw new MalformedHash('a bcrypt hash is $2a$, $2b$, $2x$ or $2y$, two digits of cost, $, and 22 characters of salt');
  const cost = Number(match[2]);
  if (cost < 4 || cost > 31) throw new MalformedHash(`bcrypt cost ${cost} is outside 4–31`);
  return { subtype: match[1] as BcryptSetting['subtype'], cost, saltText: match[3]! };
}

/** bcrypt of `password` with `setting` (`$2b$10$` + 22 characters of salt; anything after is ignored). */
export function bcrypt(password: Uint8Array, setting: string, limits: CostLimits): string {
  const { subtype, cost, saltText } = parseBcryptSetting(setting);
  if (cost > limits.maxBcryptCost) throw new CostTooHigh(`bcrypt cost ${cost} is above the limit of ${limits.maxBcryptCost}`);
  const saltBytes = bcryptDecode(saltText, 16);
  if (!saltBytes) throw new MalformedHash('bcrypt salt does not decode');
  const saltView = new DataView(saltBytes.buffer);
  const salt = Uint32Array.from([0, 4, 8, 12], (o) => saltView.getUint32(o));
  const { expanded, signFlag } = expandKey(password.length > 72 ? password.subarray(0, 72) : password, subtype);

  const bf = new Blowfish(blowfishInitialState());
  bf.xorP(expanded);
  bf.state[0]! ^= signFlag;
  bf.refill(salt);
  // The rounds XOR in the key words without the countermeasure's flag, as crypt_blowfish does.
  for (let round = 2 ** cost; round > 0; round--) {
    bf.xorP(expanded);
    bf.refill();
    bf.xorP(salt);
    bf.refill();
  }
  const output = new Uint8Array(24);
  const outView = new DataView(output.buffer);
  for (let i = 0; i < 6; i += 2) {
    bf.l = MAGIC[i]!;
    bf.r = MAGIC[i + 1]!;
    for (let n = 0; n < 64; n++) bf.encrypt();
    outView.setUint32(i * 4, bf.l);
    outView.setUint32(i * 4 + 4, bf.r);
  }
  // The salt is written back canonically: the last character carries only 2 of its 6 bits.
  const canonicalSalt = bcryptEncode(saltBytes);
  return `$2${subtype}$${String(cost).padStart(2, '0')}$${canonicalSalt}${bcryptEncode(output.subarray(0, 23))}`;
}
