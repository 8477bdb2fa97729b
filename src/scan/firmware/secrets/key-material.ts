// Finds key material in one file's bytes: PEM blocks anywhere (also inside binaries and as JSON strings
// with \n escapes), whole-file DER objects recognised by their ASN.1 shape, PKCS#12 containers, OpenSSH
// and dropbear private keys. Private keys are opened with Node's crypto only to derive the public key,
// whose SubjectPublicKeyInfo hash is the fingerprint that recognises the same key across images. Nothing
// secret leaves this module: only types, sizes and fingerprints.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { derShape, pkcs12Contents } from './der.ts';
import { parseDropbearKey, parseOpensshKey, type SshKeyInfo, sshFingerprintOf } from './ssh-keys.ts';

export interface FoundPrivateKey {
  kind: 'private-key';
  path: string;
  line?: number;
  /** How it is stored: "PEM PKCS#1", "DER PKCS#8", "OpenSSH", "dropbear", "PKCS#12", … */
  format: string;
  /** "RSA 2048", "EC prime256v1", "Ed25519", or undefined when the key could not be opened. */
  algorithm?: string;
  /** Protected by a passphrase (the passphrase must then be on the device too, or the key is unused). */
  encrypted: boolean;
  /** SHA256:<base64> of the public key's SubjectPublicKeyInfo DER. */
  fingerprint?: string;
  /** SHA256:<base64> of the SSH public key blob, as ssh-keygen -l shows it. */
  sshFingerprint?: string;
}

export interface FoundCertificate {
  kind: 'certificate';
  path: string;
  line?: number;
  subject: string;
  issuer: string;
  validTo: string;
  expired: boolean;
  selfSigned: boolean;
  /** "RSA 2048", "EC prime256v1", "Ed25519". */
  keyDescription: string;
  keyType: string;
  /** RSA/DSA modulus bits; for EC the curve's field size. */
  keyBits?: number;
  signatureAlgorithm: string;
  /** SHA256:<base64> of the certificate's SubjectPublicKeyInfo: equals a private key's fingerprint when they pair. */
  publicKeyFingerprint: string;
}

export interface FoundContainer {
  kind: 'key-container';
  path: string;
  format: string;
  /** What could be seen without the password. */
  note: string;
}

export type FoundMaterial = FoundPrivateKey | FoundCertificate | FoundContainer;

const PEM_BEGIN = /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY|CERTIFICATE|TRUSTED CERTIFICATE|X509 CRL)-----/g;
/** A PEM body longer than this is not a key or certificate. */
const MAX_PEM_CHARS = 64 * 1024;
const MAX_BLOCKS_PER_FILE = 4096;
const MAX_DER_BYTES = 64 * 1024;
const MAX_PKCS12_BYTES = 1024 * 1024;

