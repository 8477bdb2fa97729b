// Builds MCUboot images in TypeScript for the tests, following imgtool's Image.create (scripts/imgtool/image.py):
// header padded to its size with the erased value, payload, protected TLVs (SEC_CNT first) under info magic
// 0x6908, then the unprotected TLVs: the hash, SIG_PURE in pure mode, KEYHASH (or PUBKEY), the signature.
// Keys come from the real openssl CLI. The builder is kept honest by test/scan/config/mcuboot/builder.test.ts,
// which rebuilds the imgtool fixtures byte for byte.
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyType = 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-3072';
export type HashName = 'sha256' | 'sha384' | 'sha512';

export interface SigningKey {
  type: KeyType;
  privatePem: string;
  publicPem: string;
}

export const TLV_TYPE = {
  KEYHASH: 0x01,
  PUBKEY: 0x02,
  SHA256: 0x10,
  SHA384: 0x11,
  SHA512: 0x12,
  RSA2048_PSS: 0x20,
  ECDSA_SIG: 0x22,
  RSA3072_PSS: 0x23,
  ED25519: 0x24,
  SIG_PURE: 0x25,
  DEPENDENCY: 0x40,
  SEC_CNT: 0x50,
  BOOT_RECORD: 0x60,
} as const;

const HASH_TLV: Record<HashName, number> = { sha256: TLV_TYPE.SHA256, sha384: TLV_TYPE.SHA384, sha512: TLV_TYPE.SHA512 };
const SIG_TLV: Record<KeyType, number> = {
  ed25519: TLV_TYPE.ED25519,
  'ecdsa-p256': TLV_TYPE.ECDSA_SIG,
  'ecdsa-p384': TLV_TYPE.ECDSA_SIG,
  'rsa-2048': TLV_TYPE.RSA2048_PSS,
  'rsa-3072': TLV_TYPE.RSA3072_PSS,
};
/** imgtool's ALLOWED_KEY_SHA: the first is what --sha auto picks. */
const ALLOWED_SHA: Record<KeyType, HashName[]> = {
  ed25519: ['sha256', 'sha512'],
  'ecdsa-p256': ['sha256'],
  'ecdsa-p384': ['sha384'],
  'rsa-2048': ['sha256'],
  'rsa-3072': ['sha256'],
};

const OPENSSL_ARGS: Record<KeyType, string[]> = {
  ed25519: ['-algorithm', 'ed25519'],
  'ecdsa-p256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ecdsa-p384': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  'rsa-2048': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'rsa-3072': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
};

