// The server's host key as carried in the key exchange reply (the K_S blob, RFC 4253 section 6.6): its
// type, its size, and its fingerprint as `ssh-keygen -l` prints it (SHA256, base64 without padding).
import { createHash } from 'node:crypto';
import { bitLength, SshParseError, SshReader } from './wire.ts';

export interface SshHostKey {
  /** The host key algorithm the server was asked to use when it sent this key. */
  algorithm: string;
  /** The key type named inside the blob, e.g. "ssh-ed25519", "ssh-rsa". */
  type: string;
  /** Key size in bits: the modulus for RSA, p for DSA, the curve for ECDSA and EdDSA. */
  bits?: number;
  /** "SHA256:..." */
  fingerprint: string;
}

export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

const CURVE_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };

/** Parses a public key blob; unknown key types keep their name and fingerprint, without a size. */
export function parseHostKeyBlob(blob: Buffer, algorithm: string): SshHostKey {
  const reader = new SshReader(blob);
  const type = reader.string('host key type').toString('latin1');
  if (type.length === 0 || type.length > 64 || !/^[\x21-\x7e]+$/.test(type))
    throw new SshParseError('the host key blob does not start with a key type name');
  const key: SshHostKey = { algorithm, type, fingerprint: sshFingerprint(blob) };
  const bits = keyBits(type, reader);
  if (bits !== undefined) key.bits = bits;
  return key;
}

function keyBits(type: string, reader: SshReader): number | undefined {
  // Certificates carry a nonce before the key fields (PROTOCOL.certkeys); the key follows as for the plain type.
  const cert = /^(.*)-cert-v0[01]@openssh\.com$/.exec(type);
  if (cert) reader.string('certificate nonce');
  const base = cert?.[1] ?? type;
  switch (base) {
    case 'ssh-rsa': {
      reader.mpint('RSA exponent');
      return bitLength(reader.mpint('RSA modulus'));
    }
    case 'ssh-dss':
      return bitLength(reader.mpint('DSA p'));
    case 'ssh-ed25519': {
      const point = reader.string('Ed25519 key');
      if (point.length !== 32) throw new SshParseError(`an Ed25519 key of ${point.length} bytes`);
      return 256;
    }
    case 'ssh-ed448': {
      const point = reader.string('Ed448 key');
      if (point.length !== 57) throw new SshParseError(`an Ed448 key of ${point.length} bytes`);
      return 448;
    }
    default: {
      const ecdsa = /^ecdsa-sha2-(.+)$/.exec(base);
      if (!ecdsa) return undefined;
      const curve = reader.string('ECDSA curve').toString('latin1');
      reader.string('ECDSA point');
      return CURVE_BITS[curve];
    }
  }
}

/**
 * Host key algorithms that use the same key share a family: rsa-sha2-512, rsa-sha2-256 and ssh-rsa
 * all sign with the one RSA key, so fetching it once is enough. Certificates are skipped: their key is
 * one of the plain ones.
 */
export function hostKeyFamily(algorithm: string): string | undefined {
  if (/-cert-v0[01]@openssh\.com$/.test(algorithm)) return undefined;
  if (algorithm === 'ssh-rsa' || /^rsa-sha2-/.test(algorithm)) return 'rsa';
  if (/^ssh-dss/.test(algorithm)) return 'dsa';
  return algorithm;
}
