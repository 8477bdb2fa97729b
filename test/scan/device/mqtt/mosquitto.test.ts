// The MQTT prober against real Mosquitto 2 brokers on 127.0.0.1: open, with a default password, with a
// strong password, and over TLS with logins disabled.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../../../src/findings/schema.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import type { IdentifiedService, ProbeOutcome } from '../../../../src/scan/device/service.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { probeMqtt } from '../../../../src/scan/device/mqtt/probe-mqtt.ts';
import { mqttConnect } from '../../../../src/scan/device/mqtt/session.ts';
import { type Mosquitto, type MosquittoOptions, startMosquitto } from '../../../helpers/servers/mosquitto.ts';

function context(login = true): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 3000, mqttListenMs: 700, maxLoginAttempts: 12, bruteForceAttempts: 8 },
    login,
    credentials: loadDefaultCredentials(),
  });
}

function finding(outcome: ProbeOutcome, check: string): Finding {
  const found = outcome.findings.filter((f) => f.check === check);
  assert.equal(found.length, 1, `one ${check} finding in ${JSON.stringify(outcome.findings.map((f) => f.check))}`);
  return found[0] as Finding;
}

/** Starts a broker for the suite, probes it once, and hands the outcome to the tests. */
function probedBroker(options: MosquittoOptions, login = true) {
  const state: { broker?: Mosquitto; service?: IdentifiedService; outcome?: ProbeOutcome; context?: ProbeContext } = {};
  before(async () => {
    state.broker = await startMosquitto(options);
    state.service = { endpoint: { host: state.broker.host, port: state.broker.port }, protocol: 'mqtt', tls: options.tls === true };
    state.context = context(login);
    state.outcome = await probeMqtt(state.service, state.context);
  });
  after(() => state.broker?.stop());
  return state as Required<typeof state>;
}

