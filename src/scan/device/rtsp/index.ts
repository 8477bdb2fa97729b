// The RTSP prober (IP cameras): observe without credentials (OPTIONS, DESCRIBE of a random path, `/` and
// the catalog's stream paths), judge with the checks, then (unless --no-login) try the default
// credentials with the Basic or Digest scheme the stream asked for and measure its brute-force protection.
import { runCheck } from '../../check.ts';
import { chooseLoginTarget } from '../http/http-login.ts';
import { bruteForceFindings, defaultCredentialFindings, measureBruteForce, tryDefaultCredentials } from '../login.ts';
import type { ProbeOutcome, ServiceProber } from '../service.ts';
import { endpointText } from '../target.ts';
import { RTSP_CHECKS } from './checks.ts';
import { candidatePaths, observeRtsp } from './observe.ts';
import { rtspLoginSurface } from './rtsp-login.ts';

export const probeRtsp: ServiceProber = async (service, context) => {
  const name = `rtsp ${endpointText(service.endpoint.host, service.endpoint.port)}`;
  const outcome: ProbeOutcome = { findings: [], incomplete: [] };
  const paths = candidatePaths();
  context.progress(`${name}: OPTIONS, then DESCRIBE of a random path and up to ${paths.length} stream paths`);
  const observation = await observeRtsp(service, context, paths);
  for (const check of RTSP_CHECKS) outcome.findings.push(...runCheck(check, observation));
  if (observation.error) outcome.incomplete.push({ part: name, reason: observation.error });
  else if (observation.failures.length > 0) {
    outcome.incomplete.push({
      part: `${name} stream paths`,
      reason: observation.failures.map((f) => `${f.path}: ${f.reason}`).join('; '),
    });
  }
  const asked = observation.protectedPath;
  if (!asked) return outcome;
  if (!context.login) {
    outcome.incomplete.push({ part: `${name} login`, reason: 'logins are switched off (--no-login): default credentials not tried' });
    return outcome;
  }
  const target = chooseLoginTarget(asked.path, asked.challenges);
  if (!target) {
    const schemes = asked.challenges.map((c) => c.scheme).join(', ') || 'none readable';
    outcome.incomplete.push({ part: `${name} login`, reason: `no RTSP authentication scheme this probe speaks (offered: ${schemes})` });
    return outcome;
  }
  const surface = rtspLoginSurface(context, service, target);
  context.progress(`${name}: trying default credentials with ${surface.method} on ${asked.path}`);
  const trial = await tryDefaultCredentials(surface, context);
  outcome.findings.push(...defaultCredentialFindings(trial));
  if (trial.stopped && trial.accepted.length === 0) outcome.incomplete.push({ part: `${name} default credentials`, reason: trial.stopped });
  if (context.limits.bruteForceAttempts > 0) {
    context.progress(`${name}: measuring brute-force protection of ${surface.method} on ${asked.path}`);
    const measurement = await measureBruteForce(surface, context, trial.accepted[0]?.username ?? 'admin');
    outcome.findings.push(...bruteForceFindings(measurement));
  }
  return outcome;
};
