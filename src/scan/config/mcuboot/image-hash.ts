// The image hash: MCUboot hashes ih_hdr_size + ih_img_size + ih_protect_tlv_size bytes from the start of
// the image (header, payload, protected TLV area with its info header) and compares the result with the
// SHA256, SHA384 or SHA512 TLV in the unprotected area (bootutil_img_hash.c; imgtool's Image.create).
import { createHash } from 'node:crypto';
import { FLAG_ENCRYPTED, type ImageHeader } from './image-header.ts';
import { TLV, type Tlv } from './tlv-area.ts';

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

export const HASH_TLVS: ReadonlyMap<number, { algorithm: HashAlgorithm; length: number; label: string }> = new Map([
  [TLV.SHA256, { algorithm: 'sha256', length: 32, label: 'SHA-256' }],
  [TLV.SHA384, { algorithm: 'sha384', length: 48, label: 'SHA-384' }],
  [TLV.SHA512, { algorithm: 'sha512', length: 64, label: 'SHA-512' }],
]);

export function hashLabel(algorithm: HashAlgorithm): string {
  return algorithm === 'sha256' ? 'SHA-256' : algorithm === 'sha384' ? 'SHA-384' : 'SHA-512';
}

export type HashOutcome =
  | { status: 'match'; algorithm: HashAlgorithm; digest: Uint8Array }
  | { status: 'mismatch'; algorithm: HashAlgorithm; stored: Uint8Array; computed: Uint8Array }
  | { status: 'bad-length'; algorithm: HashAlgorithm; length: number }
  | { status: 'missing' }
  /** The payload is encrypted: the hash covers the plaintext, which only the device can recover. */
  | { status: 'encrypted'; algorithm: HashAlgorithm };

/** The bytes MCUboot hashes, or undefined when the image is too short to hold them. */
export function hashedRegion(bytes: Uint8Array, header: ImageHeader): Uint8Array | undefined {
  const end = header.hdrSize + header.imgSize + header.protectTlvSize;
  return end <= bytes.length ? bytes.subarray(0, end) : undefined;
}

export function digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(algorithm).update(data).digest());
}

/** Checks every hash TLV in the unprotected area; the first that fails decides. */
export function checkImageHash(region: Uint8Array, header: ImageHeader, tlvs: readonly Tlv[]): HashOutcome {
  const hashTlvs = tlvs.flatMap((tlv) => {
    const info = HASH_TLVS.get(tlv.type);
    return info && !tlv.protected ? [{ tlv, ...info }] : [];
  });
  const first = hashTlvs[0];
  if (!first) return { status: 'missing' };
  if ((header.flags & FLAG_ENCRYPTED) !== 0) return { status: 'encrypted', algorithm: first.algorithm };
  const computed = new Map<HashAlgorithm, Uint8Array>();
  for (const { tlv, algorithm, length } of hashTlvs) {
    if (tlv.value.length !== length) return { status: 'bad-length', algorithm, length: tlv.value.length };
    const hash = computed.get(algorithm) ?? digest(algorithm, region);
    computed.set(algorithm, hash);
    if (!equalBytes(hash, tlv.value)) return { status: 'mismatch', algorithm, stored: tlv.value, computed: hash };
  }
  return { status: 'match', algorithm: first.algorithm, digest: computed.get(first.algorithm) ?? digest(first.algorithm, region) };
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}
