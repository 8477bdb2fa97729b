// Which password hashing scheme a stored hash uses, from its form alone: /etc/shadow and /etc/passwd
// fields, htpasswd files, Mosquitto password files. Mosquitto's `$6$`/`$7$` are told from sha512crypt and
// scrypt by their Base64 fields (a 64-byte digest is 88 Base64 characters; sha512crypt writes 86 of its
// own alphabet, scrypt 43).
import { atoi64 } from './encoding.ts';
import { parseMosquittoHash } from './mosquitto.ts';

export type Scheme =
  | 'descrypt'
  | 'bsdicrypt'
  | 'md5crypt'
  | 'apr1'
  | 'sha256crypt'
  | 'sha512crypt'
  | 'bcrypt'
  | 'yescrypt'
  | 'gost-yescrypt'
  | 'scrypt'
  | 'sha1crypt'
  | 'sunmd5'
  | 'nthash'
  | 'argon2'
  | 'ldap-sha'
  | 'ldap-ssha'
  | 'mosquitto-sha512'
  | 'mosquitto-pbkdf2'
  /** `!`, `!!`, `*`, `*LK*`, or such a marker in front of a hash: password login is disabled. */
  | 'locked'
  /** An empty field: no password at all (login without one, where PAM's nullok allows it). */
  | 'no-password'
  | 'unknown';

/** Who verifies a scheme: the TypeScript implementations here, the libxcrypt binding, or nobody. */
export type Verifier = 'typescript' | 'libxcrypt' | 'none';

export interface Identification {
  scheme: Scheme;
  /** A short human name: "sha512crypt ($6$)". */
  name: string;
  verifier: Verifier;
  /** For 'locked': the hash behind the lock marker, when there is one (`!$6$…` is sha512crypt locked with usermod -L). */
  locked?: { hash: string; identification: Identification };
}

interface SchemeInfo {
  name: string;
  verifier: Verifier;
}

export const SCHEMES: Record<Scheme, SchemeInfo> = {
  descrypt: { name: 'traditional DES crypt', verifier: 'typescript' },
  bsdicrypt: { name: 'extended BSDi DES crypt (_)', verifier: 'typescript' },
  md5crypt: { name: 'md5crypt ($1$)', verifier: 'typescript' },
  apr1: { name: 'Apache MD5 ($apr1$)', verifier: 'typescript' },
  sha256crypt: { name: 'sha256crypt ($5$)', verifier: 'typescript' },
  sha512crypt: { name: 'sha512crypt ($6$)', verifier: 'typescript' },
  bcrypt: { name: 'bcrypt ($2a$/$2b$/$2x$/$2y$)', verifier: 'typescript' },
  yescrypt: { name: 'yescrypt ($y$)', verifier: 'libxcrypt' },
  'gost-yescrypt': { name: 'GOST yescrypt ($gy$)', verifier: 'libxcrypt' },
  scrypt: { name: 'scrypt ($7$)', verifier: 'typescript' },
  sha1crypt: { name: 'NetBSD sha1crypt ($sha1$)', verifier: 'typescript' },
  sunmd5: { name: 'Sun MD5 ($md5$)', verifier: 'libxcrypt' },
  nthash: { name: 'NT hash ($3$)', verifier: 'libxcrypt' },
  argon2: { name: 'Argon2 ($argon2id$/$argon2i$/$argon2d$)', verifier: 'typescript' },
  'ldap-sha': { name: 'SHA-1 ({SHA})', verifier: 'typescript' },
  'ldap-ssha': { name: 'salted SHA-1 ({SSHA})', verifier: 'typescript' },
  'mosquitto-sha512': { name: 'Mosquitto SHA-512 ($6$, not sha512crypt)', verifier: 'typescript' },
  'mosquitto-pbkdf2': { name: 'Mosquitto PBKDF2-SHA512 ($7$)', verifier: 'typescript' },
  locked: { name: 'locked or disabled', verifier: 'typescript' },
  'no-password': { name: 'no password (empty field)', verifier: 'typescript' },
  unknown: { name: 'unrecognised', verifier: 'none' },
};

function of(scheme: Scheme): Identification {
  return { scheme, ...SCHEMES[scheme] };
}

const CRYPT64 = /^[./0-9A-Za-z]+$/;

