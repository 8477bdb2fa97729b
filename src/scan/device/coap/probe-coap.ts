// The CoAP prober the probe runs on every UDP port that answers CoAP: observe (scanCoap), then judge with
// the checks. CoAP here sends no credential, so --no-login changes nothing; what could not be examined is
// returned as incomplete, never as a pass.
import type { Finding } from '../../../findings/schema.ts';
import { runCheck } from '../../check.ts';
import type { ServiceProber } from '../service.ts';
import { COAP_CHECKS, discoveryText, resourceNames } from './checks.ts';
import { COAP_CODE } from './message.ts';
import { type CoapObservation, type CoapScanOptions, scanCoap } from './scan-coap.ts';

export function coapFindings(observation: CoapObservation): Finding[] {
  return COAP_CHECKS.flatMap((check) => runCheck(check, observation));
}

/** What the open-service finding says of the port: the resource list, summarized. */
export function coapNote(observation: CoapObservation): string | undefined {
  const d = observation.discovery;
  if (!d) return observation.pong ? 'answers a CoAP ping but not GET /.well-known/core' : undefined;
  if (d.code !== COAP_CODE.content) return `GET /.well-known/core → ${discoveryText(d)}`;
  const count = d.links.length + d.moreLinks;
  return `${count} resource${count === 1 ? '' : 's'} listed${count > 0 ? `: ${resourceNames(d.links, d.moreLinks, 120)}` : ''}`;
}

export function coapProber(options: CoapScanOptions = {}): ServiceProber {
  return async (service, context) => {
    const observation = await scanCoap(context, service, options);
    const note = coapNote(observation);
    return { findings: coapFindings(observation), incomplete: observation.incomplete, ...(note ? { note } : {}) };
  };
}

export const probeCoap: ServiceProber = coapProber();
