// The server's side of the first flight, parsed: ServerHello (and the TLS 1.3 HelloRetryRequest, which
// shares its shape), Certificate, ServerKeyExchange. Inputs are untrusted; only TlsParseError escapes.
import { Reader, TlsParseError } from './records.ts';
import { type TlsVersion, versionOfWire } from './versions.ts';

/** SHA-256 of "HelloRetryRequest" (RFC 8446 section 4.1.3): a ServerHello with this random is a retry request. */
const HELLO_RETRY_RANDOM = Buffer.from('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C', 'hex');
const SUPPORTED_VERSIONS = 43;
const KEY_SHARE = 51;

export interface ServerHello {
  /** The version the server chose: supported_versions when present (TLS 1.3), else the legacy field. */
  version: TlsVersion | undefined;
  /** The raw chosen version, for reports when it is none of the known ones. */
  wireVersion: number;
  cipherSuite: number;
  compression: number;
  helloRetryRequest: boolean;
  /** The group of the TLS 1.3 key share (or the group a retry request asks for). */
  keyShareGroup?: number;
  extensions: number[];
}

export function parseServerHello(body: Buffer): ServerHello {
  const r = new Reader(body, 'ServerHello');
  const legacyVersion = r.uint16();
  const random = r.bytesOf(32);
  const sessionId = r.vector(1);
  if (sessionId.length > 32) throw new TlsParseError('ServerHello session id is longer than 32 bytes');
  const cipherSuite = r.uint16();
  const compression = r.uint8();
  let wire = legacyVersion;
  let keyShareGroup: number | undefined;
  const extensions: number[] = [];
  // SSL 3.0 and early TLS servers may end the ServerHello here.
  if (r.remaining > 0) {
    const block = new Reader(r.vector(2), 'ServerHello extensions');
    while (block.remaining > 0) {
      const type = block.uint16();
      const data = block.vector(2);
      if (extensions.includes(type)) throw new TlsParseError(`ServerHello repeats extension ${type}`);
      extensions.push(type);
      if (type === SUPPORTED_VERSIONS) {
        if (data.length !== 2) throw new TlsParseError('supported_versions in a ServerHello must hold one version');
        wire = data.readUInt16BE(0);
      } else if (type === KEY_SHARE) {
        if (data.length < 2) throw new TlsParseError('key_share in a ServerHello is truncated');
        keyShareGroup = data.readUInt16BE(0);
      }
    }
  }
  if (r.remaining !== 0) throw new TlsParseError('ServerHello has bytes after its extensions');
  return {
    version: versionOfWire(wire),
    wireVersion: wire,
    cipherSuite,
    compression,
    helloRetryRequest: random.equals(HELLO_RETRY_RANDOM),
    ...(keyShareGroup !== undefined ? { keyShareGroup } : {}),
    extensions,
  };
}

/** The DER certificates of a TLS 1.2-or-older Certificate message, leaf first. */
export function parseCertificateMessage(body: Buffer): Buffer[] {
  const r = new Reader(body, 'Certificate message');
  const list = new Reader(r.vector(3), 'certificate list');
  if (r.remaining !== 0) throw new TlsParseError('Certificate message has bytes after its list');
  const certificates: Buffer[] = [];
  while (list.remaining > 0) {
    const der = list.vector(3);
    if (der.length === 0) throw new TlsParseError('empty certificate in the chain');
    certificates.push(der);
    if (certificates.length > 32) throw new TlsParseError('certificate chain of more than 32 certificates');
  }
  return certificates;
}

export type KeyExchangeParameters = { kind: 'dh'; primeBits: number } | { kind: 'ecdh'; namedGroup: number } | { kind: 'ecdh-explicit' };

/** Bit length of a big-endian unsigned integer, leading zero bytes ignored. */
function bitLength(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/**
 * The group a ServerKeyExchange offers, for the key exchanges that have one. PSK variants start with an
 * identity hint. Only the parameters are read; the signature that follows is not checked.
 */
export function parseServerKeyExchange(body: Buffer, keyExchange: string): KeyExchangeParameters | undefined {
  const r = new Reader(body, 'ServerKeyExchange');
  if (keyExchange === 'DHE-PSK' || keyExchange === 'ECDHE-PSK') r.vector(2);
  if (keyExchange === 'DHE' || keyExchange === 'DHE-PSK') {
    const prime = r.vector(2);
    r.vector(2); // generator
    r.vector(2); // the server's public value
    if (prime.length === 0) throw new TlsParseError('ServerKeyExchange has an empty DH prime');
    return { kind: 'dh', primeBits: bitLength(prime) };
  }
  if (keyExchange === 'ECDHE' || keyExchange === 'ECDHE-PSK') {
    const curveType = r.uint8();
    if (curveType === 3) return { kind: 'ecdh', namedGroup: r.uint16() };
    if (curveType === 1 || curveType === 2) return { kind: 'ecdh-explicit' };
    throw new TlsParseError(`ServerKeyExchange has unknown curve type ${curveType}`);
  }
  return undefined;
}
