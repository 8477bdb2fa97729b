// Each MQTT check on hand-made observations: what it says when the broker is open, closed, or unknown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCheck } from '../../../../src/scan/check.ts';
import {
  anonymousAccessCheck,
  controlTopicsCheck,
  isControlTopic,
  type MqttObservation,
  plaintextCheck,
  summaryCheck,
  systemTopicsCheck,
  topicLeakCheck,
} from '../../../../src/scan/device/mqtt/checks.ts';
import type { ListenResult, TopicSeen } from '../../../../src/scan/device/mqtt/listen.ts';
import type { ConnackSummary } from '../../../../src/scan/device/mqtt/session.ts';
import { mqttFindings } from '../../../../src/scan/device/mqtt/probe-mqtt.ts';

const endpoint = { host: '192.0.2.10', port: 1883 };

function connack(returnCode: number, meaning: string, protocolVersion: 4 | 5 = 4): ConnackSummary {
  return { protocolVersion, returnCode, accepted: returnCode === 0, meaning, sessionPresent: false };
}

function topic(name: string, excerpt = 'x', retained = false): TopicSeen {
  return { topic: name, messages: 1, bytes: excerpt.length, retained, excerpt };
}

function listened(topics: TopicSeen[], extra: Partial<ListenResult> = {}): NonNullable<MqttObservation['listen']> {
  return {
    access: { kind: 'anonymous' },
    durationMs: 2000,
    granted: [
      { filter: '#', granted: true },
      { filter: '$SYS/#', granted: true },
    ],
    messages: topics.reduce((n, t) => n + t.messages, 0),
    bytes: 0,
    topics,
    moreTopics: 0,
    ...extra,
  };
}

function observation(extra: Partial<MqttObservation> = {}, tls = false): MqttObservation {
  return { service: { endpoint, protocol: 'mqtt', tls }, incomplete: [], ...extra };
}

interface Case {
  name: string;
  subject: MqttObservation;
  /** Expected [result, severity] of each finding, in order; [] for none. */
  expect: [string, string][];
  /** A fact the (first) message has to state. */
  mentions?: RegExp;
}

function table(check: Parameters<typeof runCheck<MqttObservation>>[0], cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const findings = runCheck(check, c.subject);
      assert.deepEqual(
        findings.map((f) => [f.result, f.severity]),
        c.expect,
      );
      for (const f of findings) {
        assert.equal(f.check, check.id);
        assert.deepEqual(f.provisions, check.provisions);
        assert.deepEqual(f.location, endpoint);
      }
      if (c.mentions) assert.match(findings[0]?.message ?? '', c.mentions);
    });
  }
}

describe('probe/mqtt/plaintext', () => {
  table(plaintextCheck, [
    {
      name: 'fails on plain TCP, naming credentials when the broker asks for them',
      subject: observation({ anonymous: connack(5, 'not authorised') }),
      expect: [['fail', 'high']],
      mentions: /plain TCP: the user names and passwords/,
    },
    {
      name: 'fails on plain TCP with an open broker',
      subject: observation({ anonymous: connack(0, 'accepted') }),
      expect: [['fail', 'high']],
      mentions: /every message/,
    },
    { name: 'passes inside TLS', subject: observation({ anonymous: connack(5, 'not authorised') }, true), expect: [['pass', 'high']] },
    { name: 'says nothing when MQTT was never confirmed', subject: observation(), expect: [] },
  ]);
  it('cites 5.5-1 and 5.8-1', () => assert.deepEqual(plaintextCheck.provisions, ['5.5-1', '5.8-1']));
});

describe('probe/mqtt/anonymous-access', () => {
  table(anonymousAccessCheck, [
    {
      name: 'fails when a CONNECT without credentials is accepted',
      subject: observation({ anonymous: connack(0, 'accepted') }),
      expect: [['fail', 'high']],
      mentions: /MQTT 3\.1\.1 CONNECT with no user name or password was accepted$/,
    },
    {
      name: 'says so when the broker also takes any password',
      subject: observation({ anonymous: connack(0, 'accepted'), credentialsIgnored: true }),
      expect: [['fail', 'high']],
      mentions: /checks no credentials at all/,
    },
    {
      name: 'passes on return code 5 (not authorised)',
      subject: observation({ anonymous: connack(5, 'not authorised') }),
      expect: [['pass', 'high']],
      mentions: /return code 5/,
    },
    {
      name: 'passes on MQTT 5 reason code 0x87',
      subject: observation({ anonymous: connack(0x87, 'not authorised', 5) }),
      expect: [['pass', 'high']],
    },
    {
      name: 'is only informative on server unavailable',
      subject: observation({ anonymous: connack(3, 'server unavailable') }),
      expect: [['info', 'high']],
      mentions: /server unavailable/,
    },
    { name: 'says nothing without a CONNACK', subject: observation(), expect: [] },
  ]);
  it('cites 5.5-4 only', () => assert.deepEqual(anonymousAccessCheck.provisions, ['5.5-4']));
});

