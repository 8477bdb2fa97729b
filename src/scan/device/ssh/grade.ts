// Judgements over what an SSH server offered, kept apart from the checks so that each is a plain
// function of the observation. The weak-algorithm list is the one the firmware scanner uses.
import type { Severity } from '../../../findings/schema.ts';
import { type SshAlgorithmKind, type WeakSshAlgorithm, weakSshAlgorithm } from '../../firmware/daemons/ssh-algorithms.ts';
import type { SshHostKey } from './host-key.ts';
import type { SshSoftwareFamily } from './identification.ts';
import { bothDirections, isKexExtensionMarker, type KexInit } from './kexinit.ts';

export interface OfferedAlgorithms {
  kind: SshAlgorithmKind;
  /** The KEXINIT field(s) the names come from, for messages. */
  field: string;
  names: string[];
}

/** The server's offer grouped as the weak-algorithm list groups it (host key algorithms are signatures). */
export function offeredAlgorithms(kexinit: KexInit): OfferedAlgorithms[] {
  return [
    { kind: 'kex', field: 'kex_algorithms', names: kexinit.kex.filter((n) => !isKexExtensionMarker(n)) },
    { kind: 'signature', field: 'server_host_key_algorithms', names: kexinit.hostKey },
    { kind: 'cipher', field: 'encryption_algorithms', names: bothDirections(kexinit.ciphersClientToServer, kexinit.ciphersServerToClient) },
    { kind: 'mac', field: 'mac_algorithms', names: bothDirections(kexinit.macsClientToServer, kexinit.macsServerToClient) },
  ];
}

export interface WeakOffer {
  kind: SshAlgorithmKind;
  field: string;
  name: string;
  rule: WeakSshAlgorithm;
  /** Every algorithm the server offers of this kind is weak: no client can avoid it. */
  noAlternative: boolean;
  severity: Severity;
}

const RAISED: Record<Severity, Severity> = { info: 'low', low: 'medium', medium: 'high', high: 'high', critical: 'critical' };

/** Every offered algorithm on the weak list; one raised a step when the server leaves no sound choice of its kind. */
export function weakOffers(kexinit: KexInit): WeakOffer[] {
  const offers: WeakOffer[] = [];
  for (const group of offeredAlgorithms(kexinit)) {
    const weak = group.names.flatMap((name) => {
      const rule = weakSshAlgorithm(group.kind, name);
      return rule ? [{ name, rule }] : [];
    });
    const noAlternative = weak.length > 0 && weak.length === group.names.length;
    for (const { name, rule } of weak) {
      offers.push({
        kind: group.kind,
        field: group.field,
        name,
        rule,
        noAlternative,
        severity: noAlternative ? RAISED[rule.severity] : rule.severity,
      });
    }
  }
  return offers;
}

export interface HostKeyVerdict {
  result: 'pass' | 'fail' | 'info';
  severity: Severity;
  reason: string;
}

/** RSA under 2048 bits is within reach of well-funded factoring; 3072 is what NIST asks for beyond 2030. */
export function hostKeyVerdict(key: SshHostKey): HostKeyVerdict {
  const size = key.bits !== undefined ? `${key.bits}-bit ` : '';
  if (key.type === 'ssh-dss' || /^ssh-dss-cert/.test(key.type))
    return {
      result: 'fail',
      severity: 'high',
      reason: `a ${size}DSA host key: DSA is limited to 1024 bits with SHA-1 signatures and was removed from OpenSSH 9.8`,
    };
  if (key.type === 'ssh-rsa' || /^ssh-rsa-cert/.test(key.type)) {
    if (key.bits === undefined) return { result: 'info', severity: 'info', reason: 'an RSA host key of unknown size' };
    if (key.bits < 1024) return { result: 'fail', severity: 'critical', reason: `a ${key.bits}-bit RSA host key, which can be factored` };
    if (key.bits < 2048)
      return { result: 'fail', severity: 'high', reason: `a ${key.bits}-bit RSA host key, below the 2048 bits NIST SP 800-131A requires` };
    if (key.bits < 3072)
      return {
        result: 'info',
        severity: 'low',
        reason: `a ${key.bits}-bit RSA host key: acceptable today, but 3072 bits are recommended for use beyond 2030 (NIST SP 800-57)`,
      };
    return { result: 'pass', severity: 'info', reason: `a ${key.bits}-bit RSA host key` };
  }
  if (/^(ssh-ed25519|ssh-ed448|ecdsa-sha2-nistp(256|384|521))/.test(key.type))
    return { result: 'pass', severity: 'info', reason: `a ${size}${key.type} host key` };
  return { result: 'info', severity: 'info', reason: `a host key of type ${key.type}, not judged` };
}

