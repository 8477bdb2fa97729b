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
