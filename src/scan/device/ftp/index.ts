// The FTP prober: observe the greeting, FEAT and anonymous access on one connection, judge with the
// checks, then (unless --no-login) try the default credentials and measure brute-force protection.
import { runCheck } from '../../check.ts';
import { bruteForceFindings, defaultCredentialFindings, measureBruteForce, tryDefaultCredentials } from '../login.ts';
import type { ProbeOutcome, ServiceProber } from '../service.ts';
import { endpointText } from '../target.ts';
import { FTP_CHECKS } from './checks.ts';
import { ftpLoginSurface } from './ftp-login.ts';
import { observeFtp } from './observe.ts';

export const probeFtp: ServiceProber = async (service, context) => {
  const name = `ftp ${endpointText(service.endpoint.host, service.endpoint.port)}`;
  const outcome: ProbeOutcome = { findings: [], incomplete: [] };
  context.progress(`${name}: reading the greeting and FEAT${context.login ? ', trying anonymous login' : ''}`);
  const observation = await observeFtp(service, context);
  for (const check of FTP_CHECKS) outcome.findings.push(...runCheck(check, observation));
  if (observation.error) outcome.incomplete.push({ part: name, reason: observation.error });
  if (!observation.reached || observation.greetingCode !== 220) return outcome;
  if (!context.login) {
    outcome.incomplete.push({
      part: `${name} login`,
      reason: 'logins are switched off (--no-login): anonymous and default credentials not tried',
    });
    return outcome;
  }
  if (observation.plainUser === 'tls-demanded') {
    outcome.incomplete.push({
      part: `${name} default credentials`,
      reason: 'the server takes logins only after AUTH TLS, which this probe does not speak for FTP logins',
    });
    return outcome;
  }
  const surface = ftpLoginSurface(context, service);
  context.progress(`${name}: trying default credentials`);
  const trial = await tryDefaultCredentials(surface, context);
  outcome.findings.push(...defaultCredentialFindings(trial));
  if (trial.stopped && trial.accepted.length === 0) outcome.incomplete.push({ part: `${name} default credentials`, reason: trial.stopped });
  if (context.limits.bruteForceAttempts > 0) {
    context.progress(`${name}: measuring brute-force protection`);
    const measurement = await measureBruteForce(surface, context, trial.accepted[0]?.username ?? 'admin');
    outcome.findings.push(...bruteForceFindings(measurement));
  }
  return outcome;
};