export const STRICT_KEX_SERVER = 'kex-strict-s-v00@openssh.com';

export interface TerrapinExposure {
  /** The offered combinations the prefix truncation attack works against. */
  exposedBy: string[];
  strictKex: boolean;
  vulnerable: boolean;
}

/**
 * CVE-2023-48795 (Terrapin): without strict key exchange, an attacker in the path can drop packets at
 * the start of the encrypted session when chacha20-poly1305 or a CBC cipher with an -etm MAC is used.
 */
export function terrapinExposure(kexinit: KexInit): TerrapinExposure {
  const ciphers = bothDirections(kexinit.ciphersClientToServer, kexinit.ciphersServerToClient);
  const macs = bothDirections(kexinit.macsClientToServer, kexinit.macsServerToClient);
  const exposedBy: string[] = [];
  if (ciphers.includes('chacha20-poly1305@openssh.com')) exposedBy.push('chacha20-poly1305@openssh.com');
  const cbc = ciphers.filter((c) => /-cbc$|cbc@/.test(c));
  const etm = macs.filter((m) => /-etm@openssh\.com$/.test(m));
  if (cbc.length > 0 && etm.length > 0) exposedBy.push(`${cbc[0]} with ${etm[0]}`);
  const strictKex = kexinit.kex.includes(STRICT_KEX_SERVER);
  return { exposedBy, strictKex, vulnerable: exposedBy.length > 0 && !strictKex };
}

/** Dropbear picks its algorithms at build time (localoptions.h); these options remove each weak one. */
const DROPBEAR_OPTIONS: [RegExp, string][] = [
  [/-cbc$|cbc@/, 'DROPBEAR_ENABLE_CBC_MODE'],
  [/^3des-/, 'DROPBEAR_3DES'],
  [/^blowfish-/, 'DROPBEAR_BLOWFISH'],
  [/^twofish/, 'DROPBEAR_TWOFISH128 / DROPBEAR_TWOFISH256'],
  [/^hmac-sha1-96$/, 'DROPBEAR_SHA1_96_HMAC'],
  [/^hmac-sha1$/, 'DROPBEAR_SHA1_HMAC'],
  [/^hmac-md5/, 'DROPBEAR_MD5_HMAC'],
  [/^ssh-rsa$/, 'DROPBEAR_RSA_SHA1'],
  [/^ssh-dss/, 'DROPBEAR_DSS'],
  [/^diffie-hellman-group1-sha1$/, 'DROPBEAR_DH_GROUP1'],
  [/^diffie-hellman-group14-sha1$/, 'DROPBEAR_DH_GROUP14_SHA1'],
];

const OPENSSH_KEYWORDS: Record<SshAlgorithmKind, string> = {
  kex: 'KexAlgorithms',
  signature: 'HostKeyAlgorithms',
  cipher: 'Ciphers',
  mac: 'MACs',
};

/** Where the algorithm is switched off in the server software found, for the finding's evidence. */
export function disableHint(family: SshSoftwareFamily | undefined, kind: SshAlgorithmKind, name: string): string {
  if (family === 'dropbear') {
    const option = DROPBEAR_OPTIONS.find(([pattern]) => pattern.test(name))?.[1];
    return option
      ? `Dropbear: build with ${option} set to 0 in localoptions.h`
      : 'Dropbear: algorithms are chosen at build time in localoptions.h';
  }
  if (family === 'openssh') return `OpenSSH: remove ${name} from ${OPENSSH_KEYWORDS[kind]} in sshd_config (or write -${name})`;
  return `remove ${name} from the server's ${OPENSSH_KEYWORDS[kind]} configuration`;
}

/** Group exchange primes below this are weak (RFC 9142 asks servers for at least 2048 bits). */
export const MIN_DH_GROUP_BITS = 2048;
