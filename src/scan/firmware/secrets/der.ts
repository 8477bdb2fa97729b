// A minimal, bounded ASN.1 DER reader: enough to tell a private key, a certificate or a PKCS#12 container
// by its shape before handing it to Node's crypto, and to walk a PKCS#12's unencrypted layers. It never
// recurses without a depth bound and never reads past the buffer; malformed input yields undefined.

export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
} as const;

/** Reads one TLV at offset, within limit; undefined when it is not well-formed DER (or uses high tag numbers). */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) return undefined;
  let length = bytes[offset + 1] as number;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || contentStart + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[contentStart + i] as number);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) return undefined;
  return { tag, start: offset, contentStart, end };
}

/** The TLVs directly inside a constructed one, at most max of them; undefined if the content does not parse exactly. */
export function children(bytes: Uint8Array, parent: Tlv, max = 64): Tlv[] | undefined {
  const result: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    if (result.length >= max) return undefined;
    const child = readTlv(bytes, offset, parent.end);
    if (!child) return undefined;
    result.push(child);
    offset = child.end;
  }
  return result;
}

/** A TLV covering the whole buffer exactly (DER files hold one object), or undefined. */
export function wholeTlv(bytes: Uint8Array): Tlv | undefined {
  const tlv = readTlv(bytes, 0);
  return tlv && tlv.end === bytes.length ? tlv : undefined;
}

export function content(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.contentStart, tlv.end);
}

/** A small INTEGER's value, or undefined when it is not an INTEGER or is too large to matter here. */
export function smallInteger(bytes: Uint8Array, tlv: Tlv | undefined): number | undefined {
  if (!tlv || tlv.tag !== TAG.INTEGER || tlv.end - tlv.contentStart < 1 || tlv.end - tlv.contentStart > 4) return undefined;
  let value = 0;
  for (let i = tlv.contentStart; i < tlv.end; i++) value = value * 256 + (bytes[i] as number);
  return value;
}