/** A fresh key pair from `openssl genpkey`, in a temporary folder removed afterwards. */
export function generateKey(type: KeyType): SigningKey {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-mcuboot-key-'));
  try {
    const priv = join(dir, 'key.pem');
    const pub = join(dir, 'key.pub.pem');
    execFileSync('openssl', ['genpkey', ...OPENSSL_ARGS[type], '-out', priv], { stdio: 'pipe' });
    execFileSync('openssl', ['pkey', '-in', priv, '-pubout', '-out', pub], { stdio: 'pipe' });
    return { type, privatePem: readFileSync(priv, 'utf8'), publicPem: readFileSync(pub, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const shared = new Map<string, SigningKey>();

/** One key per type and label for the whole test file: RSA-3072 generation is slow. */
export function sharedKey(type: KeyType, label = 'default'): SigningKey {
  const id = `${type}/${label}`;
  let key = shared.get(id);
  if (!key) {
    key = generateKey(type);
    shared.set(id, key);
  }
  return key;
}

export interface Tlv {
  type: number;
  value: Uint8Array;
}

export interface ImageOptions {
  /** The application, placed after the header; default 4 KiB of deterministic bytes. */
  payload?: Uint8Array;
  /** imgtool -H; default 0x200 as with --pad-header. */
  headerSize?: number;
  version?: { major: number; minor: number; revision: number; buildNum: number };
  /** imgtool --load-addr: also sets the RAM_LOAD flag, as imgtool does. */
  loadAddr?: number;
  /** Extra header flags. */
  flags?: number;
  /** The byte the header is padded with; imgtool's erased value, 0xff. */
  erasedVal?: number;
  /** imgtool -s: a SEC_CNT TLV, the first in the protected area. */
  securityCounter?: number;
  /** More protected TLVs, after SEC_CNT (imgtool --custom-tlv puts them there). */
  protectedTlvs?: Tlv[];
  /** The image hash; default as imgtool's --sha auto, or 'none' for no hash TLV at all (not something imgtool makes). */
  hash?: HashName | 'none';
  /** Signs the image when given. */
  key?: SigningKey;
  /** imgtool --public-key-format: 'hash' (a KEYHASH TLV, the default), 'full' (PUBKEY) or 'none'. */
  publicKeyFormat?: 'hash' | 'full' | 'none';
  /** Ed25519 over the image itself, with a SIG_PURE TLV (imgtool --pure). */
  pure?: boolean;
  /** Unprotected TLVs appended after the signature. */
  extraTlvs?: Tlv[];
  /** imgtool --fix-sig and --fix-sig-pubkey: a ready-made signature, named by this public key, instead of signing. */
  fixedSignature?: { signature: Uint8Array; publicPem: string; type: KeyType };
}

export function defaultPayload(size = 4096, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function buildImage(options: ImageOptions = {}): Uint8Array {
  const payload = options.payload ?? defaultPayload();
  const headerSize = options.headerSize ?? 0x200;
  const version = options.version ?? { major: 1, minor: 2, revision: 3, buildNum: 0 };
  const keyType = options.key?.type ?? options.fixedSignature?.type;
  const hash = chooseHash(keyType, options.hash, options.pure ?? false);

  const protectedTlvs: Tlv[] = [];
  if (options.securityCounter !== undefined) protectedTlvs.push({ type: TLV_TYPE.SEC_CNT, value: u32(options.securityCounter) });
  protectedTlvs.push(...(options.protectedTlvs ?? []));
  const protectedArea = protectedTlvs.length ? tlvArea(0x6908, protectedTlvs) : new Uint8Array(0);

  let flags = options.flags ?? 0;
  if (options.loadAddr) flags |= 0x20;
  const header = new Uint8Array(headerSize).fill(options.erasedVal ?? 0xff);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x96f3b83d, true);
  view.setUint32(4, options.loadAddr ?? 0, true);
  view.setUint16(8, headerSize, true);
  view.setUint16(10, protectedArea.length, true);
  view.setUint32(12, payload.length, true);
  view.setUint32(16, flags, true);
  view.setUint8(20, version.major);
  view.setUint8(21, version.minor);
  view.setUint16(22, version.revision, true);
  view.setUint32(24, version.buildNum, true);
  view.setUint32(28, 0, true);

  const region = concat(header, payload, protectedArea);
  const tlvs: Tlv[] = [];
  const digest = hash === 'none' ? undefined : createHash(hash).update(region).digest();
  if (digest && hash !== 'none') tlvs.push({ type: HASH_TLV[hash], value: digest });
  if (options.pure) tlvs.push({ type: TLV_TYPE.SIG_PURE, value: Uint8Array.of(1) });

  const signer = options.key ?? options.fixedSignature;
  if (signer && keyType) {
    const publicKey = createPublicKey(signer.publicPem);
    const keyBytes = imgtoolPublicBytes(publicKey, keyType);
    const format = options.publicKeyFormat ?? 'hash';
    if (format === 'hash')
      tlvs.push({
        type: TLV_TYPE.KEYHASH,
        value: createHash(hash === 'none' ? 'sha256' : hash)
          .update(keyBytes)
          .digest(),
      });
    if (format === 'full') tlvs.push({ type: TLV_TYPE.PUBKEY, value: keyBytes });
    const signature = options.fixedSignature?.signature ?? signImage(options.key as SigningKey, region, digest, options.pure ?? false);
    tlvs.push({ type: SIG_TLV[keyType], value: signature });
  }
  tlvs.push(...(options.extraTlvs ?? []));
  return concat(region, tlvArea(0x6907, tlvs));
}

function chooseHash(keyType: KeyType | undefined, wanted: HashName | 'none' | undefined, pure: boolean): HashName | 'none' {
  if (!keyType) return wanted ?? 'sha256';
  if (pure) {
    if (keyType !== 'ed25519') throw new Error('imgtool signs pure only with Ed25519');
    return 'sha512'; // imgtool's ALLOWED_PURE_KEY_SHA
  }
  const allowed = ALLOWED_SHA[keyType];
  if (wanted === undefined) return allowed[0] as HashName;
  if (wanted === 'none' || allowed.includes(wanted)) return wanted;
  throw new Error(`imgtool refuses a ${keyType} key with --sha ${wanted.slice(3)}`);
}

/** What imgtool's get_public_bytes() returns: PKCS#1 for RSA, SubjectPublicKeyInfo for the others. */
export function imgtoolPublicBytes(key: KeyObject, type: KeyType): Uint8Array {
  return new Uint8Array(key.export(type.startsWith('rsa') ? { type: 'pkcs1', format: 'der' } : { type: 'spki', format: 'der' }));
}

function signImage(key: SigningKey, region: Uint8Array, digest: Uint8Array | undefined, pure: boolean): Uint8Array {
  const privateKey = createPrivateKey(key.privatePem);
  switch (key.type) {
    case 'rsa-2048':
    case 'rsa-3072':
      return sign('sha256', region, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'ecdsa-p256':
      return sign('sha256', region, privateKey);
    case 'ecdsa-p384':
      return sign('sha384', region, privateKey);
    case 'ed25519':
      if (pure) return sign(null, region, privateKey);
      if (!digest) throw new Error('imgtool signs the digest with Ed25519, so it needs a hash');
      return sign(null, digest, privateKey);
  }
}

export function tlvArea(magic: number, tlvs: readonly Tlv[]): Uint8Array {
  const size = 4 + tlvs.reduce((n, t) => n + 4 + t.value.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint16(0, magic, true);
  view.setUint16(2, size, true);
  let at = 4;
  for (const t of tlvs) {
    view.setUint8(at, t.type & 0xff);
    view.setUint8(at + 1, t.type >> 8);
    view.setUint16(at + 2, t.value.length, true);
    out.set(t.value, at + 4);
    at += 4 + t.value.length;
  }
  return out;
}

/** Python intelhex's layout, as imgtool saves .hex: 16-byte data records, an 04 record per 64 KiB, then EOF. */
export function toIntelHex(data: Uint8Array, base: number, recordSize = 16): string {
  const lines: string[] = [];
  let upper = -1;
  for (let at = 0; at < data.length;) {
    const address = base + at;
    if (address >>> 16 !== upper) {
      upper = address >>> 16;
      lines.push(record(0x04, 0, Uint8Array.of(upper >> 8, upper & 0xff)));
    }
    const room = 0x10000 - (address & 0xffff);
    const n = Math.min(recordSize, data.length - at, room);
    lines.push(record(0x00, address & 0xffff, data.subarray(at, at + n)));
    at += n;
  }
  lines.push(record(0x01, 0, new Uint8Array(0)));
  return `${lines.join('\n')}\n`;
}

export function record(type: number, offset: number, data: Uint8Array): string {
  const bytes = [data.length, offset >> 8, offset & 0xff, type, ...data];
  const checksum = (0x100 - (bytes.reduce((s, b) => s + b, 0) & 0xff)) & 0xff;
  return `:${[...bytes, checksum].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('')}`;
}

/** A copy with one bit flipped. */
export function flipBit(bytes: Uint8Array, offset: number, bit = 0): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[offset] = (copy[offset] ?? 0) ^ (1 << bit);
  return copy;
}

/** Where each part of a built image sits, from its own header and TLV info. */
export function layout(image: Uint8Array): {
  headerSize: number;
  payloadEnd: number;
  tlvStart: number;
  tlvEnd: number;
  tlvs: Array<Tlv & { offset: number }>;
} {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const headerSize = view.getUint16(8, true);
  const payloadEnd = headerSize + view.getUint32(12, true);
  const tlvStart = payloadEnd + view.getUint16(10, true);
  const tlvEnd = tlvStart + view.getUint16(tlvStart + 2, true);
  const tlvs: Array<Tlv & { offset: number }> = [];
  for (let at = tlvStart + 4; at < tlvEnd;) {
    const length = view.getUint16(at + 2, true);
    tlvs.push({ type: view.getUint16(at, true), value: image.subarray(at + 4, at + 4 + length), offset: at + 4 });
    at += 4 + length;
  }
  return { headerSize, payloadEnd, tlvStart, tlvEnd, tlvs };
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
