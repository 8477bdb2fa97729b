// The MQTT prober: CONNECT without credentials, listen if let in, try the default credential list and
// measure brute-force protection over CONNECT, then judge what was seen. It never publishes and never
// sets a will, so the broker relays nothing on the probe's behalf.
import { randomBytes } from 'node:crypto';
import type { Finding } from '../../../findings/schema.ts';
import { runCheck } from '../../check.ts';
import type { Endpoint } from '../connection.ts';
import { ProbeError } from '../connection.ts';
import { bruteForceFindings, defaultCredentialFindings, type LoginSurface, measureBruteForce, tryDefaultCredentials } from '../login.ts';
import type { ProbeContext } from '../probe-context.ts';
import { type IdentifiedService, redactPassword, type ServiceProber } from '../service.ts';
import { endpointText } from '../target.ts';
import { MQTT_CHECKS, type MqttObservation, type SessionAccess, summaryCheck } from './checks.ts';
import { DEFAULT_LISTEN_BOUNDS, listen, type ListenBounds } from './listen.ts';
import { isAuthRejection, type MqttVersion } from './packets.ts';
import { connectWithFallback, endSession, handshake, type MqttCredentials } from './session.ts';

export const MQTT_LOGIN_METHOD = 'MQTT CONNECT';

/** The user name measured for brute-force protection when no default credential found a real one. */
const BRUTE_FORCE_USER = 'admin';

/**
 * One login per connection: 0 accepted; bad user name or password, or not authorised (3.1.1 codes 4 and
 * 5, 5.0 codes 0x86 and 0x87) rejected; any other answer, a drop or a timeout could not be judged.
 */
export function mqttLoginSurface(context: ProbeContext, service: IdentifiedService, version: MqttVersion): LoginSurface {
  return {
    service,
    method: MQTT_LOGIN_METHOD,
    // MQTT 3.1.1 has no password without a user name.
    acceptsUsername: (username) => username !== '',
    async login(username, password) {
      try {
        const { connack, connection } = await handshake(context, service.endpoint, service.tls, {
          version,
          credentials: { username, password },
        });
        if (connection) await endSession(connection, version);
        if (connack.accepted) return { accepted: true };
        if (isAuthRejection(connack.returnCode)) return { accepted: false };
        return { accepted: false, error: `CONNACK return code ${connack.returnCode} (${connack.meaning})` };
      } catch (error) {
        if (error instanceof ProbeError) return { accepted: false, error: error.message };
        throw error;
      }
    },
  };
}

function listenBounds(context: ProbeContext): ListenBounds {
  const cap = context.limits.maxBytesPerConnection;
  return {
    ...DEFAULT_LISTEN_BOUNDS,
    listenMs: context.limits.mqttListenMs,
    maxBytes: Math.min(DEFAULT_LISTEN_BOUNDS.maxBytes, Math.floor(cap / 2)),
    maxPacketBytes: Math.min(DEFAULT_LISTEN_BOUNDS.maxPacketBytes, cap),
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof ProbeError) return error.message;
  throw error;
}

async function listenAs(
  context: ProbeContext,
  observation: MqttObservation,
  endpoint: Endpoint,
  tls: boolean,
  version: MqttVersion,
  credentials: MqttCredentials,
): Promise<void> {
  const where = endpointText(endpoint.host, endpoint.port);
  try {
    const { connack, connection } = await handshake(context, endpoint, tls, { version, credentials });
    if (!connection) {
      observation.incomplete.push({
        part: `MQTT topics on ${where}`,
        reason: `the default credential was refused on a second CONNECT (${connack.meaning})`,
      });
      return;
    }
    const access: SessionAccess = {
      kind: 'default-credential',
      username: credentials.username,
      password: redactPassword(credentials.password),
    };
    try {
      observation.listen = { access, ...(await listen(connection, version, listenBounds(context), context.signal)) };
    } finally {
      await endSession(connection, version);
    }
  } catch (error) {
    observation.incomplete.push({
      part: `MQTT topics on ${where}`,
      reason: `could not listen with the default credential: ${reasonOf(error)}`,
    });
  }
}

