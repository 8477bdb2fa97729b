// Measures what a DTLS port accepts, the way the TLS prober measures a TLS port (scanHandshakes: every
// version once, then the suites of each by elimination, within a budget of handshakes), with DTLS's own
// handshake over UDP. Versions asked: DTLS 1.2 and DTLS 1.0; suites: the TLS registry's for the TLS
// version each is built on, less RC4, which DTLS forbids (RFC 6347 section 4.1.2.2).
//
// Some servers (libcoap with OpenSSL, for one) choose between pre-shared keys and certificates by the
// suites a hello offers: offered both, they answer in PSK mode only. So when the first run finds only one
// way of authenticating, a second run offers only the other way's suites, and the two are merged.
import { ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { IdentifiedService } from '../service.ts';
import { endpointText } from '../target.ts';
import { type CipherSuiteEntry, suitesForVersion } from '../tls/cipher-suites.ts';
import type { TlsObservation, VersionObservation } from '../tls/observation.ts';
import { offerOrder, scanHandshakes, usesCertificate } from '../tls/scan-tls.ts';
import { dtlsVersionLabel, type TlsVersion } from '../tls/versions.ts';
import { attemptDtlsHandshake } from './handshake.ts';

/** DTLS 1.2 and DTLS 1.0, by the TLS versions they are built on, highest first. */
export const DTLS_VERSIONS: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.1'];
export const DEFAULT_MAX_DTLS_HANDSHAKES = 40;

export interface DtlsScanOptions {
  /** Most handshakes made on this port in all (default 40; at least 3). */
  maxHandshakes?: number;
}

export interface DtlsObservation {
  service: IdentifiedService;
  /** Versions, suites and certificate, as the TLS checks read them; absent when no handshake could be made. */
  tls?: TlsObservation;
  /** True when the server asked for a cookie (HelloVerifyRequest) before answering a hello. */
  cookieExchange?: boolean;
  /** The PSK identity hint the server sent, printable. */
  identityHint?: string;
  /** True when the server took PSK suites and certificate suites only in separate hellos (it picks by the offer). */
  modeByOffer?: boolean;
  incomplete: { part: string; reason: string }[];
}

/** The suites a DTLS hello for `version` offers: the TLS version's, without stream ciphers. */
export function dtlsSuites(version: TlsVersion): CipherSuiteEntry[] {
  return suitesForVersion(version).filter((s) => !s.legacy.includes('rc4'));
}

/** Every DTLS 1.2 suite, weak ones first, for a hello that only asks whether the port speaks DTLS. */
export function allDtlsSuites(): number[] {
  return offerOrder(dtlsSuites('TLSv1.2'));
}

type Mode = 'psk' | 'certificate';

function isPsk(suite: CipherSuiteEntry): boolean {
  return suite.keyExchange.includes('PSK');
}

/** The ways of authenticating the accepted suites show. */
function modesOf(observation: TlsObservation): Set<Mode> {
  const modes = new Set<Mode>();
  for (const v of observation.versions) {
    for (const suite of v.suites) {
      const entry = suitesForVersion('TLSv1.2').find((s) => s.value === suite.code);
      if (entry && isPsk(entry)) modes.add('psk');
      if (usesCertificate(suite.code)) modes.add('certificate');
    }
  }
  return modes;
}

/** One observation of two runs: a version is accepted when either run accepted it, complete when both runs finished it. */
function merge(a: TlsObservation, b: TlsObservation): TlsObservation {
  const versions: VersionObservation[] = a.versions.map((v) => {
    const w = b.versions.find((x) => x.version === v.version);
    if (!w) return v;
    const status =
      v.status === 'accepted' || w.status === 'accepted'
        ? 'accepted'
        : v.status === 'refused' && w.status === 'refused'
          ? 'refused'
          : 'unknown';
    const finished = (x: VersionObservation) => x.status === 'refused' || x.complete;
    const suites = [...v.suites, ...w.suites.filter((s) => !v.suites.some((t) => t.code === s.code))];
    const detail = v.detail ?? w.detail;
    return {
      version: v.version,
      status,
      ...(detail !== undefined ? { detail } : {}),
      suites,
      complete: status === 'accepted' && finished(v) && finished(w),
    };
  });
  const certificate = a.certificate ?? b.certificate;
  return {
    ...a,
    versions,
    ...(certificate ? { certificate } : {}),
    keyExchange: {
      dhPrimeBits: [...new Set([...a.keyExchange.dhPrimeBits, ...b.keyExchange.dhPrimeBits])].sort((x, y) => x - y),
      ecdhGroups: [...new Set([...a.keyExchange.ecdhGroups, ...b.keyExchange.ecdhGroups])],
    },
    clientCertificateRequested: a.clientCertificateRequested || b.clientCertificateRequested,
    handshakes: a.handshakes + b.handshakes,
    // A certificate the second run found fills the first run's gap.
    incomplete: [...a.incomplete.filter((i) => !(certificate && / certificate$/.test(i.part))), ...b.incomplete],
  };
}

export async function scanDtls(
  context: ProbeContext,
  service: IdentifiedService,
  hostName?: string,
  options: DtlsScanOptions = {},
): Promise<DtlsObservation> {
  const { endpoint } = service;
  const where = endpointText(endpoint.host, endpoint.port);
  const observation: DtlsObservation = { service, incomplete: [] };
  const maxHandshakes = Math.max(DTLS_VERSIONS.length + 1, options.maxHandshakes ?? DEFAULT_MAX_DTLS_HANDSHAKES);
  const run = (budget: number, only?: Mode) =>
    scanHandshakes(context, endpoint, hostName ?? endpoint.host, budget, {
      protocol: 'DTLS',
      versions: DTLS_VERSIONS,
      suites: (version) => dtlsSuites(version).filter((s) => only === undefined || (only === 'psk') === isPsk(s)),
      label: dtlsVersionLabel,
      attempt: async (offer) => {
        let attempt = await attemptDtlsHandshake(context, endpoint, offer);
        // Datagrams get lost, and a server may answer from a stale session when a source port comes round
        // again: a handshake that timed out or answered another hello is tried once more, from a new port.
        if (attempt.outcome.kind === 'failed' && ['timeout', 'protocol'].includes(attempt.outcome.error.kind)) {
          attempt = await attemptDtlsHandshake(context, endpoint, offer);
        }
        if (attempt.cookieExchange) observation.cookieExchange = true;
        else if (attempt.outcome.kind !== 'failed') observation.cookieExchange ??= false;
        if (attempt.identityHint !== undefined) observation.identityHint ??= attempt.identityHint;
        return attempt.outcome;
      },
    });
  try {
    let tls = await run(maxHandshakes);
    const modes = modesOf(tls);
    const left = maxHandshakes - tls.handshakes;
    if (modes.size === 1 && left >= DTLS_VERSIONS.length) {
      const other: Mode = modes.has('psk') ? 'certificate' : 'psk';
      try {
        const second = await run(left, other);
        if (second.versions.some((v) => v.status === 'accepted')) {
          tls = { ...merge(tls, second), maxHandshakes };
          observation.modeByOffer = true;
        } else tls = { ...tls, handshakes: tls.handshakes + second.handshakes };
      } catch (error) {
        if (!(error instanceof ProbeError) || error.kind === 'aborted') throw error;
        observation.incomplete.push({
          part: `${where} DTLS ${other === 'psk' ? 'pre-shared key' : 'certificate'} suites`,
          reason: error.message,
        });
      }
    }
    observation.tls = tls;
    observation.incomplete.unshift(...tls.incomplete);
  } catch (error) {
    if (!(error instanceof ProbeError) || error.kind === 'aborted') throw error;
    observation.incomplete.push({ part: `${where} DTLS`, reason: error.message });
  }
  return observation;
}
