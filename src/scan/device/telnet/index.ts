// The telnet prober: observe the banner and first prompt, judge with the checks, then (unless --no-login,
// and only when the server asks for a login) try the default credentials and measure brute-force protection.
import { runCheck } from '../../check.ts';
import { bruteForceFindings, defaultCredentialFindings, measureBruteForce, tryDefaultCredentials } from '../login.ts';
import type { ProbeOutcome, ServiceProber } from '../service.ts';
import { endpointText } from '../target.ts';
import { TELNET_CHECKS } from './checks.ts';
import { observeTelnet } from './observe.ts';
import { telnetLoginSurface } from './telnet-login.ts';

export const probeTelnet: ServiceProber = async (service, context) => {
  const name = `telnet ${endpointText(service.endpoint.host, service.endpoint.port)}`;
  const outcome: ProbeOutcome = { findings: [], incomplete: [] };
  context.progress(`${name}: reading the banner and first prompt`);
  const observation = await observeTelnet(service, context);
  for (const check of TELNET_CHECKS) outcome.findings.push(...runCheck(check, observation));
  if (!observation.reached || observation.firstPrompt === 'none') {
    outcome.incomplete.push({ part: name, reason: observation.error ?? 'no prompt' });
    return outcome;
  }
  if (observation.firstPrompt === 'shell') return outcome;
  if (!context.login) {
    outcome.incomplete.push({ part: `${name} login`, reason: 'logins are switched off (--no-login): default credentials not tried' });
    return outcome;
  }
  const surface = telnetLoginSurface(context, service);
  context.progress(`${name}: trying default credentials`);
  const trial = await tryDefaultCredentials(surface, context);
  outcome.findings.push(...defaultCredentialFindings(trial));
  if (trial.stopped && trial.accepted.length === 0) outcome.incomplete.push({ part: `${name} default credentials`, reason: trial.stopped });
  if (context.limits.bruteForceAttempts > 0) {
    context.progress(`${name}: measuring brute-force protection`);
    const measurement = await measureBruteForce(surface, context, trial.accepted[0]?.username ?? 'root');
    outcome.findings.push(...bruteForceFindings(measurement));
  }
  return outcome;
};
