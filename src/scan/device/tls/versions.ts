// The protocol versions the TLS prober asks about, by the names OpenSSL and Mozilla's guidelines use.
export const TLS_VERSIONS = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

const WIRE: Record<TlsVersion, number> = { SSLv3: 0x0300, 'TLSv1.0': 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

/** The two-byte protocol version on the wire. */
export function wireVersion(version: TlsVersion): number {
  return WIRE[version];
}

/** The version named by a wire value, or undefined for anything else (drafts, SSLv2, garbage). */
export function versionOfWire(wire: number): TlsVersion | undefined {
  return TLS_VERSIONS.find((v) => WIRE[v] === wire);
}

/** How people write it: "SSL 3.0", "TLS 1.2". */
export function versionLabel(version: TlsVersion): string {
  return version === 'SSLv3' ? 'SSL 3.0' : version.replace('TLSv', 'TLS ');
}

export function versionRank(version: TlsVersion): number {
  return TLS_VERSIONS.indexOf(version);
}

// DTLS versions, named by the TLS version each is built on (RFC 6347 section 1: DTLS 1.0 is TLS 1.1 over
// datagrams, DTLS 1.2 is TLS 1.2; RFC 9147: DTLS 1.3 is TLS 1.3), so that the cipher suite registry and
// the TLS checks serve both. There was never a DTLS 1.1, and nothing DTLS is older than TLS 1.1.
const DTLS_WIRE: Partial<Record<TlsVersion, number>> = { 'TLSv1.1': 0xfeff, 'TLSv1.2': 0xfefd, 'TLSv1.3': 0xfefc };
const DTLS_LABEL: Partial<Record<TlsVersion, string>> = { 'TLSv1.1': 'DTLS 1.0', 'TLSv1.2': 'DTLS 1.2', 'TLSv1.3': 'DTLS 1.3' };

/** The DTLS version built on `version`, on the wire (DTLS counts down: 1.0 is 0xfeff, 1.2 is 0xfefd). */
export function dtlsWireVersion(version: TlsVersion): number {
  const wire = DTLS_WIRE[version];
  if (wire === undefined) throw new Error(`there is no DTLS version built on ${versionLabel(version)}`);
  return wire;
}

/** The TLS version a DTLS wire version is built on, or undefined for anything else. */
export function versionOfDtlsWire(wire: number): TlsVersion | undefined {
  return TLS_VERSIONS.find((v) => DTLS_WIRE[v] === wire);
}

/** "DTLS 1.2" for TLSv1.2, "DTLS 1.0" for TLSv1.1. */
export function dtlsVersionLabel(version: TlsVersion): string {
  return DTLS_LABEL[version] ?? `DTLS on ${versionLabel(version)}`;
}
