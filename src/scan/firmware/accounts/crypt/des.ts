// DES (FIPS 46-3) with crypt(3)'s salt, and the two DES-based password hashes built on it: traditional
// 13-character DES crypt (25 encryptions of a zero block, 12-bit salt, 8-character passwords) and BSDi's
// extended DES crypt (`_` + 24-bit count + 24-bit salt, passwords of any length folded into the key).
// Node's OpenSSL 3 has single DES only in its legacy provider, and crypt(3) perturbs the E expansion with
// the salt anyway, so the rounds are here: the E expansion as shifts and masks, the S-boxes and P merged
// into eight 64-entry tables, the salt as a swap of E-output bits i and i+24.
import { ITOA64, atoi64 } from './encoding.ts';
import { CostTooHigh, MalformedHash, type CostLimits } from './types.ts';

// The FIPS 46-3 tables, bits numbered from 1 at the most significant end.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41,
  33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7,
  62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
  44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const SBOXES = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11,
    15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1,
    5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0,
    11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13,
    15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8,
    15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3,
    7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14,
    10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2,
    0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

/** SP[k][six bits]: S-box k's output for a 6-bit input, put through P, as the 32-bit f() contribution. */
const SP: Uint32Array[] = SBOXES.map((box, k) => {
  const table = new Uint32Array(64);
  for (let six = 0; six < 64; six++) {
    const row = ((six & 0x20) >> 4) | (six & 1);
    const column = (six >> 1) & 0x0f;
    const nibble = box[row * 16 + column]!;
    // The nibble is f()'s bits 4k+1..4k+4 before P; P[j] names the pre-P bit that lands on output bit j+1.
    let out = 0;
    for (let j = 0; j < 32; j++) {
      const from = P[j]! - 1;
      if (from >= 4 * k && from < 4 * k + 4 && nibble & (8 >> (from - 4 * k))) out |= 1 << (31 - j);
    }
    table[six] = out >>> 0;
  }
  return table;
});

function bitOf(bytes: Uint8Array, bit: number): number {
  return (bytes[(bit - 1) >> 3]! >> (7 - ((bit - 1) & 7))) & 1;
}

/** A 64-bit permutation of (hi, lo) by a 1-based table. */
function permute64(hi: number, lo: number, table: readonly number[]): [number, number] {
  let outHi = 0;
  let outLo = 0;
  for (let i = 0; i < 64; i++) {
    const from = table[i]! - 1;
    const bit = from < 32 ? (hi >>> (31 - from)) & 1 : (lo >>> (63 - from)) & 1;
    if (i < 32) outHi |= bit << (31 - i);
    else outLo |= bit << (63 - i);
  }
  return [outHi >>> 0, outLo >>> 0];
}

const FP: number[] = (() => {
  const inverse = new Array<number>(64);
  IP.forEach((from, to) => (inverse[from - 1] = to + 1));
  return inverse;
})();

/** The 16 round keys of an 8-byte key, each as two 24-bit halves (kl = bits 1-24, kr = bits 25-48). */
export interface KeySchedule {
  kl: Uint32Array;
  kr: Uint32Array;
}

export function keySchedule(key: Uint8Array): KeySchedule {
  let c = 0;
  let d = 0;
  for (let i = 0; i < 28; i++) c = (c << 1) | bitOf(key, PC1[i]!);
  for (let i = 28; i < 56; i++) d = (d << 1) | bitOf(key, PC1[i]!);
  const kl = new Uint32Array(16);
  const kr = new Uint32Array(16);
  for (let round = 0; round < 16; round++) {
    for (let s = 0; s < SHIFTS[round]!; s++) {
      c = ((c << 1) | (c >>> 27)) & 0x0fffffff;
      d = ((d << 1) | (d >>> 27)) & 0x0fffffff;
    }
    let l = 0;
    let r = 0;
    for (let i = 0; i < 48; i++) {
      const from = PC2[i]!; // 1..56 over C then D
      const bit = from <= 28 ? (c >>> (28 - from)) & 1 : (d >>> (56 - from)) & 1;
      if (i < 24) l = (l << 1) | bit;
      else r = (r << 1) | bit;
    }
    kl[round] = l;
    kr[round] = r;
  }
  return { kl, kr };
}

/** crypt(3)'s salt as the mask of E-output bits to swap between the halves: salt bit i swaps bit i+1 with bit i+25. */
export function saltBits(salt: number): number {
  let bits = 0;
  for (let i = 0; i < 24; i++) if (salt & (1 << i)) bits |= 0x800000 >>> i;
  return bits;
}

/**
 * `count` chained DES encryptions of the 64-bit block (hi, lo), with the salt perturbation; IP once at the
 * start and its inverse once at the end, as crypt(3) does.
 */
