// The SSH prober: gathers an SshObservation from the live server (identification, KEXINIT, host keys,
// group exchange size, authentication methods, default credentials, brute-force behaviour), then runs
// the pure checks over it. Every step is bounded; a step that fails becomes an `incomplete` entry and
// the steps that do not depend on it still run.
import { runCheck } from '../../check.ts';
import type { Finding } from '../../../findings/schema.ts';
import type { Endpoint } from '../connection.ts';
import { bruteForceFindings, defaultCredentialFindings, measureBruteForce, tryDefaultCredentials } from '../login.ts';
import type { ProbeContext } from '../probe-context.ts';
import { type IdentifiedService, printable, type ProbeOutcome, type ServiceProber } from '../service.ts';
import { endpointText } from '../target.ts';
import { passwordMethod, Ssh2SessionError, sshAuthMethods, sshLoginSurface } from './auth.ts';
import { SSH_CHECKS } from './checks.ts';
import { hostKeyFamily, parseHostKeyBlob } from './host-key.ts';
import {
  asProbeError,
  chooseKex,
  type GroupExchangeRequest,
  kexMethod,
  type KexMethod,
  openTransport,
  runKeyExchange,
  type SshTransport,
} from './key-exchange.ts';
import type { KexInit } from './kexinit.ts';
import type { SshGroupExchange, SshObservation } from './observation.ts';

export { parseSshIdentification } from './identification.ts';
export type { SshObservation } from './observation.ts';

/** Host key types fetched at most, one connection each. */
export const MAX_HOST_KEY_PROBES = 6;
/** The user name the authentication methods are asked for, and brute force is measured on when no default login worked. */
export const PROBE_USERNAME = 'root';
/** Asked of group exchange first: the smallest group the server is willing to hand out. */
const SMALL_GROUP_REQUEST = { min: 1024, preferred: 1024, max: 8192 };
/** Asked when the server refuses the small request: what a current client asks (RFC 8270's minimum). */
const CURRENT_GROUP_REQUEST = { min: 2048, preferred: 2048, max: 8192 };

export async function scanSsh(context: ProbeContext, endpoint: Endpoint, service?: IdentifiedService): Promise<SshObservation> {
  const observation: SshObservation = { endpoint, preIdentificationLines: [], hostKeys: [], incomplete: [] };
  const where = `ssh ${endpointText(endpoint.host, endpoint.port)}`;
  let first: SshTransport;
  try {
    first = await openTransport(context, endpoint);
  } catch (error) {
    observation.incomplete.push({ part: `${where}: SSH transport`, reason: asProbeError(error).message });
    return observation;
  }
  observation.identification = first.identification;
  observation.preIdentificationLines = first.preIdentificationLines;
  const kexinit = first.serverKexInit;
  if (first.kexInitError) {
    observation.incomplete.push({ part: `${where}: SSH key exchange`, reason: first.kexInitError.message });
    return observation;
  }
  if (!kexinit) {
    first.connection.close();
    observation.incomplete.push({
      part: `${where}: SSH-2`,
      reason: `the server speaks only SSH-${first.identification.protocolVersion}: algorithms, host keys and logins were not examined`,
    });
    return observation;
  }
  observation.kexinit = kexinit;
  context.progress(`${where}: ${printable(first.identification.line, 100)}`);

  await fetchHostKeys(context, endpoint, first, kexinit, observation, where);
  if (!context.signal.aborted) await measureGroupExchange(context, endpoint, kexinit, observation, where);
  if (!context.signal.aborted)
    await examineLogins(context, endpoint, service ?? { endpoint, protocol: 'ssh', tls: false }, observation, where);
  if (context.signal.aborted) observation.incomplete.push({ part: where, reason: 'the probe was aborted' });
  return observation;
}

/** One key exchange per host key type, the first on the connection already open. */
async function fetchHostKeys(
  context: ProbeContext,
  endpoint: Endpoint,
  first: SshTransport,
  kexinit: KexInit,
  observation: SshObservation,
  where: string,
): Promise<void> {
  const method = chooseKex(kexinit.kex);
  const byFamily = new Map<string, string>();
  for (const algorithm of kexinit.hostKey) {
    const family = hostKeyFamily(algorithm);
    if (family !== undefined && !byFamily.has(family)) byFamily.set(family, algorithm);
  }
  const algorithms = [...byFamily.values()];
  if (!method) {
    first.connection.close();
    observation.incomplete.push({
      part: `${where}: host keys`,
      reason: `none of the offered key exchanges (${printable(kexinit.kex.join(','), 300)}) is one this probe performs`,
    });
    return;
  }
  if (algorithms.length > MAX_HOST_KEY_PROBES)
    observation.incomplete.push({
      part: `${where}: host keys`,
      reason: `only the first ${MAX_HOST_KEY_PROBES} of ${algorithms.length} host key types were fetched`,
    });
  let transport: SshTransport | undefined = first;
  for (const algorithm of algorithms.slice(0, MAX_HOST_KEY_PROBES)) {
    if (context.signal.aborted) break;
    try {
      transport ??= await openTransport(context, endpoint);
      const result = await runKeyExchange(
        transport,
        { method: methodFor(transport, method), hostKeyAlgorithm: algorithm },
        context.limits.readTimeoutMs,
      );
      if (result.hostKeyBlob) observation.hostKeys.push(parseHostKeyBlob(result.hostKeyBlob, algorithm));
    } catch (error) {
      observation.incomplete.push({ part: `${where}: host key ${printable(algorithm, 80)}`, reason: asProbeError(error).message });
    } finally {
      transport?.connection.close();
      transport = undefined;
    }
  }
  first.connection.close();
}

