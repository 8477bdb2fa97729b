// Signatures as MCUboot makes and checks them, with Node's crypto only. bootutil verifies every signature
// over the image hash (header + payload + protected TLVs); imgtool produces them so (scripts/imgtool/keys):
// - RSA-2048/3072: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt length 32 (bootutil's image_rsa.c accepts no other);
// - ECDSA P-256/P-384: DER signature over the SHA-256/SHA-384 image hash;
// - Ed25519: signs the hash digest itself, unless a SIG_PURE TLV says it signed the image bytes.
// The public key an image names in its KEYHASH TLV is hashed as imgtool's get_public_bytes() serialises it:
// PKCS#1 RSAPublicKey DER for RSA, SubjectPublicKeyInfo DER for ECDSA and Ed25519.
import { constants, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { InputError } from '../../../io/input-error.ts';
import { digest, equalBytes, type HashAlgorithm } from './image-hash.ts';
import { TLV, type Tlv } from './tlv-area.ts';

export const KEY_ALGORITHMS = ['rsa-2048', 'rsa-3072', 'ecdsa-p224', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export interface PublicKey {
  /** The file it came from, or the sample key's name. */
  name: string;
  algorithm: KeyAlgorithm;
  key: KeyObject;
  /** What imgtool hashes into the KEYHASH TLV and embeds into the PUBKEY TLV. */
  keyBytes: Uint8Array;
}

const KEY_LABELS: Record<KeyAlgorithm, string> = {
  'rsa-2048': 'RSA-2048',
  'rsa-3072': 'RSA-3072',
  'ecdsa-p224': 'ECDSA P-224',
  'ecdsa-p256': 'ECDSA P-256',
  'ecdsa-p384': 'ECDSA P-384',
  ed25519: 'Ed25519',
};

export function keyLabel(algorithm: KeyAlgorithm): string {
  return KEY_LABELS[algorithm];
}

/** Signature TLV types and the keys that can have made them. */
export const SIGNATURE_TLVS: ReadonlyMap<number, { label: string; keys: readonly KeyAlgorithm[] }> = new Map([
  [TLV.RSA2048_PSS, { label: 'RSA-2048 PSS', keys: ['rsa-2048'] as const }],
  [TLV.ECDSA224, { label: 'ECDSA P-224', keys: ['ecdsa-p224'] as const }],
  [TLV.ECDSA_SIG, { label: 'ECDSA', keys: ['ecdsa-p256', 'ecdsa-p384'] as const }],
  [TLV.RSA3072_PSS, { label: 'RSA-3072 PSS', keys: ['rsa-3072'] as const }],
  [TLV.ED25519, { label: 'Ed25519', keys: ['ed25519'] as const }],
]);

const CURVES: Record<string, KeyAlgorithm> = { secp224r1: 'ecdsa-p224', prime256v1: 'ecdsa-p256', secp384r1: 'ecdsa-p384' };

function algorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    return details.modulusLength === 2048 ? 'rsa-2048' : details.modulusLength === 3072 ? 'rsa-3072' : undefined;
  }
  if (key.asymmetricKeyType === 'ec') return CURVES[details.namedCurve ?? ''];
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  return undefined;
}

/** A key from PEM: a public key, or a private one whose public half is taken (imgtool's keys are private PEMs). */
export function publicKeyFromPem(name: string, pem: string): PublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new InputError(`${name}: not a PEM public key`);
  }
  const algorithm = algorithmOf(key);
  if (!algorithm) {
    const details = key.asymmetricKeyDetails ?? {};
    const what = [key.asymmetricKeyType, details.modulusLength, details.namedCurve].filter((x) => x !== undefined).join(' ');
    throw new InputError(`${name}: ${what} keys cannot sign MCUboot images; expected RSA-2048, RSA-3072, ECDSA P-256/P-384 or Ed25519`);
  }
  const keyBytes = key.export(algorithm.startsWith('rsa') ? { type: 'pkcs1', format: 'der' } : { type: 'spki', format: 'der' });
  return { name, algorithm, key, keyBytes: new Uint8Array(keyBytes) };
}

/** KEYHASH lengths and the hash that makes them: imgtool hashes the key with the image's hash algorithm. */
const KEYHASH_ALGORITHMS: ReadonlyMap<number, HashAlgorithm> = new Map([
  [32, 'sha256'],
  [48, 'sha384'],
  [64, 'sha512'],
]);

export function keyHash(key: PublicKey, algorithm: HashAlgorithm): Uint8Array {
  return digest(algorithm, key.keyBytes);
}

