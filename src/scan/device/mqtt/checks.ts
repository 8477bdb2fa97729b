// The MQTT checks: pure functions of what the probe saw (an MqttObservation), so each can be tested on
// hand-made observations. Default credentials and brute-force protection are judged by the shared
// checks in ../login.ts from the trial and measurement the observation carries.
import type { Check } from '../../check.ts';
import type { BruteForceMeasurement, DefaultCredentialTrial } from '../login.ts';
import { at, type IdentifiedService } from '../service.ts';
import { endpointText } from '../target.ts';
import type { ListenResult, TopicSeen } from './listen.ts';
import { isAuthRejection, versionName } from './packets.ts';
import type { ConnackSummary } from './session.ts';

/** How the session that listened got in. The password is already redacted. */
export type SessionAccess = { kind: 'anonymous' } | { kind: 'default-credential'; username: string; password: string };

export interface MqttObservation {
  service: IdentifiedService;
  /** The broker's answer to a CONNECT without credentials; absent when no CONNACK could be read. */
  anonymous?: ConnackSummary;
  /** True when a broker that takes anonymous sessions also took a random user name and password: it checks none. */
  credentialsIgnored?: boolean;
  /** What an accepted session could read by subscribing to # and $SYS/#, and how it got in. */
  listen?: ListenResult & { access: SessionAccess };
  defaultCredentials?: DefaultCredentialTrial;
  bruteForce?: BruteForceMeasurement;
  /** Parts that could not be examined, and why. */
  incomplete: { part: string; reason: string }[];
}

function who(access: SessionAccess): string {
  return access.kind === 'anonymous'
    ? 'an anonymous client'
    : `a client logged in with the default credential ${access.username} / ${access.password}`;
}

export function isSystemTopic(topic: string): boolean {
  return topic.startsWith('$');
}

// Topic levels that devices and bridges commonly use for commands and settings (Tasmota cmnd/, Home
// Assistant and Zigbee2MQTT .../set, Shelly .../command, RPC and OTA topics).
const CONTROL_LEVEL =
  /^(cmnd|cmd|cmds|command|commands|control|ctrl|set|config|configure|configuration|ota|update|upgrade|firmware|reboot|restart|reset|action|actions|rpc|exec|execute|request|write|setpoint)$/i;

export function isControlTopic(topic: string): boolean {
  return !isSystemTopic(topic) && topic.split('/').some((level) => CONTROL_LEVEL.test(level));
}

function topicLine(t: TopicSeen): string {
  return `${t.topic} (${t.messages} msg${t.messages === 1 ? '' : 's'}, ${t.bytes} B${t.retained ? ', retained' : ''}): ${t.excerpt}`;
}

/** One line per topic, application topics first, as many as fit in a finding's evidence. */
function topicEvidence(topics: TopicSeen[], more = 0): string {
  const ordered = [...topics.filter((t) => !isSystemTopic(t.topic)), ...topics.filter((t) => isSystemTopic(t.topic))];
  const lines: string[] = [];
  let size = 0;
  for (const t of ordered) {
    const line = topicLine(t);
    if (size + line.length + 1 > 1900) break;
    lines.push(line);
    size += line.length + 1;
  }
  const hidden = ordered.length - lines.length + more;
  if (hidden > 0) lines.push(`… and ${hidden} more topic${hidden === 1 ? '' : 's'}`);
  return lines.join('\n');
}

function names(topics: TopicSeen[], max = 5): string {
  const shown = topics.slice(0, max).map((t) => t.topic);
  return topics.length > max ? `${shown.join(', ')}, …` : shown.join(', ');
}

function granted(listen: ListenResult, filter: string): boolean | undefined {
  return listen.granted?.find((g) => g.filter === filter)?.granted;
}

export const plaintextCheck: Check<MqttObservation> = {
  id: 'probe/mqtt/plaintext',
  title: 'MQTT runs without TLS',
  provisions: ['5.5-1', '5.8-1'],
  severity: 'high',
  rationale:
    'Plain MQTT carries the CONNECT user name and password and every published message as readable bytes: anyone on the network path can collect credentials and the data the device reports, or alter commands on the way.',
  remediation:
    'Serve MQTT only over TLS (conventionally port 8883) with a current TLS version, and close the plain listener (port 1883), including on the local network.',
  *run(o) {
    if (!o.anonymous) return;
    const where = at(o.service.endpoint);
    if (o.service.tls) {
      yield { result: 'pass', location: where, message: 'MQTT on this port runs inside TLS' };
      return;
    }
    const carries = o.anonymous.accepted
      ? 'every message published through it'
      : 'the user names and passwords clients send, and every message';
    yield {
      result: 'fail',
      location: where,
      message: `MQTT broker answers over plain TCP: ${carries} crosses the network unencrypted`,
      evidence: `CONNACK over plain TCP: ${versionName(o.anonymous.protocolVersion)}, return code ${o.anonymous.returnCode} (${o.anonymous.meaning})`,
    };
  },
};