describe('Mosquitto with allow_anonymous true and retained messages', () => {
  const s = probedBroker({
    allowAnonymous: true,
    retained: [
      { topic: 'home/livingroom/thermostat', payload: '{"temp":21.5,"owner":"alice@example.com","password":"hunter2"}' },
      { topic: 'cmnd/plug1/POWER', payload: 'ON' },
    ],
  });

  it('fails anonymous access (5.5-4), noting that no credential is checked at all', () => {
    const f = finding(s.outcome, 'probe/mqtt/anonymous-access');
    assert.equal(f.result, 'fail');
    assert.deepEqual(f.provisions, ['5.5-4']);
    assert.match(
      f.message,
      /MQTT 3\.1\.1 CONNECT with no user name or password was accepted; it also accepted a random user name and password/,
    );
  });

  it('fails plain MQTT (5.5-1, 5.8-1)', () => {
    const f = finding(s.outcome, 'probe/mqtt/plaintext');
    assert.equal(f.result, 'fail');
    assert.deepEqual(f.provisions, ['5.5-1', '5.8-1']);
  });

  it('reports the retained messages read through #, with payloads redacted', () => {
    const f = finding(s.outcome, 'probe/mqtt/topic-leak');
    assert.equal(f.result, 'fail');
    assert.match(f.message, /an anonymous client read 2 messages on 2 topics .*\(2 retained\)/);
    assert.match(
      f.evidence ?? '',
      /home\/livingroom\/thermostat \(1 msg, \d+ B, retained\): \{"temp":21\.5,"owner":"\*\*\*@example\.com","password…$/m,
    );
    assert.ok(!JSON.stringify(s.outcome).includes('hunter2'), 'a payload secret reached the report');
    assert.ok(!JSON.stringify(s.outcome).includes('alice@'), 'an e-mail address reached the report');
  });

  it("discloses the broker's version on $SYS (5.6-2)", () => {
    const f = finding(s.outcome, 'probe/mqtt/sys-disclosure');
    assert.equal(f.result, 'fail');
    assert.equal(f.severity, 'medium');
    assert.match(f.message, /\("mosquitto version 2\.\d+\.\d+"\) on \$SYS\/broker\/version/);
  });

  it('flags the visible command topic (5.5-5) without publishing', () => {
    const f = finding(s.outcome, 'probe/mqtt/control-topics');
    assert.equal(f.result, 'fail');
    assert.match(f.message, /cmnd\/plug1\/POWER.*publishing was not tried/);
  });

  it('skips default credentials and brute force, and says why', () => {
    assert.ok(!s.outcome.findings.some((f) => f.check === 'probe/default-credentials' || f.check === 'probe/brute-force-protection'));
    assert.match(s.outcome.incomplete.map((i) => i.reason).join('\n'), /accepts any user name and password/);
    assert.equal(s.context.attempts.length, 1);
  });

  it('ends with an info summary', () => {
    const f = s.outcome.findings.at(-1);
    assert.equal(f?.check, 'probe/mqtt/summary');
    assert.equal(f?.result, 'info');
    assert.match(f?.message ?? '', /over plain TCP: MQTT 3\.1\.1; anonymous CONNECT accepted; .*broker version "mosquitto version 2/);
  });

  it('mqttConnect reads the CONNACK', async () => {
    const connack = await mqttConnect(s.context, s.service.endpoint, false);
    assert.equal(connack.accepted, true);
    assert.equal(connack.returnCode, 0);
    assert.equal(connack.protocolVersion, 4);
  });
});

describe('Mosquitto that takes anonymous clients but checks passwords when given', () => {
  const s = probedBroker({ allowAnonymous: true, users: [{ username: 'owner', password: 'k7#Qv9-unique-per-unit-Zp2' }] });

  it('fails anonymous access, without claiming that any password works', () => {
    const f = finding(s.outcome, 'probe/mqtt/anonymous-access');
    assert.equal(f.result, 'fail');
    assert.doesNotMatch(f.message, /random user name/);
  });

  it('still tries the default credentials and measures brute force', () => {
    assert.equal(finding(s.outcome, 'probe/default-credentials').result, 'pass');
    assert.equal(finding(s.outcome, 'probe/brute-force-protection').result, 'fail');
    assert.deepEqual(s.outcome.incomplete, []);
  });
});

describe('Mosquitto with a password file holding admin/admin', () => {
  const s = probedBroker({
    allowAnonymous: false,
    users: [{ username: 'admin', password: 'admin' }],
    retained: [{ topic: 'cam/front/status', payload: 'recording' }],
  });

  it('refuses anonymous clients', () => {
    const f = finding(s.outcome, 'probe/mqtt/anonymous-access');
    assert.equal(f.result, 'pass');
    assert.match(f.message, /return code 5 \(not authorised\)/);
  });

  it('fails default credentials (5.1-1) without printing the password', () => {
    const f = finding(s.outcome, 'probe/default-credentials');
    assert.equal(f.result, 'fail');
    assert.equal(f.severity, 'critical');
    assert.match(f.message, /MQTT CONNECT login accepted admin \/ a\*\*\*/);
  });

  it('listens with the default credential and reports the leak', () => {
    const f = finding(s.outcome, 'probe/mqtt/topic-leak');
    assert.equal(f.result, 'fail');
    assert.match(f.message, /logged in with the default credential admin \/ a\*+ read 1 message on 1 topic .*cam\/front\/status/);
  });

  it('measures brute-force protection as admin (Mosquitto has none)', () => {
    const f = finding(s.outcome, 'probe/brute-force-protection');
    assert.equal(f.result, 'fail');
    assert.match(f.message, /8 failed logins in a row were answered at [\d.]+ attempts\/s/);
    assert.match(f.evidence ?? '', /MQTT CONNECT logins as admin/);
  });
});

describe('Mosquitto with a strong password', () => {
  const s = probedBroker({ allowAnonymous: false, users: [{ username: 'owner', password: 'k7#Qv9-unique-per-unit-Zp2' }] });

  it('passes default credentials after trying the budget', () => {
    const f = finding(s.outcome, 'probe/default-credentials');
    assert.equal(f.result, 'pass');
    assert.match(f.message, /none of 12 default credentials tried was accepted/);
    assert.equal(s.context.attempts.filter((a) => a.purpose === 'default-credentials').length, 12);
    assert.ok(
      s.context.attempts.every((a) => !a.accepted && a.error === undefined),
      'a plain rejection is not an error',
    );
  });

  it('fails brute-force protection with the measured rate', () => {
    const f = finding(s.outcome, 'probe/brute-force-protection');
    assert.equal(f.result, 'fail');
    assert.deepEqual(f.provisions, ['5.1-5']);
    assert.match(f.evidence ?? '', /^8 failed MQTT CONNECT logins as admin: [\d.]+ attempts\/s/);
  });

  it('has nothing to listen to', () => {
    assert.ok(!s.outcome.findings.some((f) => f.check === 'probe/mqtt/topic-leak'));
    assert.deepEqual(s.outcome.incomplete, []);
  });
});

describe('Mosquitto over TLS, probed with --no-login', () => {
  const s = probedBroker(
    { allowAnonymous: false, users: [{ username: 'owner', password: 'k7#Qv9-unique-per-unit-Zp2' }], tls: true },
    false,
  );

  it('passes the transport check', () => {
    const f = finding(s.outcome, 'probe/mqtt/plaintext');
    assert.equal(f.result, 'pass');
    assert.match(finding(s.outcome, 'probe/mqtt/summary').message, /over TLS: MQTT 3\.1\.1; anonymous CONNECT refused: not authorised/);
  });

  it('sends no credential and says logins were skipped', () => {
    assert.equal(s.context.attempts.length, 0);
    assert.ok(!s.outcome.findings.some((f) => f.check === 'probe/default-credentials'));
    assert.match(s.outcome.incomplete[0]?.reason ?? '', /--no-login/);
  });

  it('mqttConnect over TLS with the right password is accepted', async () => {
    const connack = await mqttConnect(context(), s.service.endpoint, true, { username: 'owner', password: 'k7#Qv9-unique-per-unit-Zp2' });
    assert.equal(connack.accepted, true);
  });
});