/** Whether the key is the one a signature's KEYHASH or PUBKEY TLV names. */
export function namesKey(unit: SignatureUnit, key: PublicKey): boolean {
  if (unit.pubKey) return equalBytes(unit.pubKey, key.keyBytes);
  if (!unit.keyHash) return false;
  const algorithm = KEYHASH_ALGORITHMS.get(unit.keyHash.length);
  return algorithm !== undefined && equalBytes(keyHash(key, algorithm), unit.keyHash);
}

/** A signature TLV with the KEYHASH or PUBKEY TLV before it, paired the way bootutil pairs them. */
export interface SignatureUnit {
  tlv: Tlv;
  keyHash?: Uint8Array;
  pubKey?: Uint8Array;
}

export function signatureUnits(tlvs: readonly Tlv[]): SignatureUnit[] {
  const units: SignatureUnit[] = [];
  let keyHashValue: Uint8Array | undefined;
  let pubKey: Uint8Array | undefined;
  for (const tlv of tlvs) {
    if (tlv.protected) continue;
    if (tlv.type === TLV.KEYHASH) keyHashValue = tlv.value;
    else if (tlv.type === TLV.PUBKEY) pubKey = tlv.value;
    else if (SIGNATURE_TLVS.has(tlv.type)) {
      units.push({ tlv, ...(keyHashValue ? { keyHash: keyHashValue } : {}), ...(pubKey ? { pubKey } : {}) });
      // bootutil forgets the key after each signature: the next one needs its own KEYHASH.
      keyHashValue = undefined;
      pubKey = undefined;
    }
  }
  return units;
}

/** A SIG_PURE TLV holding 1: Ed25519 signed the image bytes rather than their hash (bootutil_check_for_pure). */
export function isPure(tlvs: readonly Tlv[]): boolean {
  return tlvs.some((t) => !t.protected && t.type === TLV.SIG_PURE && t.value.length === 1 && t.value[0] === 1);
}

/** What was signed: the hashed region, its hash under the image's algorithm, and whether the signature is pure. */
export interface SignedContent {
  region: Uint8Array;
  hashAlgorithm: HashAlgorithm;
  digest: Uint8Array;
  pure: boolean;
}

export function verifySignature(unit: SignatureUnit, key: PublicKey, content: SignedContent): boolean {
  const kind = SIGNATURE_TLVS.get(unit.tlv.type);
  if (!kind?.keys.includes(key.algorithm)) return false;
  const signature = unit.tlv.value;
  try {
    switch (key.algorithm) {
      case 'rsa-2048':
      case 'rsa-3072':
        // bootutil's RSA-PSS takes a SHA-256 hash and nothing else.
        if (content.hashAlgorithm !== 'sha256' || signature.length !== (key.algorithm === 'rsa-2048' ? 256 : 384)) return false;
        return verify('sha256', content.region, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
      case 'ecdsa-p224':
      case 'ecdsa-p256':
      case 'ecdsa-p384':
        // ECDSA over the image hash: the same as ECDSA-with-that-hash over the hashed bytes.
        return verify(content.hashAlgorithm, content.region, key.key, stripEcdsaPadding(signature));
      case 'ed25519':
        return verify(null, content.pure ? content.region : content.digest, key.key, signature);
    }
  } catch {
    return false; // a malformed signature is a signature that does not verify
  }
}

/** MCUboot before 1.5 padded ECDSA signatures with zeros to a fixed length; imgtool's verify cuts them off the same way. */
function stripEcdsaPadding(signature: Uint8Array): Uint8Array {
  const declared = signature[1];
  if (signature[0] !== 0x30 || declared === undefined || declared >= 0x80) return signature;
  const end = declared + 2;
  if (end >= signature.length) return signature;
  return signature.subarray(end).every((b) => b === 0) ? signature.subarray(0, end) : signature;
}

/** The signature's algorithm in words; an ECDSA signature's curve shows in the size of its DER integers. */
export function signatureLabel(unit: SignatureUnit, key?: PublicKey): string {
  const kind = SIGNATURE_TLVS.get(unit.tlv.type);
  if (key) return kind && unit.tlv.type !== TLV.ECDSA_SIG ? kind.label : keyLabel(key.algorithm);
  if (unit.tlv.type !== TLV.ECDSA_SIG) return kind?.label ?? 'unknown';
  const size = largestDerInteger(unit.tlv.value);
  return size === undefined ? 'ECDSA' : size <= 33 ? 'ECDSA P-256' : size <= 49 ? 'ECDSA P-384' : 'ECDSA';
}

function largestDerInteger(sig: Uint8Array): number | undefined {
  if (sig[0] !== 0x30 || sig[2] !== 0x02) return undefined;
  const r = sig[3] ?? 0;
  const sAt = 4 + r;
  if (sig[sAt] !== 0x02) return undefined;
  return Math.max(r, sig[sAt + 1] ?? 0);
}