export const anonymousAccessCheck: Check<MqttObservation> = {
  id: 'probe/mqtt/anonymous-access',
  title: 'The MQTT broker accepts clients without credentials',
  provisions: ['5.5-4'],
  severity: 'high',
  rationale:
    'A broker that accepts a CONNECT with no user name and password lets anyone who can reach the port read what the device reports and, unless access rules forbid it, publish to the topics it acts on.',
  remediation:
    'Refuse anonymous clients (in Mosquitto: allow_anonymous false with a password file or client certificates), give each unit its own credentials, and restrict each client to its topics with an ACL.',
  *run(o) {
    const c = o.anonymous;
    if (!c) return;
    const where = at(o.service.endpoint);
    const code = `return code ${c.returnCode} (${c.meaning})`;
    if (c.accepted) {
      const any = o.credentialsIgnored ? '; it also accepted a random user name and password, so it checks no credentials at all' : '';
      yield {
        result: 'fail',
        location: where,
        message: `${versionName(c.protocolVersion)} CONNECT with no user name or password was accepted${any}`,
        evidence: `CONNACK ${code}${c.fellBackFrom ? ' (after MQTT 3.1.1 was refused as a protocol version)' : ''}`,
      };
    } else if (isAuthRejection(c.returnCode)) {
      yield { result: 'pass', location: where, message: `a CONNECT without credentials was refused: ${code}` };
    } else {
      yield {
        result: 'info',
        location: where,
        message: `a CONNECT without credentials was answered with ${code}: neither accepted nor refused for lack of credentials`,
      };
    }
  },
};

export const topicLeakCheck: Check<MqttObservation> = {
  id: 'probe/mqtt/topic-leak',
  title: 'Device messages are readable by subscribing to every topic',
  provisions: ['5.6-2', '5.8-1'],
  severity: 'high',
  rationale:
    'Subscribing to the wildcard # shows every message the broker relays and every retained message: device state, sensor readings, identifiers and sometimes personal data, to a client that proved nothing or only knew a published default.',
  remediation:
    'Require authentication and give each client an ACL that limits it to its own topics; deny wildcard subscriptions to clients that do not need them, and do not retain messages carrying personal data.',
  *run(o) {
    const l = o.listen;
    if (!l) return;
    const where = at(o.service.endpoint);
    const app = l.topics.filter((t) => !isSystemTopic(t.topic));
    if (app.length > 0) {
      const messages = app.reduce((n, t) => n + t.messages, 0);
      const retained = app.filter((t) => t.retained).length;
      yield {
        result: 'fail',
        location: where,
        message: `${who(l.access)} read ${messages} message${messages === 1 ? '' : 's'} on ${app.length} topic${app.length === 1 ? '' : 's'} by subscribing to # for ${l.durationMs} ms${retained > 0 ? ` (${retained} retained)` : ''}: ${names(app)}`,
        evidence: topicEvidence(app),
      };
    } else if (granted(l, '#') === false) {
      yield { result: 'pass', location: where, message: `the broker refused ${who(l.access)} a subscription to #` };
    } else if (granted(l, '#') === true) {
      yield {
        result: 'pass',
        location: where,
        message: `the broker granted # to ${who(l.access)}, but no message or retained message arrived in ${l.durationMs} ms`,
      };
    } else {
      yield {
        result: 'info',
        location: where,
        message: `no SUBACK and no message arrived in ${l.durationMs} ms after subscribing to #${l.stoppedEarly ? ` (${l.stoppedEarly})` : ''}`,
      };
    }
  },
};