export function fingerprintOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(spki).digest('base64').replace(/=+$/, '')}`;
}

function describeKey(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') return `${type.toUpperCase()} ${details.modulusLength ?? '?'}`;
  if (type === 'ec') return `EC ${details.namedCurve ?? '?'}`;
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'ed448') return 'Ed448';
  return type;
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp224r1: 224,
  secp192r1: 192,
  prime192v1: 192,
};

function keyBits(key: KeyObject): number | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (details.modulusLength) return details.modulusLength;
  if (details.namedCurve) return CURVE_BITS[details.namedCurve];
  if (key.asymmetricKeyType === 'ed25519') return 256;
  return undefined;
}

function openedKey(base: Omit<FoundPrivateKey, 'algorithm' | 'fingerprint' | 'encrypted'>, key: KeyObject): FoundPrivateKey {
  const publicKey = createPublicKey(key);
  const ssh = sshFingerprintOf(publicKey);
  return {
    ...base,
    encrypted: false,
    algorithm: describeKey(key),
    fingerprint: fingerprintOf(publicKey),
    ...(ssh ? { sshFingerprint: ssh } : {}),
  };
}

function fromSsh(base: Omit<FoundPrivateKey, 'algorithm' | 'fingerprint' | 'encrypted'>, info: SshKeyInfo): FoundPrivateKey {
  const algorithm = info.publicKey ? describeKey(info.publicKey) : info.sshType;
  return {
    ...base,
    encrypted: info.cipher !== undefined && info.cipher !== 'none',
    algorithm,
    sshFingerprint: info.sshFingerprint,
    ...(info.publicKey ? { fingerprint: fingerprintOf(info.publicKey) } : {}),
  };
}

export function describeCertificate(
  path: string,
  line: number | undefined,
  der: Uint8Array,
  now = new Date(),
): FoundCertificate | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return undefined;
  }
  let selfSigned: boolean;
  try {
    selfSigned = cert.checkIssued(cert) && cert.verify(cert.publicKey);
  } catch {
    selfSigned = false;
  }
  const key = cert.publicKey;
  const bits = keyBits(key);
  return {
    kind: 'certificate',
    path,
    ...(line !== undefined ? { line } : {}),
    subject: cert.subject.replaceAll('\n', ', '),
    issuer: cert.issuer.replaceAll('\n', ', '),
    validTo: cert.validToDate.toISOString(),
    expired: cert.validToDate.getTime() < now.getTime(),
    selfSigned,
    keyDescription: describeKey(key),
    keyType: key.asymmetricKeyType ?? 'unknown',
    ...(bits !== undefined ? { keyBits: bits } : {}),
    signatureAlgorithm: cert.signatureAlgorithm ?? cert.signatureAlgorithmOid ?? 'unknown',
    publicKeyFingerprint: fingerprintOf(key),
  };
}

/** Opens a DER private key of a known shape; undefined when Node cannot. */
function derPrivateKey(path: string, line: number | undefined, der: Uint8Array, format: string): FoundPrivateKey | undefined {
  const shape = derShape(der);
  const base = { kind: 'private-key' as const, path, ...(line !== undefined ? { line } : {}), format };
  if (shape === 'pkcs8-encrypted') return { ...base, encrypted: true };
  const type = shape === 'pkcs1-rsa' ? 'pkcs1' : shape === 'pkcs8' ? 'pkcs8' : shape === 'sec1-ec' ? 'sec1' : undefined;
  if (!type) return undefined;
  try {
    return openedKey(base, createPrivateKey({ key: Buffer.from(der), format: 'der', type }));
  } catch {
    // The right shape but not a key Node can open (an unsupported curve, a corrupt integer): still a private key.
    return { ...base, encrypted: false };
  }
}

function pemBody(text: string, start: number, end: number): { body: Buffer; headers: string } | undefined {
  let inner = text.slice(start, end);
  // Inside a JSON or C string the line breaks are escapes; quotes and string concatenation come along.
  inner = inner.replace(/\\r|\\n|\\t/g, '\n');
  const blank = inner.search(/\n\s*\n/);
  let headers = '';
  if (inner.includes(':') && blank >= 0) {
    headers = inner.slice(0, blank);
    inner = inner.slice(blank);
  }
  const base64 = inner.replace(/[\s"'\\]/g, '');
  if (!/^[A-Za-z0-9+/=]*$/.test(base64) || base64.length === 0) return undefined;
  return { body: Buffer.from(base64, 'base64'), headers };
}

function lineAt(text: string, offset: number, cache: { offset: number; line: number }): number {
  for (let i = cache.offset; i < offset; i++) if (text.charCodeAt(i) === 10) cache.line++;
  cache.offset = offset;
  return cache.line;
}

/** PEM blocks in the file, whether it is text or binary (read as latin1 so offsets are bytes). */
function pemMaterial(path: string, text: string, isText: boolean): FoundMaterial[] {
  const found: FoundMaterial[] = [];
  const cursor = { offset: 0, line: 1 };
  PEM_BEGIN.lastIndex = 0;
  let blocks = 0;
  for (let match = PEM_BEGIN.exec(text); match && blocks < MAX_BLOCKS_PER_FILE; match = PEM_BEGIN.exec(text)) {
    blocks++;
    const label = match[1] as string;
    const bodyStart = match.index + match[0].length;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, bodyStart);
    if (end < 0 || end - bodyStart > MAX_PEM_CHARS) continue;
    PEM_BEGIN.lastIndex = end + endMarker.length;
    const line = isText ? lineAt(text, match.index, cursor) : undefined;
    const parsed = pemBody(text, bodyStart, end);
    if (!parsed) continue;
    const base = { kind: 'private-key' as const, path, ...(line !== undefined ? { line } : {}) };
    if (label === 'CERTIFICATE' || label === 'TRUSTED CERTIFICATE') {
      const cert = describeCertificate(path, line, parsed.body);
      if (cert) found.push(cert);
    } else if (label === 'X509 CRL') {
      continue;
    } else if (label === 'OPENSSH PRIVATE KEY') {
      const info = parseOpensshKey(parsed.body);
      found.push(info ? fromSsh({ ...base, format: 'OpenSSH' }, info) : { ...base, format: 'OpenSSH', encrypted: false });
    } else if (/Proc-Type:\s*4,ENCRYPTED/i.test(parsed.headers)) {
      found.push({ ...base, format: `PEM ${label} (legacy encryption)`, encrypted: true });
    } else if (label === 'ENCRYPTED PRIVATE KEY') {
      found.push({ ...base, format: 'PEM PKCS#8', encrypted: true });
    } else {
      const format =
        label === 'RSA PRIVATE KEY'
          ? 'PEM PKCS#1'
          : label === 'EC PRIVATE KEY'
            ? 'PEM SEC1'
            : label === 'DSA PRIVATE KEY'
              ? 'PEM DSA'
              : 'PEM PKCS#8';
      const key = derPrivateKey(path, line, parsed.body, format);
      if (key) found.push(key);
      else if (label === 'DSA PRIVATE KEY') {
        try {
          found.push(
            openedKey({ ...base, format }, createPrivateKey({ key: text.slice(match.index, end + endMarker.length), format: 'pem' })),
          );
        } catch {
          found.push({ ...base, format, encrypted: false });
        }
      } else found.push({ ...base, format, encrypted: false });
    }
  }
  return found;
}

function pkcs12Material(path: string, bytes: Uint8Array): FoundMaterial[] {
  const contents = pkcs12Contents(bytes);
  const found: FoundMaterial[] = [];
  for (const der of contents.plainKeys) {
    const key = derPrivateKey(path, undefined, der, 'PKCS#12 (unencrypted key bag)');
    if (key) found.push(key);
  }
  for (let i = 0; i < contents.shroudedKeys; i++)
    found.push({ kind: 'private-key', path, format: 'PKCS#12 (password-protected key bag)', encrypted: true });
  for (const der of contents.certificates) {
    const cert = describeCertificate(path, undefined, der);
    if (cert) found.push(cert);
  }
  if (!contents.walked || (contents.encryptedLayers > 0 && contents.plainKeys.length + contents.shroudedKeys === 0)) {
    found.push({
      kind: 'key-container',
      path,
      format: 'PKCS#12',
      note: contents.walked
        ? `${contents.encryptedLayers} password-encrypted part${contents.encryptedLayers === 1 ? '' : 's'} could not be opened; PKCS#12 files usually carry a private key`
        : 'its structure could not be walked; PKCS#12 files usually carry a private key',
    });
  }
  return found;
}

