// What the TLS prober saw on one port, as plain data: the checks read only this, so each can be tested on
// observations written by hand as well as on real servers.
import type { Endpoint } from '../connection.ts';
import type { SuiteFacts } from './cipher-suites.ts';
import type { CertificateInfo, HostMatch } from './certificate.ts';
import { dtlsVersionLabel, type TlsVersion, versionLabel } from './versions.ts';

export interface VersionObservation {
  version: TlsVersion;
  /** unknown: the handshakes that would have told failed (timeout, garbage) or were never made. */
  status: 'accepted' | 'refused' | 'unknown';
  /** How the server answered: the alert, the version it fell back to, or what went wrong. */
  detail?: string;
  /** Suites accepted with this version, in the order the server chose them. */
  suites: SuiteFacts[];
  /** True when every suite the server accepts with this version is listed (the server refused the rest). */
  complete: boolean;
}

export interface CertificateObservation {
  /** handshake: the plaintext Certificate message of TLS 1.2 or older; tls-session: a TLS 1.3 session made to read it. */
  source: 'handshake' | 'tls-session';
  /** Leaf first, as the server sent it. */
  chain: CertificateInfo[];
  hostMatch: HostMatch;
}

export interface TlsObservation {
  /** Set for DTLS over UDP: its versions are named by the TLS versions they are built on (TLSv1.2 is DTLS 1.2). */
  protocol?: 'DTLS';
  endpoint: Endpoint;
  /** When the observation was made (ISO 8601): certificate dates are judged against it. */
  observedAt: string;
  /** Highest version first, all five always present (for DTLS: DTLS 1.2 and DTLS 1.0). */
  versions: VersionObservation[];
  certificate?: CertificateObservation;
  keyExchange: {
    /** Sizes of the finite-field DH groups seen in DHE handshakes, in bits. */
    dhPrimeBits: number[];
    /** ECDHE groups seen (X25519, prime256v1, ...), in TLS 1.2 ServerKeyExchange or TLS 1.3 key shares. */
    ecdhGroups: string[];
  };
  /** The server asked for a client certificate (a TLS 1.2 CertificateRequest, or a TLS 1.3 session refused for want of one). */
  clientCertificateRequested: boolean;
  handshakes: number;
  maxHandshakes: number;
  /** What could not be determined, and why. */
  incomplete: { part: string; reason: string }[];
}

/** How a report names a version of this observation: "TLS 1.2", or "DTLS 1.2" for DTLS. */
export function observedVersionLabel(observation: Pick<TlsObservation, 'protocol'>, version: TlsVersion): string {
  return observation.protocol === 'DTLS' ? dtlsVersionLabel(version) : versionLabel(version);
}

export function acceptedVersions(observation: TlsObservation): VersionObservation[] {
  return observation.versions.filter((v) => v.status === 'accepted');
}

/** Every distinct suite accepted, whichever version, with the versions it was accepted with. */
export function acceptedSuites(observation: TlsObservation): { suite: SuiteFacts; versions: TlsVersion[] }[] {
  const byCode = new Map<number, { suite: SuiteFacts; versions: TlsVersion[] }>();
  for (const v of acceptedVersions(observation)) {
    for (const suite of v.suites) {
      const entry = byCode.get(suite.code) ?? { suite, versions: [] };
      entry.versions.push(v.version);
      byCode.set(suite.code, entry);
    }
  }
  return [...byCode.values()];
}

/** True when every accepted version's suite list is complete. */
export function suitesComplete(observation: TlsObservation): boolean {
  return acceptedVersions(observation).every((v) => v.complete);
}
