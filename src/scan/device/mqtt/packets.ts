// MQTT packets on a bounded connection. Framing (fixed header and remaining length) is done here, so a
// hostile broker is judged before its bytes reach the decoder: a length field that never ends or a packet
// larger than the cap fails at once, instead of waiting for megabytes. mqtt-packet then decodes the one
// framed packet; anything it cannot decode (or throws on) becomes a ProbeError of kind 'protocol'.
import { generate, type Packet, parser } from 'mqtt-packet';
import { type Connection, ProbeError } from '../connection.ts';

/** 4 is MQTT 3.1.1, 5 is MQTT 5.0. */
export type MqttVersion = 4 | 5;

export function versionName(version: MqttVersion): string {
  return version === 5 ? 'MQTT 5.0' : 'MQTT 3.1.1';
}

/** Largest packet read from a broker: control packets are tiny, and a longer message is not needed to see a leak. */
export const DEFAULT_MAX_PACKET_BYTES = 256 * 1024;

/**
 * Length of the first complete packet in `buffer`, undefined while more bytes are needed. Throws when the
 * remaining-length field is longer than the four bytes MQTT allows, or the packet would exceed `maxBytes`.
 */
export function frameLength(buffer: Buffer, maxBytes: number): number | undefined {
  if (buffer.length > 0) checkHeader(buffer[0] as number);
  let remaining = 0;
  let multiplier = 1;
  let at = 1;
  for (;;) {
    if (at >= buffer.length) return undefined;
    const byte = buffer[at] as number;
    remaining += (byte & 0x7f) * multiplier;
    at++;
    if ((byte & 0x80) === 0) break;
    if (at > 4) throw new ProbeError('protocol', 'malformed MQTT packet: the remaining-length field runs past four bytes');
    multiplier *= 128;
  }
  const total = at + remaining;
  if (total > maxBytes) throw new ProbeError('too-large', `an MQTT packet of ${total} bytes is larger than the ${maxBytes}-byte limit`);
  return buffer.length >= total ? total : undefined;
}

/**
 * The first byte names the packet type (1-15) and, for every type but PUBLISH, fixes the four flag bits:
 * checked at once, so that a service speaking something else is not waited on for a length it never meant.
 */
function checkHeader(byte: number): void {
  const type = byte >> 4;
  const flags = byte & 0x0f;
  const fixed = type === 6 || type === 8 || type === 10 ? 0x02 : 0x00;
  if (type === 0 || (type !== 3 && flags !== fixed) || (type === 3 && (flags & 0x06) === 0x06)) {
    throw new ProbeError('protocol', `not an MQTT packet: first byte 0x${byte.toString(16).padStart(2, '0')}`);
  }
}

/** Decodes exactly one framed packet, or throws ProbeError('protocol'). */
export function decodePacket(frame: Buffer, version: MqttVersion): Packet {
  const decoder = parser({ protocolVersion: version });
  let packet: Packet | undefined;
  let failure: string | undefined;
  decoder.on('packet', (p: Packet) => (packet ??= p));
  decoder.on('error', (error: unknown) => (failure ??= error instanceof Error ? error.message : String(error)));
  try {
    decoder.parse(frame);
  } catch (error) {
    failure ??= error instanceof Error ? error.message : String(error);
  }
  if (failure !== undefined) throw new ProbeError('protocol', `malformed MQTT packet: ${failure.slice(0, 120)}`);
  if (!packet) throw new ProbeError('protocol', 'malformed MQTT packet: it does not decode to a whole packet');
  // mqtt-packet lets a 3.1.1 CONNACK carry extra bytes; the protocol fixes it at two.
  if (version === 4 && packet.cmd === 'connack' && frame.length !== 4) {
    throw new ProbeError('protocol', `malformed MQTT packet: a 3.1.1 CONNACK of ${frame.length} bytes`);
  }
  return packet;
}

/** Reads one packet within `timeoutMs`; every failure is a ProbeError (timeout, closed, too-large, protocol). */
export async function readPacket(
  connection: Connection,
  version: MqttVersion,
  timeoutMs: number,
  maxBytes = DEFAULT_MAX_PACKET_BYTES,
  what = 'MQTT packet',
): Promise<Packet> {
  const frame = await connection.readUntil((buffer) => frameLength(buffer, maxBytes), timeoutMs, what);
  return decodePacket(frame, version);
}

export interface ConnectOptions {
  version: MqttVersion;
  clientId: string;
  username?: string;
  password?: string;
  keepaliveSeconds?: number;
}

/** A clean-session CONNECT with no will: the probe must never cause a message to be published. */
export function encodeConnect(options: ConnectOptions): Buffer {
  return generate(
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: options.version,
      clean: true,
      clientId: options.clientId,
      keepalive: options.keepaliveSeconds ?? 30,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: Buffer.from(options.password, 'utf8') } : {}),
    },
    { protocolVersion: options.version },
  );
}

/** A QoS 0 subscription to each filter: QoS 0 so that the broker never expects an acknowledgement. */
export function encodeSubscribe(version: MqttVersion, messageId: number, topics: string[]): Buffer {
  return generate(
    { cmd: 'subscribe', messageId, subscriptions: topics.map((topic) => ({ topic, qos: 0 as const })) },
    { protocolVersion: version },
  );
}

export function encodeDisconnect(version: MqttVersion): Buffer {
  return generate({ cmd: 'disconnect', ...(version === 5 ? { reasonCode: 0 } : {}) }, { protocolVersion: version });
}

/** The CONNACK return code (3.1.1) or reason code (5.0) of a decoded CONNACK. */
export function connackCode(packet: Packet): number | undefined {
  if (packet.cmd !== 'connack') return undefined;
  return packet.reasonCode ?? packet.returnCode;
}

/**
 * True when `bytes` (what a service answered to a CONNECT) start with a CONNACK: fixed header 0x20, a
 * 3.1.1 body (flags 0 or 1, return code 0-5) or a 5.0 body that decodes. Never throws.
 */
export function isMqttConnack(bytes: Buffer): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x20) return false;
  try {
    const length = frameLength(bytes, 1024);
    if (length === undefined) return false;
    const frame = bytes.subarray(0, length);
    if (frame[1] === 2) return (frame[2] === 0 || frame[2] === 1) && (frame[3] as number) <= 5;
    return decodePacket(frame, 5).cmd === 'connack';
  } catch {
    return false;
  }
}

const CONNACK_MEANINGS: Record<number, string> = {
  0: 'accepted',
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorised',
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorised',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
  0x90: 'topic name invalid',
  0x95: 'packet too large',
  0x97: 'quota exceeded',
  0x99: 'payload format invalid',
  0x9a: 'retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9f: 'connection rate exceeded',
};

export function connackMeaning(code: number): string {
  return CONNACK_MEANINGS[code] ?? `code 0x${code.toString(16).padStart(2, '0')}`;
}

/** Codes that mean "your credentials (or their absence) were judged and refused". */
export function isAuthRejection(code: number): boolean {
  return code === 4 || code === 5 || code === 0x86 || code === 0x87;
}

/** Codes that mean "this broker does not speak that protocol version": worth retrying with the other. */
export function isVersionRejection(code: number): boolean {
  return code === 1 || code === 0x84;
}
