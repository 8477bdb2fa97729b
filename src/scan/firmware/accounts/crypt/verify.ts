// verify(password, hash): whether a password is the one a stored hash was made from. Never throws: a
// malformed hash, a cost above the limits, or a scheme with no verifier here comes back as
// { unverifiable: reason }.
import { argon2Supported, verifyArgon2 } from './argon2.ts';
import { bcrypt } from './bcrypt.ts';
import { bsdiCrypt, desCrypt } from './des.ts';
import { passwordBytes } from './encoding.ts';
import { identifyScheme, yescryptCost, type Identification } from './identify.ts';
import { verifyLdapSha } from './ldap.ts';
import { md5crypt } from './md5crypt.ts';
import { verifyMosquitto } from './mosquitto.ts';
import { scryptCrypt } from './scrypt.ts';
import { sha1crypt } from './sha1crypt.ts';
import { shaCrypt } from './sha-crypt.ts';
import { CannotVerify, CostTooHigh, DEFAULT_LIMITS, MalformedHash, unverifiable, type CostLimits, type VerifyResult } from './types.ts';
import { xcryptBinding, xcryptBindingProblem, type XcryptBinding } from './xcrypt-binding.ts';

export interface VerifyOptions {
  /** Cost limits; each one left out keeps its DEFAULT_LIMITS value. */
  limits?: Partial<CostLimits>;
  /** The libxcrypt binding to use: undefined loads the built one, null means none (as if not built). */
  xcrypt?: XcryptBinding | null;
}

/** The forms each scheme's hashes take; a hash that is not of its scheme's form is unverifiable. */
const FORMS: Partial<Record<Identification['scheme'], RegExp>> = {
  descrypt: /^[./0-9A-Za-z]{13}$/,
  bsdicrypt: /^_[./0-9A-Za-z]{19}$/,
  md5crypt: /^\$1\$[^$]{0,8}\$[./0-9A-Za-z]{22}$/,
  apr1: /^\$apr1\$[^$]{0,8}\$[./0-9A-Za-z]{22}$/,
  sha256crypt: /^\$5\$(?:rounds=[^$]*\$)?[^$]{0,16}\$[./0-9A-Za-z]{43}$/,
  sha512crypt: /^\$6\$(?:rounds=[^$]*\$)?[^$]{0,16}\$[./0-9A-Za-z]{86}$/,
  bcrypt: /^\$2[abxy]\$[0-9]{2}\$[./A-Za-z0-9]{53}$/,
  scrypt: /^\$7\$[./0-9A-Za-z]{11}[./0-9A-Za-z]*\$[./0-9A-Za-z]{43}$/,
  sha1crypt: /^\$sha1\$[0-9]{1,10}\$[^$]{1,64}\$[./0-9A-Za-z]{28}$/,
  yescrypt: /^\$y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]*\$[./0-9A-Za-z]{43}$/,
  'gost-yescrypt': /^\$gy\$[./0-9A-Za-z]+\$[./0-9A-Za-z]*\$[./0-9A-Za-z]{43}$/,
  sunmd5: /^\$md5(?:,rounds=[0-9]{1,10})?\$[^$]{0,8}\$\$?[./0-9A-Za-z]{22}$/,
  nthash: /^\$3\$\$[0-9a-f]{32}$/,
};

/** libxcrypt refuses a phrase this long (CRYPT_MAX_PASSPHRASE_SIZE): no such password can log in there. */
const XCRYPT_MAX_PHRASE = 512;

