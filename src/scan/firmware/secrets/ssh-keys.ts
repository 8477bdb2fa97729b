// SSH key formats Node's crypto does not read: OpenSSH's own private key format (openssh-key-v1, whose
// public half is stored unencrypted even when the private half has a passphrase) and dropbear's host key
// format (SSH wire encoding of the key's parts, with no header). From the public key blob come both
// the OpenSSH fingerprint (SHA256:… of the blob) and, through a JWK, the SubjectPublicKeyInfo that
// matches the same key in PEM or DER elsewhere.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

export interface SshKeyInfo {
  /** The SSH key type string: ssh-rsa, ssh-ed25519, ecdsa-sha2-nistp256, ssh-dss, … */
  sshType: string;
  /** SHA256:<base64 without padding> of the public key blob, as `ssh-keygen -l` prints it. */
  sshFingerprint: string;
  /** The public key, when Node can build it (not for DSA or unknown types). */
  publicKey?: KeyObject;
  /** openssh-key-v1 only: the cipher protecting the private half ('none' when unprotected). */
  cipher?: string;
  /** RSA modulus size in bits, when known from the blob. */
  bits?: number;
}

const MAX_STRING = 64 * 1024;

/** SSH wire-format reader (RFC 4251): uint32 and length-prefixed strings, bounded. */
class WireReader {
  offset = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  uint32(): number | undefined {
    if (this.offset + 4 > this.bytes.length) return undefined;
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return (((b[o] as number) << 24) >>> 0) + ((b[o + 1] as number) << 16) + ((b[o + 2] as number) << 8) + (b[o + 3] as number);
  }
  string(): Uint8Array | undefined {
    const length = this.uint32();
    if (length === undefined || length > MAX_STRING || this.offset + length > this.bytes.length) return undefined;
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  text(): string | undefined {
    const value = this.string();
    return value && /^[\x21-\x7e]*$/.test(Buffer.from(value).toString('latin1')) ? Buffer.from(value).toString('latin1') : undefined;
  }
}

function sshString(value: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(value.length);
  return Buffer.concat([length, value]);
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const stripZeros = (bytes: Uint8Array) => {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
};

const CURVES: Record<string, { crv: string; size: number }> = {
  nistp256: { crv: 'P-256', size: 32 },
  nistp384: { crv: 'P-384', size: 48 },
  nistp521: { crv: 'P-521', size: 66 },
};

/** Reads the public parts of a key of the given type from r; returns the blob and the key. */
function readPublicParts(type: string, r: WireReader): { blob: Buffer; publicKey?: KeyObject; bits?: number } | undefined {
  const parts: Uint8Array[] = [];
  const take = (n: number) => {
    for (let i = 0; i < n; i++) {
      const part = r.string();
      if (!part) return false;
      parts.push(part);
    }
    return true;
  };
  const blob = () => Buffer.concat([sshString(Buffer.from(type, 'latin1')), ...parts.map(sshString)]);
  try {
    if (type === 'ssh-rsa') {
      if (!take(2)) return undefined;
      const [e, n] = parts as [Uint8Array, Uint8Array];
      const modulus = stripZeros(n);
      const publicKey = createPublicKey({ key: { kty: 'RSA', n: b64url(modulus), e: b64url(stripZeros(e)) }, format: 'jwk' });
      return { blob: blob(), publicKey, bits: modulus.length * 8 - Math.clz32(modulus[0] ?? 0) + 24 };
    }
    if (type === 'ssh-ed25519') {
      if (!take(1)) return undefined;
      const [x] = parts as [Uint8Array];
      if (x.length !== 32) return { blob: blob() };
      return { blob: blob(), publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(x) }, format: 'jwk' }) };
    }
    if (type.startsWith('ecdsa-sha2-')) {
      if (!take(2)) return undefined;
      const [name, q] = parts as [Uint8Array, Uint8Array];
      const curve = CURVES[Buffer.from(name).toString('latin1')];
      if (!curve || q.length !== 1 + 2 * curve.size || q[0] !== 4) return { blob: blob() };
      const x = q.subarray(1, 1 + curve.size);
      const y = q.subarray(1 + curve.size);
      return {
        blob: blob(),
        publicKey: createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: b64url(x), y: b64url(y) }, format: 'jwk' }),
      };
    }
    if (type === 'ssh-dss') return take(4) ? { blob: blob() } : undefined;
  } catch {
    // Parts that are not a valid key for Node (a point off the curve, a zero modulus): still fingerprintable.
    return { blob: blob() };
  }
  return undefined;
}

