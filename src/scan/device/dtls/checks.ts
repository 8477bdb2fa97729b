// The DTLS checks. A DTLS port is judged by the TLS checks on versions, cipher suites, key exchange and
// certificate (the same registry, the same severities, the versions named as DTLS ones), plus a summary
// of what only DTLS shows: the cookie exchange and whether the server authenticates with pre-shared keys
// or certificates, as far as that can be seen without any key.
import type { Check } from '../../check.ts';
import { at } from '../service.ts';
import { endpointText } from '../target.ts';
import { loadCipherSuites } from '../tls/cipher-suites.ts';
import { listAnd, suiteLabel } from '../tls/checks.ts';
import { acceptedSuites, acceptedVersions, observedVersionLabel, suitesComplete, type TlsObservation } from '../tls/observation.ts';
import { usesCertificate } from '../tls/scan-tls.ts';
import type { DtlsObservation } from './scan-dtls.ts';

export type DtlsAuthentication = 'psk-only' | 'certificate-only' | 'psk-and-certificate' | 'other' | 'unknown';

/** How the server authenticates, by the suites it accepted: pre-shared keys, certificates, or both. */
export function dtlsAuthentication(observation: TlsObservation): DtlsAuthentication {
  const registry = loadCipherSuites();
  const suites = acceptedSuites(observation).map((e) => registry.byCode.get(e.suite.code));
  if (suites.length === 0 || suites.some((s) => s === undefined)) return 'unknown';
  const psk = suites.some((s) => s!.keyExchange.includes('PSK'));
  const certificate = suites.some((s) => usesCertificate(s!.value));
  if (psk && certificate) return 'psk-and-certificate';
  if (psk) return 'psk-only';
  if (certificate) return 'certificate-only';
  return 'other';
}

const AUTHENTICATION_TEXT: Record<DtlsAuthentication, string> = {
  'psk-only': 'pre-shared keys only (PSK suites; no certificate)',
  'certificate-only': 'certificates only (no PSK suite accepted)',
  'psk-and-certificate': 'both pre-shared keys and certificates',
  other: 'neither pre-shared keys nor certificates (anonymous or SRP suites)',
  unknown: 'not determined',
};

export const dtlsSummaryCheck: Check<DtlsObservation> = {
  id: 'probe/dtls/summary',
  title: 'DTLS configuration measured',
  provisions: ['5.5-1', '5.5-7', '5.8-1'],
  severity: 'info',
  rationale:
    'What the DTLS prober saw on a UDP port (CoAP over DTLS, conventionally 5684): versions, the suite the server chose, and whether it authenticates with pre-shared keys or certificates, so that a reader can see what the other findings were judged on.',
  remediation: 'None: an observation.',
  *run(o) {
    const { host, port } = o.service.endpoint;
    const t = o.tls;
    const where = `DTLS on ${endpointText(host, port)} (UDP)`;
    if (!t) {
      yield {
        result: 'info',
        location: at(o.service.endpoint),
        message: `${where}: no handshake could be made (${o.incomplete[0]?.reason ?? 'no answer'})`,
      };
      return;
    }
    const label = (v: TlsObservation['versions'][number]) => observedVersionLabel(t, v.version);
    const versions = t.versions.map((v) =>
      v.status === 'accepted'
        ? `${label(v)}: ${v.suites.length}${v.complete ? '' : '+'} suite${v.suites.length === 1 ? '' : 's'}`
        : `${label(v)}: ${v.status === 'refused' ? 'refused' : 'unknown'}`,
    );
    const accepted = acceptedVersions(t);
    const chosen = accepted[0]?.suites[0];
    const parts = [versions.join(', ')];
    if (chosen && accepted[0]) parts.push(`chose ${suiteLabel(chosen)} when offered every ${label(accepted[0])} suite`);
    if (accepted.length > 0) {
      const byOffer = o.modeByOffer
        ? ', each only in a hello offering no suite of the other (the server picks by what a client offers)'
        : '';
      parts.push(
        `authentication: ${AUTHENTICATION_TEXT[dtlsAuthentication(t)]}${byOffer}${suitesComplete(t) ? '' : ' among the suites found'}`,
      );
    }
    if (t.clientCertificateRequested) parts.push('the server asks for a client certificate');
    if (o.cookieExchange !== undefined) {
      parts.push(
        o.cookieExchange ? 'cookie exchange (HelloVerifyRequest) used' : 'no cookie exchange: the server answers a hello from any address',
      );
    }
    if (o.identityHint !== undefined) parts.push(`PSK identity hint "${o.identityHint}"`);
    const leaf = t.certificate?.chain[0];
    if (leaf) parts.push(`certificate "${leaf.subject}" (${leaf.selfSigned ? 'self-signed' : `issued by "${leaf.issuer}"`})`);
    const evidence = accepted
      .map((v) => `${label(v)}: ${v.suites.map((s) => s.openssl ?? s.name).join(' ')}`)
      .concat(t.keyExchange.ecdhGroups.length > 0 ? [`ECDHE groups: ${listAnd(t.keyExchange.ecdhGroups)}`] : [], [
        `${t.handshakes} handshakes (cap ${t.maxHandshakes})`,
      ])
      .join('\n');
    yield { result: 'info', location: at(o.service.endpoint), message: `${where}: ${parts.join('; ')}.`, evidence };
  },
};

/** The checks only DTLS has; the shared TLS checks are listed with the TLS ones. */
export const DTLS_CHECKS: Check<DtlsObservation>[] = [dtlsSummaryCheck];