export const systemTopicsCheck: Check<MqttObservation> = {
  id: 'probe/mqtt/sys-disclosure',
  title: 'The broker discloses its software and state on $SYS topics',
  provisions: ['5.6-2'],
  severity: 'medium',
  rationale:
    "The $SYS topics tell any client the broker's software and exact version, its uptime and its client counts: the version alone points an attacker at the known vulnerabilities to try.",
  remediation: 'Deny $SYS/# to clients that are not administrators (an ACL), or turn the $SYS topics off (Mosquitto: sys_interval 0).',
  *run(o) {
    const l = o.listen;
    if (!l) return;
    const where = at(o.service.endpoint);
    const sys = l.topics.filter((t) => isSystemTopic(t.topic));
    if (l.brokerVersion !== undefined) {
      yield {
        result: 'fail',
        location: where,
        message: `${who(l.access)} can read the broker's version ("${l.brokerVersion}") on $SYS/broker/version${sys.length > 1 ? `, and ${sys.length - 1} more $SYS topic${sys.length === 2 ? '' : 's'}` : ''}`,
        evidence: topicEvidence(sys),
      };
    } else if (sys.length > 0) {
      yield {
        result: 'fail',
        severity: 'low',
        location: where,
        message: `${who(l.access)} can read ${sys.length} $SYS topic${sys.length === 1 ? '' : 's'} about the broker's state: ${names(sys)}`,
        evidence: topicEvidence(sys),
      };
    } else if (granted(l, '$SYS/#') === false) {
      yield { result: 'pass', location: where, message: `the broker refused ${who(l.access)} a subscription to $SYS/#` };
    } else if (granted(l, '$SYS/#') === true) {
      yield { result: 'pass', location: where, message: `no $SYS topic arrived in ${l.durationMs} ms of listening to $SYS/#` };
    }
  },
};

export const controlTopicsCheck: Check<MqttObservation> = {
  id: 'probe/mqtt/control-topics',
  title: 'Command topics are reachable without proper authentication',
  provisions: ['5.5-5'],
  severity: 'high',
  rationale:
    'Topics such as cmnd/…, …/set, …/config or …/ota are how devices take commands and settings. A client that needed no credential (or only a published default) and can see them is, unless an ACL says otherwise, also allowed to publish to them and so to change the device. The probe never publishes, so this is judged from what the session can see.',
  remediation:
    'Require authentication, and restrict publishing to command and configuration topics with per-client ACLs so that only the device’s own controller may send commands.',
  *run(o) {
    const l = o.listen;
    if (!l) return;
    const control = l.topics.filter((t) => isControlTopic(t.topic));
    if (control.length === 0) return;
    yield {
      result: 'fail',
      location: at(o.service.endpoint),
      message: `${who(l.access)} can see ${control.length} command or configuration topic${control.length === 1 ? '' : 's'} (${names(control)}); the broker showed no sign of limiting who publishes there (publishing was not tried)`,
      evidence: topicEvidence(control),
    };
  },
};

export const summaryCheck: Check<MqttObservation> = {
  id: 'probe/mqtt/summary',
  title: 'What the MQTT probe saw',
  provisions: ['5.5-4', '5.6-2'],
  severity: 'info',
  rationale: 'A record of the broker as the probe found it, so that a reader can see what the other MQTT findings were judged on.',
  remediation: 'None: this is an observation.',
  *run(o) {
    const { host, port } = o.service.endpoint;
    const transport = o.service.tls ? 'TLS' : 'plain TCP';
    const parts: string[] = [];
    const c = o.anonymous;
    if (!c) {
      parts.push(o.incomplete[0]?.reason ?? 'no CONNACK could be read');
    } else {
      parts.push(`${versionName(c.protocolVersion)}${c.fellBackFrom ? ' (3.1.1 refused)' : ''}`);
      parts.push(`anonymous CONNECT ${c.accepted ? 'accepted' : `refused: ${c.meaning}`}`);
      if (o.credentialsIgnored) parts.push('any user name and password accepted');
    }
    const d = o.defaultCredentials;
    if (d) {
      const found = d.accepted[0];
      parts.push(found ? `default credential accepted (${found.username})` : `${d.tried} default credentials tried, none accepted`);
    }
    const l = o.listen;
    let evidence: string | undefined;
    if (l) {
      const sys = l.topics.filter((t) => isSystemTopic(t.topic)).length;
      parts.push(
        `listened ${l.durationMs} ms to # and $SYS/# as ${l.access.kind === 'anonymous' ? 'an anonymous client' : `${l.access.username} (default credential)`}: ${l.messages} messages on ${l.topics.length + l.moreTopics} topics (${sys} $SYS)`,
      );
      if (l.brokerVersion) parts.push(`broker version "${l.brokerVersion}"`);
      if (l.stoppedEarly) parts.push(l.stoppedEarly);
      if (l.topics.length > 0) evidence = topicEvidence(l.topics, l.moreTopics);
    }
    yield {
      result: 'info',
      location: at(o.service.endpoint),
      message: `MQTT on ${endpointText(host, port)} over ${transport}: ${parts.join('; ')}`,
      ...(evidence ? { evidence } : {}),
    };
  },
};

/** Every MQTT check, in report order (the summary last). */
export const MQTT_CHECKS: Check<MqttObservation>[] = [
  plaintextCheck,
  anonymousAccessCheck,
  topicLeakCheck,
  systemTopicsCheck,
  controlTopicsCheck,
  summaryCheck,
];
