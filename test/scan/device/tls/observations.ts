// Observations written by hand for the check tests: a sound TLS 1.2/1.3 server with a CA-issued P-256
// certificate by default, changed piece by piece in each case.
import { loadCipherSuites, type SuiteFacts, suiteFacts } from '../../../../src/scan/device/tls/cipher-suites.ts';
import type { CertificateInfo } from '../../../../src/scan/device/tls/certificate.ts';
import type { TlsObservation } from '../../../../src/scan/device/tls/observation.ts';
import { TLS_VERSIONS, type TlsVersion } from '../../../../src/scan/device/tls/versions.ts';

export const OBSERVED_AT = '2026-06-01T12:00:00.000Z';
const DAY = 86_400_000;

export function daysFromObservation(days: number): string {
  return new Date(Date.parse(OBSERVED_AT) + days * DAY).toISOString();
}

/** A suite by its IANA name, with the registry's facts. */
export function suite(iana: string): SuiteFacts {
  const entry = loadCipherSuites().suites.find((s) => s.iana === iana);
  if (!entry) throw new Error(`no suite ${iana}`);
  return suiteFacts(entry.value);
}

export function certificate(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    subject: 'CN=device.test',
    issuer: 'CN=Device CA',
    notBefore: daysFromObservation(-10),
    notAfter: daysFromObservation(60),
    keyType: 'ec',
    keyBits: 256,
    curve: 'prime256v1',
    signatureAlgorithm: 'ecdsa-with-SHA256',
    selfSigned: false,
    dnsNames: ['device.test'],
    ipAddresses: [],
    fingerprint256: 'AA:BB',
    ...overrides,
  };
}

export interface ObservationSpec {
  /** Suites (IANA names) accepted per version; versions not named are refused. */
  accepted?: Partial<Record<TlsVersion, string[]>>;
  unknown?: TlsVersion[];
  /** Versions whose suite list was cut short. */
  partial?: TlsVersion[];
  /** The chain, leaf first; null for none seen. */
  chain?: CertificateInfo[] | null;
  hostMatch?: { matches: boolean; commonNameOnly?: boolean };
  dhPrimeBits?: number[];
  ecdhGroups?: string[];
  clientCertificateRequested?: boolean;
}

export function observation(spec: ObservationSpec = {}): TlsObservation {
  const accepted = spec.accepted ?? {
    'TLSv1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
    'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  };
  const chain = spec.chain === null ? undefined : (spec.chain ?? [certificate()]);
  return {
    endpoint: { host: '192.0.2.10', port: 443 },
    observedAt: OBSERVED_AT,
    versions: [...TLS_VERSIONS].reverse().map((version) => {
      const names = accepted[version];
      if (names) return { version, status: 'accepted' as const, suites: names.map(suite), complete: !spec.partial?.includes(version) };
      if (spec.unknown?.includes(version))
        return { version, status: 'unknown' as const, detail: 'no TLS data within 5000 ms', suites: [], complete: false };
      return { version, status: 'refused' as const, detail: 'protocol_version alert', suites: [], complete: false };
    }),
    ...(chain
      ? {
          certificate: {
            source: 'handshake' as const,
            chain,
            hostMatch: {
              name: 'device.test',
              matches: spec.hostMatch?.matches ?? true,
              commonNameOnly: spec.hostMatch?.commonNameOnly ?? false,
            },
          },
        }
      : {}),
    keyExchange: { dhPrimeBits: spec.dhPrimeBits ?? [], ecdhGroups: spec.ecdhGroups ?? ['X25519'] },
    clientCertificateRequested: spec.clientCertificateRequested ?? false,
    handshakes: 9,
    maxHandshakes: 80,
    incomplete: [],
  };
}