/** A later connection answers with its own KEXINIT; choose again from it in case it differs. */
function methodFor(transport: SshTransport, fallback: KexMethod): KexMethod {
  return (transport.serverKexInit && chooseKex(transport.serverKexInit.kex)) || fallback;
}

async function measureGroupExchange(
  context: ProbeContext,
  endpoint: Endpoint,
  kexinit: KexInit,
  observation: SshObservation,
  where: string,
): Promise<void> {
  const gex = ['diffie-hellman-group-exchange-sha256', 'diffie-hellman-group-exchange-sha1'].find((name) => kexinit.kex.includes(name));
  const method = gex ? kexMethod(gex) : undefined;
  if (!gex || !method) return;
  const measured: SshGroupExchange = { algorithm: gex, request: SMALL_GROUP_REQUEST };
  observation.groupExchange = measured;
  const ask = async (request: GroupExchangeRequest): Promise<void> => {
    let transport: SshTransport | undefined;
    try {
      transport = await openTransport(context, endpoint);
      const result = await runKeyExchange(
        transport,
        { method, hostKeyAlgorithm: kexinit.hostKey[0] ?? 'ssh-rsa', groupRequest: request, stopAfterGroup: true },
        context.limits.readTimeoutMs,
      );
      measured.request = request;
      if (result.groupBits !== undefined) measured.groupBits = result.groupBits;
    } finally {
      transport?.connection.close();
    }
  };
  try {
    await ask(SMALL_GROUP_REQUEST);
  } catch (error) {
    // Refusing to go below 2048 bits is the right answer; what a current client gets is then measured.
    const refusal = asProbeError(error);
    if (refusal.kind !== 'protocol' && refusal.kind !== 'closed') {
      measured.error = refusal.message;
    } else {
      measured.smallRequestRefused = refusal.message;
      try {
        await ask(CURRENT_GROUP_REQUEST);
      } catch (retryError) {
        measured.error = asProbeError(retryError).message;
      }
    }
  }
  if (measured.error) observation.incomplete.push({ part: `${where}: DH group exchange size`, reason: measured.error });
}

async function examineLogins(
  context: ProbeContext,
  endpoint: Endpoint,
  service: IdentifiedService,
  observation: SshObservation,
  where: string,
): Promise<void> {
  // An auth "none" request sends no credential; it is how every SSH client learns the methods.
  try {
    observation.auth = await sshAuthMethods(context, endpoint, PROBE_USERNAME);
  } catch (error) {
    const message = (error as Error).message;
    observation.incomplete.push({
      part: `${where}: SSH authentication`,
      reason:
        error instanceof Ssh2SessionError && error.handshake
          ? `the SSH client library could not negotiate with this server (${message}); authentication methods, default credentials and brute-force protection were not examined`
          : `the authentication methods could not be read (${message}); default credentials and brute-force protection were not examined`,
    });
    return;
  }
  if (observation.auth.noneAccepted) return;
  const method = passwordMethod(observation.auth.methods);
  if (!method) return;
  if (!context.login) {
    observation.incomplete.push({
      part: `${where}: SSH ${method} logins`,
      reason: 'logins are disabled for this probe: default credentials and brute-force protection were not examined',
    });
    return;
  }
  const surface = sshLoginSurface(service, context, method);
  context.progress(`${where}: trying default credentials over SSH ${method}`);
  observation.defaultCredentials = await tryDefaultCredentials(surface, context);
  if (context.signal.aborted) return;
  const username = observation.defaultCredentials.accepted[0]?.username ?? PROBE_USERNAME;
  context.progress(`${where}: measuring brute-force protection as ${username}`);
  observation.bruteForce = await measureBruteForce(surface, context, username);
}

/** Findings of every SSH check, plus the shared default-credential and brute-force findings. */
export function sshFindings(observation: SshObservation): Finding[] {
  const findings = SSH_CHECKS.flatMap((check) => runCheck(check, observation));
  if (observation.defaultCredentials) findings.push(...defaultCredentialFindings(observation.defaultCredentials));
  if (observation.bruteForce) findings.push(...bruteForceFindings(observation.bruteForce));
  return findings;
}

export const probeSsh: ServiceProber = async (service, context): Promise<ProbeOutcome> => {
  try {
    const observation = await scanSsh(context, service.endpoint, service);
    return { findings: sshFindings(observation), incomplete: observation.incomplete };
  } catch (error) {
    return {
      findings: [],
      incomplete: [{ part: `ssh ${endpointText(service.endpoint.host, service.endpoint.port)}`, reason: asProbeError(error).message }],
    };
  }
};
