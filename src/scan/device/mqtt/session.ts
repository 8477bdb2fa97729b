// One MQTT session with a broker: open the transport (TCP or TLS), CONNECT, read the CONNACK, and hand
// back the open connection when the broker accepted. The client identifier is random so that the probe
// never takes over (and so disconnects) a session the device itself holds under a fixed identifier.
import { randomBytes } from 'node:crypto';
import { Connection, type Endpoint, ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { openTlsSocket } from '../tls-socket.ts';
import {
  connackCode,
  connackMeaning,
  encodeConnect,
  encodeDisconnect,
  isVersionRejection,
  type MqttVersion,
  readPacket,
} from './packets.ts';

export interface MqttCredentials {
  username: string;
  password: string;
}

export interface ConnackSummary {
  /** The protocol version the CONNACK answered. */
  protocolVersion: MqttVersion;
  /** The CONNACK return code (3.1.1) or reason code (5.0). */
  returnCode: number;
  accepted: boolean;
  /** The code in words, e.g. "not authorised". */
  meaning: string;
  sessionPresent: boolean;
  /** An MQTT 5 broker's reason string, printable and short. */
  reasonString?: string;
  /** Set when 3.1.1 was refused as a version and the answer came to a 5.0 CONNECT. */
  fellBackFrom?: MqttVersion;
}

export async function openTransport(context: ProbeContext, endpoint: Endpoint, tls: boolean): Promise<Connection> {
  if (!tls) return context.connect(endpoint);
  return new Connection(await openTlsSocket(context, endpoint), context.limits.maxBytesPerConnection);
}

export function randomClientId(): string {
  return `baseline${randomBytes(6).toString('hex')}`;
}

export interface HandshakeOptions {
  version?: MqttVersion;
  credentials?: MqttCredentials;
}

/**
 * Opens a connection and makes one CONNECT. On success the connection is returned open only when the
 * broker accepted; otherwise it is closed. Failures (no CONNACK, garbage, a flood) throw ProbeError.
 */
export async function handshake(
  context: ProbeContext,
  endpoint: Endpoint,
  tls: boolean,
  options: HandshakeOptions = {},
): Promise<{ connack: ConnackSummary; connection?: Connection }> {
  const version = options.version ?? 4;
  const connection = await openTransport(context, endpoint, tls);
  try {
    await connection.write(
      encodeConnect({
        version,
        clientId: randomClientId(),
        ...(options.credentials ? { username: options.credentials.username, password: options.credentials.password } : {}),
      }),
    );
    const packet = await readPacket(connection, version, context.limits.readTimeoutMs, 4096, 'CONNACK');
    const code = connackCode(packet);
    if (packet.cmd !== 'connack' || code === undefined) {
      throw new ProbeError('protocol', `the broker answered CONNECT with ${packet.cmd.toUpperCase()}, not CONNACK`);
    }
    const reason = packet.properties?.reasonString;
    const connack: ConnackSummary = {
      protocolVersion: version,
      returnCode: code,
      accepted: code === 0,
      meaning: connackMeaning(code),
      sessionPresent: packet.sessionPresent === true,
      ...(typeof reason === 'string' && reason !== '' ? { reasonString: reason.slice(0, 120) } : {}),
    };
    if (!connack.accepted) {
      connection.close();
      return { connack };
    }
    return { connack, connection };
  } catch (error) {
    connection.close();
    throw error;
  }
}

/** Politely ends an accepted session (DISCONNECT, then close), ignoring a peer that is already gone. */
export async function endSession(connection: Connection, version: MqttVersion): Promise<void> {
  try {
    await connection.write(encodeDisconnect(version));
  } catch {
    // Already closed: nothing to end.
  }
  connection.close();
}

/**
 * CONNECT as MQTT 3.1.1 and read the CONNACK; when the broker refuses 3.1.1 as a protocol version, try
 * 5.0. The session is ended at once. Throws ProbeError when no CONNACK could be read.
 */
export async function mqttConnect(
  context: ProbeContext,
  endpoint: Endpoint,
  tls: boolean,
  credentials?: MqttCredentials,
): Promise<ConnackSummary> {
  const result = await connectWithFallback(context, endpoint, tls, credentials);
  if (result.connection) await endSession(result.connection, result.connack.protocolVersion);
  return result.connack;
}

/** Like mqttConnect, but keeps an accepted session open for the caller (who must end it). */
export async function connectWithFallback(
  context: ProbeContext,
  endpoint: Endpoint,
  tls: boolean,
  credentials?: MqttCredentials,
): Promise<{ connack: ConnackSummary; connection?: Connection }> {
  const options = credentials ? { credentials } : {};
  const first = await handshake(context, endpoint, tls, { ...options, version: 4 });
  if (!isVersionRejection(first.connack.returnCode)) return first;
  let second: Awaited<ReturnType<typeof handshake>>;
  try {
    second = await handshake(context, endpoint, tls, { ...options, version: 5 });
  } catch {
    return first;
  }
  if (isVersionRejection(second.connack.returnCode)) {
    second.connection?.close();
    return first;
  }
  return { ...second, connack: { ...second.connack, fellBackFrom: 4 } };
}