/** Gathers everything the MQTT checks judge; failures become `incomplete` entries, never exceptions. */
export async function scanMqtt(context: ProbeContext, service: IdentifiedService): Promise<MqttObservation> {
  const { endpoint, tls } = service;
  const where = endpointText(endpoint.host, endpoint.port);
  const observation: MqttObservation = { service, incomplete: [] };

  let anonymous: Awaited<ReturnType<typeof connectWithFallback>>;
  try {
    anonymous = await connectWithFallback(context, endpoint, tls);
  } catch (error) {
    observation.incomplete.push({ part: `MQTT on ${where}`, reason: `no CONNACK to a CONNECT without credentials: ${reasonOf(error)}` });
    return observation;
  }
  const { connack } = anonymous;
  observation.anonymous = connack;
  const version = connack.protocolVersion;
  context.progress(`mqtt ${where}: anonymous CONNECT ${connack.accepted ? 'accepted' : `refused (${connack.meaning})`}`);

  if (anonymous.connection) {
    try {
      observation.listen = {
        access: { kind: 'anonymous' },
        ...(await listen(anonymous.connection, version, listenBounds(context), context.signal)),
      };
    } finally {
      await endSession(anonymous.connection, version);
    }
  }

  if (!context.login) {
    observation.incomplete.push({
      part: `MQTT logins on ${where}`,
      reason: 'logins are disabled (--no-login): default credentials and brute-force protection were not tried',
    });
    return observation;
  }

  const surface = mqttLoginSurface(context, service, version);
  if (connack.accepted) {
    // A broker that lets anyone in may still check a password when one is given; if it takes a random
    // one, every default "credential" would be accepted too and mean nothing.
    const username = `baseline-${randomBytes(4).toString('hex')}`;
    const result = await surface.login(username, randomBytes(12).toString('base64url'));
    context.record({
      endpoint,
      protocol: MQTT_LOGIN_METHOD,
      username,
      accepted: result.accepted,
      ...(!result.accepted && result.error ? { error: result.error } : {}),
      purpose: 'brute-force',
    });
    if (result.accepted) {
      observation.credentialsIgnored = true;
      observation.incomplete.push({
        part: `MQTT logins on ${where}`,
        reason: 'the broker accepts any user name and password, so default credentials and brute-force protection cannot be tested',
      });
      return observation;
    }
    if (!result.accepted && result.error) {
      observation.incomplete.push({
        part: `MQTT logins on ${where}`,
        reason: `a CONNECT with credentials could not be judged: ${result.error}`,
      });
      return observation;
    }
  }

  const trial = await tryDefaultCredentials(surface, context);
  observation.defaultCredentials = trial;
  const found = trial.accepted[0];
  if (found) {
    context.progress(`mqtt ${where}: default credential accepted for ${found.username}`);
    if (!observation.listen) await listenAs(context, observation, endpoint, tls, version, found);
  }
  observation.bruteForce = await measureBruteForce(surface, context, found?.username ?? BRUTE_FORCE_USER);
  return observation;
}

/** Every finding about one MQTT service, the summary last. */
export function mqttFindings(observation: MqttObservation): Finding[] {
  return [
    ...MQTT_CHECKS.filter((check) => check !== summaryCheck).flatMap((check) => runCheck(check, observation)),
    ...(observation.defaultCredentials ? defaultCredentialFindings(observation.defaultCredentials) : []),
    ...(observation.bruteForce ? bruteForceFindings(observation.bruteForce) : []),
    ...runCheck(summaryCheck, observation),
  ];
}

export const probeMqtt: ServiceProber = async (service, context) => {
  const observation = await scanMqtt(context, service);
  return { findings: mqttFindings(observation), incomplete: observation.incomplete };
};
