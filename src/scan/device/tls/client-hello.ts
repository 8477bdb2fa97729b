// A ClientHello written by hand, because node's OpenSSL will not offer SSL 3.0, RC4, export or single-DES
// suites: to learn what a server accepts, the prober must be able to ask for anything. Only the hello is
// ever sent; no handshake is finished, so no key material beyond a TLS 1.3 key share is needed. The DTLS
// prober sends the same hello body with a cookie field (RFC 6347 section 4.2.1) in its own framing.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { CONTENT_TYPE, encodeHandshake, encodeRecord, HANDSHAKE_TYPE } from './records.ts';
import { dtlsWireVersion, type TlsVersion, versionRank, wireVersion } from './versions.ts';

/** Signals secure renegotiation support (RFC 5746) in a way SSL 3.0 servers also accept. */
const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

const EXTENSION = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  extendedMasterSecret: 23,
  supportedVersions: 43,
  pskKeyExchangeModes: 45,
  keyShare: 51,
} as const;

/** Named groups, modern first, then the older curves small devices still use, then finite-field groups. */
export const NAMED_GROUPS: Record<number, string> = {
  29: 'X25519',
  23: 'prime256v1',
  24: 'secp384r1',
  25: 'secp521r1',
  30: 'X448',
  22: 'secp256k1',
  21: 'secp224r1',
  19: 'prime192v1',
  256: 'ffdhe2048',
  257: 'ffdhe3072',
  258: 'ffdhe4096',
};
const X25519 = 29;

/** Every signature scheme a server might hold a key for, SHA-1 ones included, so none is refused for want of one. */
const SIGNATURE_SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0402,
  0x0302, 0x0203, 0x0201, 0x0202,
];

export interface ClientHelloOptions {
  /** Versions offered, any order. One version up to TLS 1.2 is asked for in the legacy field alone; TLS 1.3 needs supported_versions. */
  versions: TlsVersion[];
  /** Cipher suite code points in the order of preference. */
  suites: number[];
  /** Sent as SNI when it is a DNS name. */
  serverName?: string;
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function vector(prefix: 1 | 2, content: Buffer): Buffer {
  return Buffer.concat([prefix === 1 ? Buffer.from([content.length]) : u16(content.length), content]);
}

function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vector(2, data)]);
}

/** A fresh X25519 public key for the TLS 1.3 key share (the private half is never needed). */
function x25519PublicKey(): Buffer {
  const jwk = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}

function sniName(name: string | undefined): string | undefined {
  if (!name || isIP(name) !== 0) return undefined;
  const trimmed = name.replace(/\.$/, '');
  return /^[A-Za-z0-9.-]{1,253}$/.test(trimmed) ? trimmed : undefined;
}

function helloExtensions(highest: TlsVersion, sorted: TlsVersion[], serverName: string | undefined): Buffer[] {
  if (highest === 'SSLv3') return [];
  const extensions: Buffer[] = [];
  const name = sniName(serverName);
  if (name) {
    const entry = Buffer.concat([Buffer.from([0]), vector(2, Buffer.from(name, 'ascii'))]);
    extensions.push(extension(EXTENSION.serverName, vector(2, entry)));
  }
  extensions.push(extension(EXTENSION.supportedGroups, vector(2, Buffer.concat(Object.keys(NAMED_GROUPS).map((g) => u16(Number(g)))))));
  extensions.push(extension(EXTENSION.ecPointFormats, vector(1, Buffer.from([0, 1, 2]))));
  if (versionRank(highest) >= versionRank('TLSv1.2')) {
    extensions.push(extension(EXTENSION.signatureAlgorithms, vector(2, Buffer.concat(SIGNATURE_SCHEMES.map(u16)))));
  }
  extensions.push(extension(EXTENSION.extendedMasterSecret, Buffer.alloc(0)));
  if (highest === 'TLSv1.3') {
    extensions.push(extension(EXTENSION.supportedVersions, vector(1, Buffer.concat(sorted.map((v) => u16(wireVersion(v)))))));
    extensions.push(extension(EXTENSION.pskKeyExchangeModes, vector(1, Buffer.from([1]))));
    const share = Buffer.concat([u16(X25519), vector(2, x25519PublicKey())]);
    extensions.push(extension(EXTENSION.keyShare, vector(2, share)));
  }
  return extensions;
}

function sortedVersions(versions: TlsVersion[]): { sorted: TlsVersion[]; highest: TlsVersion } {
  const sorted = [...new Set(versions)].sort((a, b) => versionRank(b) - versionRank(a));
  const highest = sorted[0];
  if (!highest) throw new Error('a ClientHello needs at least one version');
  return { sorted, highest };
}

function suiteList(suites: number[]): Buffer {
  return vector(2, Buffer.concat([...suites, EMPTY_RENEGOTIATION_INFO_SCSV].map(u16)));
}

/** The record (or records) to write. */
export function buildClientHello(options: ClientHelloOptions): Buffer {
  const { sorted, highest } = sortedVersions(options.versions);
  const offersTls13 = highest === 'TLSv1.3';
  const legacyHighest = sorted.find((v) => v !== 'TLSv1.3') ?? 'TLSv1.2';
  const legacyVersion = offersTls13 ? wireVersion('TLSv1.2') : wireVersion(legacyHighest);
  const extensions = helloExtensions(highest, sorted, options.serverName);

  const body = Buffer.concat([
    u16(legacyVersion),
    randomBytes(32),
    // TLS 1.3 middlebox compatibility mode wants a session id; older hellos ask for a fresh session.
    vector(1, offersTls13 ? randomBytes(32) : Buffer.alloc(0)),
    suiteList(options.suites),
    vector(1, Buffer.from([0])),
    ...(extensions.length > 0 ? [vector(2, Buffer.concat(extensions))] : []),
  ]);
  const recordVersion = highest === 'SSLv3' ? wireVersion('SSLv3') : wireVersion('TLSv1.0');
  const handshake = encodeHandshake(HANDSHAKE_TYPE.clientHello, body);
  // A hello with hundreds of suites still fits one record (2^14 bytes); split defensively all the same.
  const records: Buffer[] = [];
  for (let at = 0; at < handshake.length; at += 16384) {
    records.push(encodeRecord(CONTENT_TYPE.handshake, recordVersion, handshake.subarray(at, at + 16384)));
  }
  return Buffer.concat(records);
}

export interface DtlsHelloFields {
  /** The client random: the same in both hellos of a cookie exchange. */
  random: Buffer;
  /** The cookie of the server's HelloVerifyRequest; empty in the first hello. */
  cookie: Buffer;
}

/**
 * The body of a DTLS ClientHello (no framing): `versions` are the TLS versions the DTLS ones are built on
 * (TLSv1.2 for DTLS 1.2, TLSv1.1 for DTLS 1.0); the same extensions as a TLS 1.2 hello.
 */
export function buildDtlsClientHelloBody(options: ClientHelloOptions, fields: DtlsHelloFields): Buffer {
  const { sorted, highest } = sortedVersions(options.versions);
  if (highest === 'TLSv1.3') throw new Error('DTLS 1.3 hellos are not built');
  if (fields.random.length !== 32) throw new Error('a ClientHello random is 32 bytes');
  const extensions = helloExtensions(highest, sorted, options.serverName);
  return Buffer.concat([
    u16(dtlsWireVersion(highest)),
    fields.random,
    vector(1, Buffer.alloc(0)),
    vector(1, fields.cookie),
    suiteList(options.suites),
    vector(1, Buffer.from([0])),
    vector(2, Buffer.concat(extensions)),
  ]);
}
