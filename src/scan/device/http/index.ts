// The HTTP(S) prober: observe without credentials, judge with the checks, then (unless --no-login) try
// the default credentials on the first Basic/Digest login found and measure its brute-force protection.
import { runCheck } from '../../check.ts';
import type { Finding } from '../../../findings/schema.ts';
import { bruteForceFindings, defaultCredentialFindings, measureBruteForce, tryDefaultCredentials } from '../login.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { IdentifiedService, ProbeOutcome, ServiceProber } from '../service.ts';
import { endpointText } from '../target.ts';
import { HTTP_CHECKS } from './checks.ts';
import { endpointCatalog } from './endpoint-catalog.ts';
import { chooseLoginTarget, httpLoginSurface } from './http-login.ts';
import { type HttpObservation, observeHttp } from './observe.ts';

/** True when the bytes start like an HTTP/1.x response status line. */
export function looksLikeHttpResponse(bytes: Buffer): boolean {
  return /^HTTP\/\d(?:\.\d)? [1-5]\d\d(?:[ \r\n]|$)/.test(bytes.subarray(0, 32).toString('latin1'));
}

export const probeHttp: ServiceProber = async (service, context) => {
  const name = `${service.tls ? 'https' : 'http'} ${endpointText(service.endpoint.host, service.endpoint.port)}`;
  const outcome: ProbeOutcome = { findings: [], incomplete: [] };
  context.progress(`${name}: fetching the root page, login pages and ${endpointCatalog().endpoints.length} well-known endpoints`);
  let observation: HttpObservation;
  try {
    observation = await observeHttp(service, context, endpointCatalog());
  } catch (error) {
    outcome.incomplete.push({ part: name, reason: `the HTTP probe failed: ${(error as Error).message}` });
    return outcome;
  }
  if (!observation.root) {
    const reason = observation.failures[0]?.reason ?? 'no answer';
    outcome.incomplete.push({ part: `${name} /`, reason: `the root page could not be fetched: ${reason}` });
  } else if (observation.endpointsChecked < endpointCatalog().endpoints.length) {
    const missed = endpointCatalog().endpoints.length - observation.endpointsChecked;
    outcome.incomplete.push({ part: `${name} well-known endpoints`, reason: `${missed} of the catalog's requests failed` });
  }
  for (const check of HTTP_CHECKS) outcome.findings.push(...runCheck(check, observation));
  outcome.findings.push(...(await loginFindings(service, context, observation, name, outcome)));
  return outcome;
};

async function loginFindings(
  service: IdentifiedService,
  context: ProbeContext,
  observation: HttpObservation,
  name: string,
  outcome: ProbeOutcome,
): Promise<Finding[]> {
  const httpAuth = observation.loginInterfaces.filter((l) => l.kind === 'http-auth');
  if (httpAuth.length === 0) {
    const form = observation.loginInterfaces.find((l) => l.kind === 'form');
    if (form) {
      outcome.incomplete.push({
        part: `${name} login form ${form.path}`,
        reason: 'default credentials are tried over HTTP Basic and Digest only; form logins differ per vendor and are not submitted',
      });
    }
    return [];
  }
  if (!context.login) {
    outcome.incomplete.push({ part: `${name} login`, reason: 'logins are switched off (--no-login): default credentials not tried' });
    return [];
  }
  const target = httpAuth.map((l) => chooseLoginTarget(l.path, l.challenges)).find((t) => t !== undefined);
  if (!target) {
    const schemes = [...new Set(httpAuth.flatMap((l) => l.schemes))].join(', ');
    outcome.incomplete.push({ part: `${name} login`, reason: `no HTTP authentication scheme this probe speaks (offered: ${schemes})` });
    return [];
  }
  const surface = httpLoginSurface(context, service, target);
  context.progress(`${name}: trying default credentials with ${surface.method} on ${target.path}`);
  const trial = await tryDefaultCredentials(surface, context);
  const findings = defaultCredentialFindings(trial);
  if (trial.stopped && trial.accepted.length === 0) outcome.incomplete.push({ part: `${name} default credentials`, reason: trial.stopped });
  if (context.limits.bruteForceAttempts > 0) {
    context.progress(`${name}: measuring brute-force protection of ${surface.method} on ${target.path}`);
    const measurement = await measureBruteForce(surface, context, trial.accepted[0]?.username ?? 'admin');
    findings.push(...bruteForceFindings(measurement));
  }
  return findings;
}
