// The TLS prober the probe runs on every port that speaks TLS: measure (scanTls), then judge (the checks).
// What could not be measured is returned as incomplete, never as a pass.
import { runCheck } from '../../check.ts';
import { ProbeError } from '../connection.ts';
import type { ProbeOutcome, ServiceProber } from '../service.ts';
import { endpointText } from '../target.ts';
import { TLS_CHECKS } from './checks.ts';
import type { TlsObservation } from './observation.ts';
import { scanTls, type TlsScanOptions } from './scan-tls.ts';

export { scanTls, speaksTls, type TlsScanOptions } from './scan-tls.ts';
export type { TlsObservation } from './observation.ts';
export { TLS_CHECKS } from './checks.ts';

export function tlsFindings(observation: TlsObservation): ProbeOutcome {
  return { findings: TLS_CHECKS.flatMap((check) => runCheck(check, observation)), incomplete: [...observation.incomplete] };
}

/** A TLS prober with its own handshake budget (tests use small ones). */
export function tlsProber(options: TlsScanOptions = {}): ServiceProber {
  return async (service, context) => {
    const { endpoint } = service;
    try {
      return tlsFindings(await scanTls(context, endpoint, endpoint.host, options));
    } catch (error) {
      if (!(error instanceof ProbeError) || error.kind === 'aborted') throw error;
      return { findings: [], incomplete: [{ part: `${endpointText(endpoint.host, endpoint.port)} TLS`, reason: error.message }] };
    }
  };
}

export const probeTls: ServiceProber = tlsProber();