/** The lock marker in front of a hash: `!` repeated (shadow's usermod -L, passwd -l), `*LK*` (Solaris), or `*`/`!*`. */
function lockMarker(hash: string): string | undefined {
  const match = /^(?:\*LK\*|!+\*?|\*+)/.exec(hash);
  return match?.[0];
}

export function identifyScheme(hash: string): Identification {
  if (hash === '') return of('no-password');

  const marker = lockMarker(hash);
  if (marker !== undefined) {
    const rest = hash.slice(marker.length);
    const inner = rest === '' ? undefined : identifyScheme(rest);
    // `*` followed by text is a disabled account whatever the text (`*NP*`, `*LOCKED*`): only a known hash counts as locked behind it.
    if (!inner || inner.scheme === 'unknown' || inner.scheme === 'locked' || inner.scheme === 'no-password') return of('locked');
    return { ...of('locked'), locked: { hash: rest, identification: inner } };
  }

  if (hash.startsWith('$')) {
    if (hash.startsWith('$1$')) return of('md5crypt');
    if (hash.startsWith('$apr1$')) return of('apr1');
    if (hash.startsWith('$5$')) return of('sha256crypt');
    if (hash.startsWith('$6$')) return of(parseMosquittoHash(hash) ? 'mosquitto-sha512' : 'sha512crypt');
    if (/^\$2[abxy]\$/.test(hash)) return of('bcrypt');
    if (hash.startsWith('$y$')) return of('yescrypt');
    if (hash.startsWith('$gy$')) return of('gost-yescrypt');
    if (hash.startsWith('$7$')) return of(parseMosquittoHash(hash) ? 'mosquitto-pbkdf2' : 'scrypt');
    if (hash.startsWith('$sha1$')) return of('sha1crypt');
    if (hash.startsWith('$md5$') || hash.startsWith('$md5,')) return of('sunmd5');
    if (hash.startsWith('$3$')) return of('nthash');
    if (/^\$argon2(?:id|i|d)\$/.test(hash)) return of('argon2');
    return of('unknown');
  }
  if (hash.startsWith('{SHA}')) return of('ldap-sha');
  if (hash.startsWith('{SSHA}')) return of('ldap-ssha');
  if (hash.startsWith('_') && hash.length === 20 && CRYPT64.test(hash.slice(1))) return of('bsdicrypt');
  if (hash.length === 13 && CRYPT64.test(hash)) return of('descrypt');
  return of('unknown');
}

/** yescrypt's variable-length parameter encoding (yescrypt-common.c, decode64_uint32). */
function decodeYescryptUint32(text: string, at: number, min: number): { value: number; next: number } | undefined {
  let c = atoi64(text[at] ?? '');
  if (c === undefined) return undefined;
  let start = 0;
  let end = 47;
  let chars = 1;
  let bits = 0;
  let value = min;
  while (c > end) {
    value += (end + 1 - start) * 2 ** bits;
    start = end + 1;
    end = start + Math.floor((62 - end) / 2);
    chars++;
    bits += 6;
  }
  value += (c - start) * 2 ** bits;
  let next = at + 1;
  while (--chars) {
    c = atoi64(text[next++] ?? '');
    if (c === undefined) return undefined;
    bits -= 6;
    value += c * 2 ** bits;
  }
  return { value, next };
}

/** N, r and t of a yescrypt or gost-yescrypt setting, to bound its cost before libxcrypt runs it; undefined if unreadable. */
export function yescryptCost(hash: string): { log2N: number; r: number; t: number } | undefined {
  const start = hash.startsWith('$y$') ? 3 : hash.startsWith('$gy$') ? 4 : -1;
  if (start === -1) return undefined;
  const flavor = decodeYescryptUint32(hash, start, 0);
  if (!flavor) return undefined;
  const log2N = decodeYescryptUint32(hash, flavor.next, 1);
  if (!log2N) return undefined;
  const r = decodeYescryptUint32(hash, log2N.next, 1);
  if (!r) return undefined;
  let t = 0;
  if (hash[r.next] !== '$') {
    const have = decodeYescryptUint32(hash, r.next, 1);
    if (!have) return undefined;
    let next = have.next;
    if (have.value & 1) {
      const p = decodeYescryptUint32(hash, next, 2);
      if (!p) return undefined;
      next = p.next;
    }
    if (have.value & 2) {
      const tValue = decodeYescryptUint32(hash, next, 1);
      if (!tValue) return undefined;
      t = tValue.value;
    }
  }
  return { log2N: log2N.value, r: r.value, t };
}
