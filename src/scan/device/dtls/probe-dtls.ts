// The DTLS prober the probe runs on every UDP port that answers a DTLS ClientHello: measure (scanDtls),
// then judge with the shared TLS checks and the DTLS summary. What could not be measured is returned as
// incomplete, never as a pass.
import type { Finding } from '../../../findings/schema.ts';
import { runCheck } from '../../check.ts';
import type { ServiceProber } from '../service.ts';
import { HANDSHAKE_CHECKS } from '../tls/checks.ts';
import { dtlsAuthentication, dtlsSummaryCheck } from './checks.ts';
import { acceptedVersions, observedVersionLabel } from '../tls/observation.ts';
import { type DtlsObservation, type DtlsScanOptions, scanDtls } from './scan-dtls.ts';

export function dtlsFindings(observation: DtlsObservation): Finding[] {
  const tls = observation.tls;
  return [...(tls ? HANDSHAKE_CHECKS.flatMap((check) => runCheck(check, tls)) : []), ...runCheck(dtlsSummaryCheck, observation)];
}

/** What the open-service finding says of the port. */
function note(observation: DtlsObservation): string | undefined {
  const tls = observation.tls;
  const version = tls ? acceptedVersions(tls)[0] : undefined;
  if (!tls || !version) return undefined;
  const authentication = dtlsAuthentication(tls);
  const how =
    authentication === 'psk-only'
      ? 'pre-shared keys only'
      : authentication === 'certificate-only'
        ? 'certificates'
        : authentication === 'psk-and-certificate'
          ? 'pre-shared keys or certificates'
          : undefined;
  const port = observation.service.endpoint.port === 5684 ? '; port 5684 is CoAP over DTLS (coaps)' : '';
  return `${observedVersionLabel(tls, version.version)}${how ? ` with ${how}` : ''}${port}; what runs inside cannot be seen without its keys`;
}

export function dtlsProber(options: DtlsScanOptions = {}): ServiceProber {
  return async (service, context) => {
    const observation = await scanDtls(context, service, undefined, options);
    const summary = note(observation);
    return { findings: dtlsFindings(observation), incomplete: observation.incomplete, ...(summary ? { note: summary } : {}) };
  };
}

export const probeDtls: ServiceProber = dtlsProber();