export function desEncrypt(schedule: KeySchedule, salt: number, hi: number, lo: number, count: number): [number, number] {
  const { kl, kr } = schedule;
  const [sp0, sp1, sp2, sp3, sp4, sp5, sp6, sp7] = SP as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let [l, r] = permute64(hi, lo, IP);
  let f = 0;
  while (count-- > 0) {
    for (let round = 0; round < 16; round++) {
      // E expansion of r into two 24-bit halves.
      let r48l =
        ((r & 0x00000001) << 23) |
        ((r & 0xf8000000) >>> 9) |
        ((r & 0x1f800000) >>> 11) |
        ((r & 0x01f80000) >>> 13) |
        ((r & 0x001f8000) >>> 15);
      let r48r = ((r & 0x0001f800) << 7) | ((r & 0x00001f80) << 5) | ((r & 0x000001f8) << 3) | ((r & 0x0000001f) << 1) | (r >>> 31);
      const swap = (r48l ^ r48r) & salt;
      r48l ^= swap ^ kl[round]!;
      r48r ^= swap ^ kr[round]!;
      f =
        sp0[r48l >>> 18]! |
        sp1[(r48l >>> 12) & 0x3f]! |
        sp2[(r48l >>> 6) & 0x3f]! |
        sp3[r48l & 0x3f]! |
        sp4[r48r >>> 18]! |
        sp5[(r48r >>> 12) & 0x3f]! |
        sp6[(r48r >>> 6) & 0x3f]! |
        sp7[r48r & 0x3f]!;
      f = (f ^ l) >>> 0;
      l = r;
      r = f;
    }
    // Undo the last round's swap: the pre-output block (R16, L16) feeds the next encryption.
    r = l;
    l = f;
  }
  return permute64(l, r, FP);
}

/** Plain DES-ECB of one 8-byte block (no salt): for tests against a reference implementation. */
export function desEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const view = new DataView(block.buffer, block.byteOffset, 8);
  const [hi, lo] = desEncrypt(keySchedule(key), 0, view.getUint32(0), view.getUint32(4), 1);
  const out = new Uint8Array(8);
  const outView = new DataView(out.buffer);
  outView.setUint32(0, hi);
  outView.setUint32(4, lo);
  return out;
}

/** The 64-bit DES output as crypt(3)'s 11 characters. */
function encodeBlock(hi: number, lo: number): string {
  let out = '';
  const groups: [number, number][] = [
    [hi >>> 8, 4],
    [((hi << 16) | (lo >>> 16)) & 0xffffff, 4],
    [(lo << 2) & 0x3ffff, 3],
  ];
  for (const [value, chars] of groups) {
    for (let i = chars - 1; i >= 0; i--) out += ITOA64[(value >>> (6 * i)) & 0x3f];
  }
  return out;
}

function decode64Le(text: string): number {
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const v = atoi64(text[i]!);
    if (v === undefined) throw new MalformedHash(`"${text}" has a character outside crypt(3)'s alphabet`);
    value |= v << (6 * i);
  }
  return value;
}

/** Traditional DES crypt: the 2-character salt, then the password's first 8 bytes, 7 bits each, as the key. */
export function desCrypt(password: Uint8Array, setting: string): string {
  if (setting.length < 2) throw new MalformedHash('a DES crypt hash starts with a 2-character salt');
  const saltText = setting.slice(0, 2);
  const salt = decode64Le(saltText);
  const key = new Uint8Array(8);
  for (let i = 0; i < 8 && i < password.length; i++) key[i] = (password[i]! << 1) & 0xff;
  const [hi, lo] = desEncrypt(keySchedule(key), saltBits(salt), 0, 0, 25);
  return saltText + encodeBlock(hi, lo);
}

/** The iteration count of an extended BSDi DES setting (`_CCCCSSSS`). */
export function bsdiCount(setting: string): number {
  return decode64Le(setting.slice(1, 5));
}

/** Extended BSDi DES crypt: `_`, 4 characters of count, 4 of salt; every 8 further password bytes fold into the key. */
export function bsdiCrypt(password: Uint8Array, setting: string, limits: CostLimits): string {
  if (setting.length < 9 || setting[0] !== '_') throw new MalformedHash('an extended DES hash is _ + 4 characters of count + 4 of salt');
  const count = bsdiCount(setting);
  const salt = decode64Le(setting.slice(5, 9));
  if (count === 0) throw new MalformedHash('extended DES count 0');
  if (count > limits.maxIterations) throw new CostTooHigh(`extended DES count ${count} is above the limit of ${limits.maxIterations}`);
  const key = new Uint8Array(8);
  let at = 0;
  for (let i = 0; i < 8; i++) {
    key[i] = ((password[at] ?? 0) << 1) & 0xff;
    if (at < password.length) at++;
  }
  let schedule = keySchedule(key);
  while (at < password.length) {
    // Encrypt the key with itself, then XOR in the next 8 bytes.
    const view = new DataView(key.buffer);
    const [hi, lo] = desEncrypt(schedule, 0, view.getUint32(0), view.getUint32(4), 1);
    view.setUint32(0, hi);
    view.setUint32(4, lo);
    for (let i = 0; i < 8 && at < password.length; i++) key[i]! ^= (password[at++]! << 1) & 0xff;
    schedule = keySchedule(key);
  }
  const [hi, lo] = desEncrypt(schedule, saltBits(salt), 0, 0, count);
  return setting.slice(0, 9) + encodeBlock(hi, lo);
}