export function verify(password: string, hash: string, options: VerifyOptions = {}): VerifyResult {
  const limits = options.limits ? { ...DEFAULT_LIMITS, ...options.limits } : DEFAULT_LIMITS;
  try {
    return verifyIdentified(password, hash, identifyScheme(hash), limits, options.xcrypt);
  } catch (error) {
    if (error instanceof CannotVerify) return unverifiable(error.message);
    // A verifier bug must not end a scan; the reason says what happened.
    return unverifiable(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** verify() for a hash already identified (verifyAll identifies each hash once). */
export function verifyIdentified(
  password: string,
  hash: string,
  identification: Identification,
  limits: CostLimits,
  xcrypt: XcryptBinding | null | undefined,
): VerifyResult {
  const { scheme } = identification;
  switch (scheme) {
    case 'no-password':
      return password === '' ? 'match' : 'no-match';
    case 'locked':
      // The lock stops logins, not the hash: `!$6$…` still tells which password it was.
      return identification.locked
        ? verifyIdentified(password, identification.locked.hash, identification.locked.identification, limits, xcrypt)
        : 'no-match';
    case 'unknown':
      return unverifiable('unrecognised hash format');
    default:
      break;
  }
  const form = FORMS[scheme];
  if (form && !form.test(hash)) throw new MalformedHash(`not a well-formed ${identification.name} hash`);
  if (identification.verifier === 'libxcrypt') return verifyWithXcrypt(password, hash, identification, limits, xcrypt);

  const bytes = passwordBytes(password);
  const same = (computed: string): VerifyResult => (computed === hash ? 'match' : 'no-match');
  const matched = (ok: boolean): VerifyResult => (ok ? 'match' : 'no-match');
  switch (scheme) {
    case 'descrypt':
      return same(desCrypt(bytes, hash));
    case 'bsdicrypt':
      return same(bsdiCrypt(bytes, hash, limits));
    case 'md5crypt':
      return same(md5crypt(bytes, hash, '$1$'));
    case 'apr1':
      return same(md5crypt(bytes, hash, '$apr1$'));
    case 'sha256crypt':
    case 'sha512crypt':
      return same(shaCrypt(bytes, hash, limits));
    case 'bcrypt':
      return same(bcrypt(bytes, hash, limits));
    case 'scrypt':
      return same(scryptCrypt(bytes, hash, limits));
    case 'sha1crypt':
      return same(sha1crypt(bytes, hash, limits));
    case 'argon2':
      if (!argon2Supported()) return unverifiable('this Node has no crypto.argon2 (Node 24.7 or later has it)');
      return matched(verifyArgon2(bytes, hash, limits));
    case 'ldap-sha':
    case 'ldap-ssha':
      return matched(verifyLdapSha(bytes, hash));
    case 'mosquitto-sha512':
    case 'mosquitto-pbkdf2':
      return matched(verifyMosquitto(bytes, hash, limits));
    default:
      return unverifiable(`no verifier for ${identification.name}`);
  }
}

function verifyWithXcrypt(
  password: string,
  hash: string,
  identification: Identification,
  limits: CostLimits,
  xcrypt: XcryptBinding | null | undefined,
): VerifyResult {
  const binding = xcrypt === undefined ? xcryptBinding() : (xcrypt ?? undefined);
  if (!binding) return unverifiable(xcrypt === null ? 'libxcrypt binding not built' : xcryptBindingProblem());
  checkXcryptCost(hash, identification, limits);
  if (passwordBytes(password).length >= XCRYPT_MAX_PHRASE) return 'no-match';
  const computed = binding.crypt(password, hash);
  if (computed === null) return unverifiable(`libxcrypt does not accept this ${identification.name} hash`);
  return computed === hash ? 'match' : 'no-match';
}

function checkXcryptCost(hash: string, identification: Identification, limits: CostLimits): void {
  if (identification.scheme === 'yescrypt' || identification.scheme === 'gost-yescrypt') {
    const cost = yescryptCost(hash);
    if (!cost) throw new MalformedHash(`${identification.name} parameters do not decode`);
    const memory = 128 * cost.r * 2 ** cost.log2N;
    if (memory > limits.maxMemoryBytes) {
      throw new CostTooHigh(`yescrypt N=2^${cost.log2N}, r=${cost.r} needs ${memory} bytes, above the limit of ${limits.maxMemoryBytes}`);
    }
    if (cost.t > 8) throw new CostTooHigh(`yescrypt t=${cost.t} is above the limit of 8`);
  } else if (identification.scheme === 'sunmd5') {
    const rounds = 4096 + Number(/^\$md5,rounds=([0-9]+)/.exec(hash)?.[1] ?? 0);
    if (rounds > limits.maxSunMd5Rounds) throw new CostTooHigh(`Sun MD5 ${rounds} rounds are above the limit of ${limits.maxSunMd5Rounds}`);
  }
}
