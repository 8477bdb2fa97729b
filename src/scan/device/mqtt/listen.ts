// What an accepted session can read: subscribe to every topic (#) and to the broker's own status topics
// ($SYS/#, which # does not match), hold the subscription for a short while, and keep a bounded summary
// of what arrives. Only topic names, counts and short redacted excerpts are kept: never whole payloads.
import type { Packet } from 'mqtt-packet';
import { type Connection, ProbeError } from '../connection.ts';
import { printable } from '../service.ts';
import { encodeSubscribe, type MqttVersion, readPacket } from './packets.ts';

export const LISTEN_FILTERS = ['#', '$SYS/#'] as const;

export interface ListenBounds {
  listenMs: number;
  /** Most PUBLISH packets read before stopping. */
  maxMessages: number;
  /** Most payload bytes read before stopping. */
  maxBytes: number;
  /** Most distinct topics kept in the summary; further topics are only counted. */
  maxTopics: number;
  /** Largest single packet accepted. */
  maxPacketBytes: number;
}

export const DEFAULT_LISTEN_BOUNDS: Omit<ListenBounds, 'listenMs'> = {
  maxMessages: 1000,
  maxBytes: 256 * 1024,
  maxTopics: 200,
  maxPacketBytes: 64 * 1024,
};

export interface TopicSeen {
  topic: string;
  messages: number;
  bytes: number;
  /** True when at least one message came as a retained message. */
  retained: boolean;
  /** The first payload, cut short and with secret-looking values masked. */
  excerpt: string;
}

export interface ListenResult {
  durationMs: number;
  /** Whether the broker granted each filter (SUBACK), when a SUBACK came. */
  granted?: { filter: string; granted: boolean }[];
  messages: number;
  bytes: number;
  topics: TopicSeen[];
  /** Distinct topics seen beyond the ones kept. */
  moreTopics: number;
  /** The broker's software and version, from $SYS/broker/version. */
  brokerVersion?: string;
  /** Why listening ended before the window closed (a cap, the broker closing, garbage), if it did. */
  stoppedEarly?: string;
}

const SECRET_KEY = /("?(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|key|auth\w*|session|cookie|psk)"?\s*[:=]\s*)("[^"]*"|[^\s,;&}]+)/gi;
const LONG_TOKEN = /[A-Za-z0-9+/_=-]{20,}/g;
const EMAIL = /\b[\w.+-]+@([\w-]+\.[\w.-]+)\b/g;

/** A short excerpt of an untrusted payload for a report: secret-looking values masked, long tokens cut. */
export function redactedExcerpt(payload: Buffer, max = 48): string {
  if (payload.length === 0) return '(empty)';
  const head = payload.subarray(0, 512);
  const text = head.toString('utf8');
  const unprintable = [...head].filter((b) => b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f).length;
  if (unprintable > head.length / 10) return `(${payload.length} bytes of binary data)`;
  const masked = text
    .replace(SECRET_KEY, (_m, key: string) => `${key}***`)
    .replace(EMAIL, (_m, domain: string) => `***@${domain}`)
    .replace(LONG_TOKEN, (t) => `${t.slice(0, 4)}…`);
  return printable(masked, max);
}

/** Subscribes to # and $SYS/# and reads for the listen window; partial results survive a failure. */
export async function listen(
  connection: Connection,
  version: MqttVersion,
  bounds: ListenBounds,
  signal?: AbortSignal,
): Promise<ListenResult> {
  const started = Date.now();
  const deadline = started + bounds.listenMs;
  const result: ListenResult = { durationMs: 0, messages: 0, bytes: 0, topics: [], moreTopics: 0 };
  const topics = new Map<string, TopicSeen>();
  const extraTopics = new Set<string>();
  const messageId = 1;
  try {
    await connection.write(encodeSubscribe(version, messageId, [...LISTEN_FILTERS]));
    for (;;) {
      if (signal?.aborted) {
        result.stoppedEarly = 'the probe was aborted';
        break;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      let packet: Packet;
      try {
        packet = await readPacket(connection, version, left, bounds.maxPacketBytes, 'MQTT packet');
      } catch (error) {
        if (error instanceof ProbeError && error.kind === 'timeout') break;
        throw error;
      }
      if (packet.cmd === 'suback' && packet.messageId === messageId) {
        result.granted = LISTEN_FILTERS.map((filter, i) => ({ filter, granted: grantedOk(packet.granted[i]) }));
      } else if (packet.cmd === 'publish') {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload ?? '', 'utf8');
        result.messages++;
        result.bytes += payload.length;
        record(topics, extraTopics, bounds.maxTopics, packet.topic, payload, packet.retain);
        if (packet.topic === '$SYS/broker/version' && result.brokerVersion === undefined) {
          result.brokerVersion = printable(payload, 80);
        }
        if (result.messages >= bounds.maxMessages) {
          result.stoppedEarly = `stopped after ${bounds.maxMessages} messages (the message cap)`;
          break;
        }
        if (result.bytes >= bounds.maxBytes) {
          result.stoppedEarly = `stopped after ${result.bytes} payload bytes (the byte cap)`;
          break;
        }
      } else if (packet.cmd === 'disconnect') {
        result.stoppedEarly = 'the broker sent DISCONNECT';
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof ProbeError)) throw error;
    result.stoppedEarly =
      error.kind === 'closed' ? `the broker closed the session after ${result.messages} messages` : `listening stopped: ${error.message}`;
  }
  result.durationMs = Date.now() - started;
  result.topics = [...topics.values()];
  result.moreTopics = extraTopics.size;
  return result;
}

function grantedOk(code: unknown): boolean {
  // 3.1.1 grants QoS 0-2 and refuses with 0x80; 5.0 refuses with any reason code of 0x80 or more.
  return typeof code === 'number' && code < 0x80;
}

function record(
  topics: Map<string, TopicSeen>,
  extra: Set<string>,
  maxTopics: number,
  topic: string,
  payload: Buffer,
  retained: boolean,
): void {
  const seen = topics.get(topic);
  if (seen) {
    seen.messages++;
    seen.bytes += payload.length;
    seen.retained ||= retained;
    return;
  }
  if (topics.size >= maxTopics) {
    extra.add(topic);
    return;
  }
  topics.set(topic, { topic: printable(topic, 200), messages: 1, bytes: payload.length, retained, excerpt: redactedExcerpt(payload) });
}
