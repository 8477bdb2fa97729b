// scrypt in the "$7$" crypt format (Colin Percival's, as libxcrypt and yescrypt write it):
//   $7$ + log2(N) (1 character) + r (5 characters) + p (5 characters), each 6 bits least significant
//   first, + the salt (used as its text, not decoded) + $ + 43 characters of a 32-byte scrypt output,
//   encoded little-endian in 24-bit groups. Node's crypto.scrypt does the work.
import { scryptSync } from 'node:crypto';
import { atoi64, encode64LittleEndian } from './encoding.ts';
import { CostTooHigh, MalformedHash, type CostLimits } from './types.ts';

export interface ScryptSetting {
  log2N: number;
  r: number;
  p: number;
  /** Everything before the hash: `$7$` + parameters + salt. */
  prefix: string;
  salt: string;
}

function decodeFixed(text: string): number {
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const v = atoi64(text[i]!);
    if (v === undefined) throw new MalformedHash('scrypt parameters use crypt(3) alphabet characters');
    value += v * 2 ** (6 * i);
  }
  return value;
}

export function parseScryptSetting(setting: string): ScryptSetting {
  if (!setting.startsWith('$7$') || setting.length < 14)
    throw new MalformedHash('an scrypt hash is $7$ + 11 characters of parameters + salt');
  const log2N = atoi64(setting[3]!);
  if (log2N === undefined) throw new MalformedHash('scrypt log2(N) is not a crypt(3) alphabet character');
  const r = decodeFixed(setting.slice(4, 9));
  const p = decodeFixed(setting.slice(9, 14));
  const rest = setting.slice(14);
  const end = rest.indexOf('$');
  const salt = end === -1 ? rest : rest.slice(0, end);
  if (!/^[./0-9A-Za-z]*$/.test(salt)) throw new MalformedHash('scrypt salt has a character outside crypt(3) alphabet');
  // libxcrypt (yescrypt's scrypt) refuses N = 2 as well as N = 1.
  if (log2N < 2 || r < 1 || p < 1) throw new MalformedHash('scrypt N, r and p must be at least 4, 1 and 1');
  return { log2N, r, p, salt, prefix: setting.slice(0, 14) + salt };
}

/** The memory one scrypt computation of these parameters takes. */
export function scryptMemory(log2N: number, r: number): number {
  return 128 * r * 2 ** log2N;
}

export function scryptCrypt(password: Uint8Array, setting: string, limits: CostLimits): string {
  const { log2N, r, p, salt, prefix } = parseScryptSetting(setting);
  const memory = scryptMemory(log2N, r);
  if (memory > limits.maxMemoryBytes || r * p >= 2 ** 30) {
    throw new CostTooHigh(`scrypt N=2^${log2N}, r=${r}, p=${p} needs ${memory} bytes, above the limit of ${limits.maxMemoryBytes}`);
  }
  // Time grows with N × r × p: allow up to four passes over the largest memory allowed.
  if (memory * p > 4 * limits.maxMemoryBytes) throw new CostTooHigh(`scrypt N=2^${log2N}, r=${r}, p=${p} is above the work limit`);
  let derived: Buffer;
  try {
    derived = scryptSync(password, Buffer.from(salt, 'latin1'), 32, { N: 2 ** log2N, r, p, maxmem: memory + 16 * 1024 * 1024 });
  } catch (error) {
    throw new MalformedHash(`scrypt refused the parameters: ${(error as Error).message}`);
  }
  return `${prefix}$${encode64LittleEndian(derived)}`;
}