export function sshFingerprint(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/** Parses the decoded body of an `-----BEGIN OPENSSH PRIVATE KEY-----` block. */
export function parseOpensshKey(body: Uint8Array): SshKeyInfo | undefined {
  if (!Buffer.from(body.subarray(0, OPENSSH_MAGIC.length)).equals(OPENSSH_MAGIC)) return undefined;
  const r = new WireReader(body);
  r.offset = OPENSSH_MAGIC.length;
  const cipher = r.text();
  const kdf = r.text();
  const kdfOptions = r.string();
  const count = r.uint32();
  if (cipher === undefined || kdf === undefined || !kdfOptions || count === undefined || count < 1 || count > 16) return undefined;
  const publicBlob = r.string();
  if (!publicBlob) return undefined;
  const pr = new WireReader(publicBlob);
  const type = pr.text();
  if (!type) return undefined;
  const parts = readPublicParts(type, pr);
  return {
    sshType: type,
    sshFingerprint: sshFingerprint(publicBlob),
    cipher,
    ...(parts?.publicKey ? { publicKey: parts.publicKey } : {}),
    ...(parts?.bits ? { bits: parts.bits } : {}),
  };
}

const DROPBEAR_TYPES = /^(ssh-rsa|ssh-dss|ssh-ed25519|ecdsa-sha2-nistp(256|384|521))$/;

/** Parses a dropbear private key file (dropbear_*_host_key): the key type string, then the key's parts. */
export function parseDropbearKey(bytes: Uint8Array): SshKeyInfo | undefined {
  const r = new WireReader(bytes);
  const type = r.text();
  if (!type || !DROPBEAR_TYPES.test(type)) return undefined;
  if (type === 'ssh-ed25519') {
    // One string of 64 bytes: the 32-byte seed followed by the 32-byte public key.
    const both = r.string();
    if (!both || both.length !== 64) return undefined;
    const parts = readPublicParts(type, new WireReader(sshString(both.subarray(32))));
    if (!parts) return undefined;
    return { sshType: type, sshFingerprint: sshFingerprint(parts.blob), ...(parts.publicKey ? { publicKey: parts.publicKey } : {}) };
  }
  const parts = readPublicParts(type, r);
  if (!parts) return undefined;
  return {
    sshType: type,
    sshFingerprint: sshFingerprint(parts.blob),
    ...(parts.publicKey ? { publicKey: parts.publicKey } : {}),
    ...(parts.bits ? { bits: parts.bits } : {}),
  };
}

/** The OpenSSH fingerprint of a public key Node holds (RSA, EC P-256/384/521, Ed25519). */
export function sshFingerprintOf(publicKey: KeyObject): string | undefined {
  const jwk = publicKey.export({ format: 'jwk' });
  const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64url');
  const mpint = (s: string | undefined) => {
    const v = b(s);
    return v.length && (v[0] as number) & 0x80 ? Buffer.concat([Buffer.of(0), v]) : v;
  };
  const type = (t: string) => sshString(Buffer.from(t, 'latin1'));
  if (jwk.kty === 'RSA') return sshFingerprint(Buffer.concat([type('ssh-rsa'), sshString(mpint(jwk.e)), sshString(mpint(jwk.n))]));
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return sshFingerprint(Buffer.concat([type('ssh-ed25519'), sshString(b(jwk.x))]));
  if (jwk.kty === 'EC') {
    const name = Object.entries(CURVES).find(([, c]) => c.crv === jwk.crv)?.[0];
    if (!name) return undefined;
    const q = Buffer.concat([Buffer.of(4), b(jwk.x), b(jwk.y)]);
    return sshFingerprint(Buffer.concat([type(`ecdsa-sha2-${name}`), sshString(Buffer.from(name)), sshString(q)]));
  }
  return undefined;
}