describe('probe/mqtt/topic-leak', () => {
  table(topicLeakCheck, [
    {
      name: 'fails when application messages arrive on #',
      subject: observation({ listen: listened([topic('home/temp', '21.5', true), topic('$SYS/broker/uptime', '5 s')]) }),
      expect: [['fail', 'high']],
      mentions: /anonymous client read 1 message on 1 topic .*\(1 retained\): home\/temp/,
    },
    {
      name: 'names the default credential that let the session in',
      subject: observation({
        listen: { ...listened([topic('cam/1/status')]), access: { kind: 'default-credential', username: 'admin', password: 'a****' } },
      }),
      expect: [['fail', 'high']],
      mentions: /default credential admin \/ a\*\*\*\*/,
    },
    {
      name: 'passes when the broker refuses #',
      subject: observation({
        listen: listened([], {
          granted: [
            { filter: '#', granted: false },
            { filter: '$SYS/#', granted: false },
          ],
        }),
      }),
      expect: [['pass', 'high']],
      mentions: /refused .* subscription to #/,
    },
    {
      name: 'passes when # is granted but only $SYS traffic arrives',
      subject: observation({ listen: listened([topic('$SYS/broker/version', 'mosquitto')]) }),
      expect: [['pass', 'high']],
      mentions: /no message or retained message arrived in 2000 ms/,
    },
    {
      name: 'is informative when not even a SUBACK came',
      subject: observation({ listen: listened([], { granted: undefined, stoppedEarly: 'the broker sent DISCONNECT' }) }),
      expect: [['info', 'high']],
      mentions: /DISCONNECT/,
    },
    { name: 'says nothing when no session was accepted', subject: observation({ anonymous: connack(5, 'not authorised') }), expect: [] },
  ]);
  it('keeps only the redacted excerpt in the evidence', () => {
    const [finding] = runCheck(topicLeakCheck, observation({ listen: listened([topic('home/lock', '{"pin":***}')]) }));
    assert.match(finding?.evidence ?? '', /^home\/lock \(1 msg, 11 B\): \{"pin":\*\*\*\}$/);
  });
});

describe('probe/mqtt/sys-disclosure', () => {
  table(systemTopicsCheck, [
    {
      name: 'fails (medium) when $SYS/broker/version is readable',
      subject: observation({
        listen: listened([topic('$SYS/broker/version', 'mosquitto version 2.0.11'), topic('$SYS/broker/uptime')], {
          brokerVersion: 'mosquitto version 2.0.11',
        }),
      }),
      expect: [['fail', 'medium']],
      mentions: /\("mosquitto version 2\.0\.11"\) on \$SYS\/broker\/version, and 1 more \$SYS topic$/,
    },
    {
      name: 'fails (low) when only other $SYS topics are readable',
      subject: observation({ listen: listened([topic('$SYS/broker/clients/connected', '3')]) }),
      expect: [['fail', 'low']],
    },
    {
      name: 'passes when $SYS/# is refused',
      subject: observation({
        listen: listened([topic('a/b')], {
          granted: [
            { filter: '#', granted: true },
            { filter: '$SYS/#', granted: false },
          ],
        }),
      }),
      expect: [['pass', 'medium']],
    },
    {
      name: 'passes when nothing arrives on a granted $SYS/#',
      subject: observation({ listen: listened([]) }),
      expect: [['pass', 'medium']],
    },
    { name: 'says nothing without a session', subject: observation(), expect: [] },
  ]);
});

describe('probe/mqtt/control-topics', () => {
  table(controlTopicsCheck, [
    {
      name: 'fails when command topics are visible',
      subject: observation({ listen: listened([topic('cmnd/plug/POWER', 'ON'), topic('zigbee2mqtt/lamp/set'), topic('home/temp')]) }),
      expect: [['fail', 'high']],
      mentions: /2 command or configuration topics \(cmnd\/plug\/POWER, zigbee2mqtt\/lamp\/set\).*publishing was not tried/,
    },
    {
      name: 'says nothing about plain telemetry',
      subject: observation({ listen: listened([topic('home/temp'), topic('settings-page/view')]) }),
      expect: [],
    },
  ]);
  it('recognises command levels, not substrings or $SYS', () => {
    assert.equal(isControlTopic('shellies/plug-1/relay/0/command'), true);
    assert.equal(isControlTopic('device/ota'), true);
    assert.equal(isControlTopic('home/settlement/offset'), false);
    assert.equal(isControlTopic('$SYS/broker/config'), false);
  });
  it('cites 5.5-5', () => assert.deepEqual(controlTopicsCheck.provisions, ['5.5-5']));
});

describe('probe/mqtt/summary', () => {
  it('summarises an open broker', () => {
    const [finding] = runCheck(
      summaryCheck,
      observation({
        anonymous: connack(0, 'accepted'),
        credentialsIgnored: true,
        listen: listened([topic('home/temp'), topic('$SYS/broker/version')], { brokerVersion: 'mosquitto version 2.0.11', moreTopics: 3 }),
      }),
    );
    assert.equal(finding?.result, 'info');
    assert.match(
      finding?.message ?? '',
      /MQTT on 192\.0\.2\.10:1883 over plain TCP: MQTT 3\.1\.1; anonymous CONNECT accepted; any user name and password accepted/,
    );
    assert.match(finding?.message ?? '', /2 messages on 5 topics \(1 \$SYS\); broker version "mosquitto version 2\.0\.11"/);
    assert.match(finding?.evidence ?? '', /^home\/temp .*\n\$SYS\/broker\/version .*\n… and 3 more topics$/);
  });
  it('says why nothing could be seen', () => {
    const [finding] = runCheck(
      summaryCheck,
      observation({ incomplete: [{ part: 'MQTT', reason: 'no CONNACK to a CONNECT without credentials: no CONNACK within 300 ms' }] }),
    );
    assert.match(finding?.message ?? '', /over plain TCP: no CONNACK to a CONNECT without credentials: no CONNACK within 300 ms$/);
  });
  it('comes last, after the login findings', () => {
    const findings = mqttFindings(observation({ anonymous: connack(5, 'not authorised') }));
    assert.deepEqual(
      findings.map((f) => f.check),
      ['probe/mqtt/plaintext', 'probe/mqtt/anonymous-access', 'probe/mqtt/summary'],
    );
  });
});
