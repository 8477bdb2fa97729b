// What a report needs to know about a server's certificates, read with node's X509Certificate: validity,
// key, signature algorithm, who issued it, and the names it is valid for.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** node's key type: rsa, rsa-pss, dsa, ec, ed25519, ed448, or unknown. */
  keyType: string;
  /** Modulus length for RSA and DSA, field size for EC and EdDSA keys. */
  keyBits?: number;
  /** OpenSSL's curve name for EC keys (prime256v1, secp384r1, ...). */
  curve?: string;
  /** OpenSSL's name, e.g. sha256WithRSAEncryption, ecdsa-with-SHA256. */
  signatureAlgorithm: string;
  /** Issued by itself and verifiable with its own key. */
  selfSigned: boolean;
  dnsNames: string[];
  ipAddresses: string[];
  fingerprint256: string;
}

export interface HostMatch {
  /** The DNS name or IP address the device was probed as. */
  name: string;
  /** The name is among the certificate's subject alternative names. */
  matches: boolean;
  /** Not in the alternative names, but equal to the subject's common name, which current clients ignore. */
  commonNameOnly: boolean;
}

const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function alternativeNames(san: string | undefined): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const match of (san ?? '').matchAll(/(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,\s]+)/g)) {
    const value = match[2]!.replace(/^"|"$/g, '');
    (match[1] === 'DNS' ? dnsNames : ipAddresses).push(value);
  }
  return { dnsNames, ipAddresses };
}

function keyOf(certificate: X509Certificate): Pick<CertificateInfo, 'keyType' | 'keyBits' | 'curve'> {
  try {
    const key = certificate.publicKey;
    const type = key.asymmetricKeyType ?? 'unknown';
    const details = key.asymmetricKeyDetails ?? {};
    if (type === 'ec') {
      const curve = details.namedCurve;
      return { keyType: type, ...(curve ? { curve } : {}), ...(curve && CURVE_BITS[curve] ? { keyBits: CURVE_BITS[curve] } : {}) };
    }
    if (type === 'ed25519') return { keyType: type, keyBits: 256 };
    if (type === 'ed448') return { keyType: type, keyBits: 448 };
    return { keyType: type, ...(details.modulusLength ? { keyBits: details.modulusLength } : {}) };
  } catch {
    // A key type OpenSSL cannot load (GOST, an unknown OID): say so rather than guess.
    return { keyType: 'unknown' };
  }
}

function isSelfSigned(certificate: X509Certificate): boolean {
  if (certificate.subject !== certificate.issuer || !certificate.checkIssued(certificate)) return false;
  try {
    return certificate.verify(certificate.publicKey);
  } catch {
    return false;
  }
}

/** Parses one DER certificate; throws node's error when it is not one. */
export function parseCertificate(der: Buffer): X509Certificate {
  return new X509Certificate(der);
}

export function describeCertificate(certificate: X509Certificate): CertificateInfo {
  return {
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    notBefore: certificate.validFromDate.toISOString(),
    notAfter: certificate.validToDate.toISOString(),
    ...keyOf(certificate),
    signatureAlgorithm: certificate.signatureAlgorithm ?? 'unknown',
    selfSigned: isSelfSigned(certificate),
    ...alternativeNames(certificate.subjectAltName),
    fingerprint256: certificate.fingerprint256,
  };
}

/** Whether the leaf is valid for the name (or address) the device was reached by. */
export function matchHost(certificate: X509Certificate, name: string): HostMatch {
  const bare = name.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return { name: bare, matches: certificate.checkIP(bare) !== undefined, commonNameOnly: false };
  const matches = certificate.checkHost(bare, { subject: 'never' }) !== undefined;
  const commonNameOnly = !matches && certificate.checkHost(bare, { subject: 'always' }) !== undefined;
  return { name: bare, matches, commonNameOnly };
}