/** Dotted form of an OBJECT IDENTIFIER. */
export function oid(bytes: Uint8Array, tlv: Tlv | undefined): string | undefined {
  if (!tlv || tlv.tag !== TAG.OID || tlv.end === tlv.contentStart || tlv.end - tlv.contentStart > 64) return undefined;
  const parts: number[] = [];
  let value = 0;
  for (let i = tlv.contentStart; i < tlv.end; i++) {
    const b = bytes[i] as number;
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  pkcs7Data: '1.2.840.113549.1.7.1',
  pkcs7EncryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
} as const;

export type DerShape = 'pkcs1-rsa' | 'pkcs8' | 'pkcs8-encrypted' | 'sec1-ec' | 'pkcs12' | 'x509' | undefined;

/** Recognises what a whole-buffer DER object is by its ASN.1 structure alone. */
export function derShape(bytes: Uint8Array): DerShape {
  const top = wholeTlv(bytes);
  if (!top || top.tag !== TAG.SEQUENCE) return undefined;
  const items = children(bytes, top, 16);
  if (!items || items.length < 2) return undefined;
  const [a, b, c] = items as [Tlv, Tlv, Tlv | undefined];
  const version = smallInteger(bytes, a);
  // RSAPrivateKey: version 0 and eight INTEGERs (n, e, d, p, q, dP, dQ, qInv).
  if (version === 0 && items.length === 9 && items.every((t) => t.tag === TAG.INTEGER)) return 'pkcs1-rsa';
  // PrivateKeyInfo / OneAsymmetricKey: version 0|1, AlgorithmIdentifier, OCTET STRING privateKey, ...
  if ((version === 0 || version === 1) && b.tag === TAG.SEQUENCE && c?.tag === TAG.OCTET_STRING) return 'pkcs8';
  // ECPrivateKey: version 1, OCTET STRING privateKey, [0] parameters, [1] publicKey.
  if (version === 1 && b.tag === TAG.OCTET_STRING && items.slice(2).every((t) => t.tag === TAG.CONTEXT_0 || t.tag === TAG.CONTEXT_1))
    return 'sec1-ec';
  // PFX: version 3, ContentInfo (OID data or signedData), optional MacData.
  if (version === 3 && b.tag === TAG.SEQUENCE) {
    const info = children(bytes, b, 4);
    if (info?.[0] && oid(bytes, info[0])?.startsWith('1.2.840.113549.1.7.')) return 'pkcs12';
  }
  // EncryptedPrivateKeyInfo: AlgorithmIdentifier (PBES2 or a PKCS#12 PBE), OCTET STRING.
  if (items.length === 2 && a.tag === TAG.SEQUENCE && b.tag === TAG.OCTET_STRING) {
    const alg = children(bytes, a, 4);
    const id = oid(bytes, alg?.[0]);
    if (id?.startsWith('1.2.840.113549.1.5.') || id?.startsWith('1.2.840.113549.1.12.1.')) return 'pkcs8-encrypted';
  }
  // Certificate: TBSCertificate SEQUENCE, AlgorithmIdentifier SEQUENCE, BIT STRING signature.
  if (items.length === 3 && a.tag === TAG.SEQUENCE && b.tag === TAG.SEQUENCE && c?.tag === TAG.BIT_STRING) return 'x509';
  return undefined;
}

export interface Pkcs12Contents {
  /** Unencrypted PKCS#8 keys (keyBag), as DER. */
  plainKeys: Uint8Array[];
  /** pkcs8ShroudedKeyBag entries: private keys protected by a password. */
  shroudedKeys: number;
  /** Unencrypted certificates (certBag with an X.509 certificate), as DER. */
  certificates: Uint8Array[];
  /** Encrypted layers (EncryptedData) that cannot be opened without the password. */
  encryptedLayers: number;
  /** Whether the structure could be walked at all. */
  walked: boolean;
}

/** Walks a PFX's unencrypted layers (RFC 7292): AuthenticatedSafe → ContentInfo → SafeContents → SafeBag. */
export function pkcs12Contents(bytes: Uint8Array): Pkcs12Contents {
  const result: Pkcs12Contents = { plainKeys: [], shroudedKeys: 0, certificates: [], encryptedLayers: 0, walked: false };
  const top = wholeTlv(bytes);
  const pfx = top && children(bytes, top, 4);
  const authSafeData = pfx?.[1] && dataContent(bytes, pfx[1]);
  if (!authSafeData) return result;
  const safes = readTlv(bytes, authSafeData.contentStart, authSafeData.end);
  const contentInfos = safes && safes.tag === TAG.SEQUENCE ? children(bytes, safes, 64) : undefined;
  if (!contentInfos) return result;
  result.walked = true;
  for (const info of contentInfos) {
    const parts = children(bytes, info, 4);
    const type = oid(bytes, parts?.[0]);
    if (type === OID.pkcs7EncryptedData) {
      result.encryptedLayers++;
      continue;
    }
    const data = dataContent(bytes, info);
    const bagsSeq = data && readTlv(bytes, data.contentStart, data.end);
    const bags = bagsSeq && bagsSeq.tag === TAG.SEQUENCE ? children(bytes, bagsSeq, 256) : undefined;
    for (const bag of bags ?? []) {
      const fields = children(bytes, bag, 4);
      const bagType = oid(bytes, fields?.[0]);
      const explicit = fields?.[1];
      const value = explicit?.tag === TAG.CONTEXT_0 ? readTlv(bytes, explicit.contentStart, explicit.end) : undefined;
      if (!value) continue;
      if (bagType === OID.keyBag) result.plainKeys.push(bytes.slice(value.start, value.end));
      else if (bagType === OID.pkcs8ShroudedKeyBag) result.shroudedKeys++;
      else if (bagType === OID.certBag) {
        // CertBag: certId OID, [0] EXPLICIT OCTET STRING holding the DER certificate.
        const certFields = children(bytes, value, 4);
        const wrapped = certFields?.[1];
        const octets = wrapped?.tag === TAG.CONTEXT_0 ? readTlv(bytes, wrapped.contentStart, wrapped.end) : undefined;
        if (octets?.tag === TAG.OCTET_STRING) result.certificates.push(bytes.slice(octets.contentStart, octets.end));
      }
    }
  }
  return result;
}

/** The OCTET STRING inside a ContentInfo of type data: SEQUENCE { OID data, [0] EXPLICIT OCTET STRING }. */
function dataContent(bytes: Uint8Array, contentInfo: Tlv): Tlv | undefined {
  const parts = children(bytes, contentInfo, 4);
  if (!parts || oid(bytes, parts[0]) !== OID.pkcs7Data) return undefined;
  const explicit = parts[1];
  if (!explicit || explicit.tag !== TAG.CONTEXT_0) return undefined;
  const octets = readTlv(bytes, explicit.contentStart, explicit.end);
  // BER constructed OCTET STRINGs (0x24) are not DER; Node-made and OpenSSL-made files use the primitive form.
  return octets?.tag === TAG.OCTET_STRING ? octets : undefined;
}