export interface MaterialOptions {
  /** The file is a dropbear host key by its name: parse dropbear's own format. */
  dropbear: boolean;
}

/** Everything key-like in one file. `bytes` may be a prefix of the file for large binaries. */
export function keyMaterial(
  path: string,
  bytes: Uint8Array,
  isText: boolean,
  options: MaterialOptions = { dropbear: false },
): FoundMaterial[] {
  if (options.dropbear) {
    const info = parseDropbearKey(bytes);
    if (info) return [fromSsh({ kind: 'private-key', path, format: 'dropbear' }, info)];
  }
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const found = latin1.includes('-----BEGIN ') ? pemMaterial(path, latin1, isText) : [];
  if (found.length === 0 && bytes[0] === 0x30) {
    const shape = bytes.length <= MAX_PKCS12_BYTES ? derShape(bytes) : undefined;
    if (shape === 'pkcs12') return pkcs12Material(path, bytes);
    if (shape === 'x509' && bytes.length <= MAX_DER_BYTES) {
      const cert = describeCertificate(path, undefined, bytes);
      if (cert) return [cert];
    }
    if (shape && shape !== 'x509' && bytes.length <= MAX_DER_BYTES) {
      const format = { 'pkcs1-rsa': 'DER PKCS#1', pkcs8: 'DER PKCS#8', 'pkcs8-encrypted': 'DER PKCS#8', 'sec1-ec': 'DER SEC1' }[shape];
      const key = derPrivateKey(path, undefined, bytes, format);
      if (key) return [key];
    }
  }
  return found;
}
