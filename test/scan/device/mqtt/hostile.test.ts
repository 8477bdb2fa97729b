// Brokers that misbehave, written here with node:net on 127.0.0.1: silent, garbage, floods, version
// refusals and services that cannot judge a login. The prober must end every case cleanly, say what it
// could not examine, and never publish.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LOGIN_PARALLELISM } from '../../../../src/scan/device/login.ts';
import { createServer, type Server, type Socket } from 'node:net';
import { generate, type Packet, parser } from 'mqtt-packet';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import type { IdentifiedService } from '../../../../src/scan/device/service.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { probeMqtt, scanMqtt } from '../../../../src/scan/device/mqtt/probe-mqtt.ts';
import { mqttConnect } from '../../../../src/scan/device/mqtt/session.ts';
import { LOOPBACK } from '../../../helpers/daemon.ts';

function hostileContext(): ProbeContext {
  return createProbeContext({
    limits: {
      ...DEFAULT_PROBE_LIMITS,
      connectTimeoutMs: 1000,
      readTimeoutMs: 300,
      mqttListenMs: 400,
      maxBytesPerConnection: 64 * 1024,
      maxLoginAttempts: 5,
      bruteForceAttempts: 4,
      connectionsPerSecond: 200,
    },
    login: true,
    credentials: loadDefaultCredentials(),
  });
}

interface FakeBroker {
  service: IdentifiedService;
  /** Every packet clients sent, decoded (as 3.1.1 unless a CONNECT said 5). */
  received: Packet[];
  close(): Promise<void>;
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r))))); // leftovers only

/** A broker that hands each decoded client packet to `onPacket`; raw handlers may ignore packets entirely. */
async function fakeBroker(
  onPacket: (packet: Packet, socket: Socket) => void,
  onConnection?: (socket: Socket) => void,
): Promise<FakeBroker> {
  const received: Packet[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let decoder = parser({ protocolVersion: 4 });
    const wire = (d: ReturnType<typeof parser>) => {
      d.on('packet', (packet: Packet) => {
        received.push(packet);
        if (packet.cmd === 'connect' && packet.protocolVersion === 5) {
          decoder = parser({ protocolVersion: 5 });
          wire(decoder);
        }
        if (!socket.destroyed) onPacket(packet, socket);
      });
      d.on('error', () => socket.destroy());
    };
    wire(decoder);
    socket.on('data', (chunk: Buffer) => decoder.parse(chunk));
    onConnection?.(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    service: { endpoint: { host: LOOPBACK, port: address.port }, protocol: 'mqtt', tls: false },
    received,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const CONNACK_OK = generate({ cmd: 'connack', returnCode: 0, sessionPresent: false });

/**
 * Writes `chunk` again and again until the client goes away, yielding between writes: the broker runs
 * in the test's own process, and a tight loop would starve the prober it is meant to flood.
 */
function flood(socket: Socket, chunk: Buffer): void {
  const pump = () => {
    if (socket.destroyed || !socket.writable) return;
    if (socket.write(chunk)) setImmediate(pump);
    else socket.once('drain', pump);
  };
  pump();
}

function assertNeverPublished(broker: FakeBroker): void {
  const commands = new Set(broker.received.map((p) => p.cmd));
  for (const cmd of commands) assert.ok(['connect', 'subscribe', 'disconnect'].includes(cmd), `the probe sent ${cmd}`);
  assert.ok(
    broker.received.every((p) => p.cmd !== 'connect' || p.will === undefined),
    'a CONNECT carried a will',
  );
}

describe('hostile MQTT brokers', () => {
  it('a broker that never answers CONNECT: one incomplete entry, no judgement', async () => {
    const broker = await fakeBroker(() => {});
    const started = Date.now();
    const outcome = await probeMqtt(broker.service, hostileContext());
    await broker.close();
    assert.ok(Date.now() - started < 3000);
    assert.deepEqual(
      outcome.findings.map((f) => [f.check, f.result]),
      [['probe/mqtt/summary', 'info']],
    );
    assert.match(outcome.incomplete[0]?.reason ?? '', /^no CONNACK to a CONNECT without credentials: no CONNACK within 300 ms$/);
  });

  const garbage: [string, Buffer, RegExp][] = [
    ['an HTTP reply', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), /not an MQTT packet: first byte 0x48/],
    ['a CONNACK with invalid flags', Buffer.from([0x20, 0x02, 0x07, 0x00]), /malformed MQTT packet: Invalid connack flags/],
    ['a SUBACK instead of a CONNACK', Buffer.from([0x90, 0x03, 0x00, 0x01, 0x00]), /answered CONNECT with SUBACK, not CONNACK/],
  ];
  for (const [name, reply, reason] of garbage) {
    it(`a service that answers CONNECT with ${name}: a protocol error, reported`, async () => {
      const broker = await fakeBroker(
        () => {},
        (socket) => socket.once('data', () => socket.end(reply)),
      );
      const outcome = await probeMqtt(broker.service, hostileContext());
      await broker.close();
      assert.equal(outcome.incomplete.length, 1);
      assert.match(outcome.incomplete[0]?.reason ?? '', reason);
      assert.ok(!outcome.findings.some((f) => f.result === 'fail'));
    });
  }

  it('a CONNACK that claims a quarter-gigabyte body: refused at the header', async () => {
    const header = Buffer.from([0x20, 0xff, 0xff, 0xff, 0x7f]);
    const broker = await fakeBroker(
      () => {},
      (socket) => socket.once('data', () => flood(socket, Buffer.concat(Array(1024).fill(header)))),
    );
    const observation = await scanMqtt(hostileContext(), broker.service);
    await broker.close();
    assert.match(observation.incomplete[0]?.reason ?? '', /larger than the 4096-byte limit/);
  });

  it('a flood of PUBLISH after an anonymous CONNACK: listening stops at the message cap, and nothing is published', async () => {
    const publish = generate({ cmd: 'publish', topic: 'flood/x', payload: Buffer.from('spam'), qos: 0, dup: false, retain: false });
    const broker = await fakeBroker((packet, socket) => {
      if (packet.cmd === 'connect' && packet.username === undefined) socket.write(CONNACK_OK);
      else if (packet.cmd === 'connect') socket.end(generate({ cmd: 'connack', returnCode: 5, sessionPresent: false }));
      if (packet.cmd === 'subscribe') flood(socket, Buffer.concat(Array.from({ length: 64 }, () => publish)));
    });
    const context = hostileContext();
    const observation = await scanMqtt(context, broker.service);
    await broker.close();
    assert.equal(observation.listen?.messages, 1000);
    assert.match(observation.listen?.stoppedEarly ?? '', /1000 messages \(the message cap\)/);
    assert.deepEqual(
      observation.listen?.topics.map((t) => [t.topic, t.messages]),
      [['flood/x', 1000]],
    );
    assertNeverPublished(broker);
  });

  it('endless CONNACKs after the session opens: the connection byte cap ends it', async () => {
    const broker = await fakeBroker((packet, socket) => {
      if (packet.cmd === 'connect' && packet.username === undefined)
        flood(socket, Buffer.concat(Array.from({ length: 256 }, () => CONNACK_OK)));
      else if (packet.cmd === 'connect') socket.end(generate({ cmd: 'connack', returnCode: 4, sessionPresent: false }));
    });
    const observation = await scanMqtt(hostileContext(), broker.service);
    await broker.close();
    assert.equal(observation.anonymous?.accepted, true);
    assert.match(observation.listen?.stoppedEarly ?? '', /more than 65536 bytes/);
  });

  it('a broker that drops the session after SUBACK: partial results kept', async () => {
    const broker = await fakeBroker((packet, socket) => {
      if (packet.cmd === 'connect')
        socket.write(packet.username === undefined ? CONNACK_OK : generate({ cmd: 'connack', returnCode: 5, sessionPresent: false }));
      if (packet.cmd === 'subscribe') {
        socket.write(generate({ cmd: 'suback', messageId: packet.messageId ?? 1, granted: [0, 128] }));
        socket.end(generate({ cmd: 'publish', topic: 'home/door', payload: Buffer.from('open'), qos: 0, dup: false, retain: true }));
      }
    });
    const outcome = await probeMqtt(broker.service, hostileContext());
    await broker.close();
    const leak = outcome.findings.find((f) => f.check === 'probe/mqtt/topic-leak');
    assert.equal(leak?.result, 'fail');
    assert.match(leak?.message ?? '', /home\/door/);
    const sys = outcome.findings.find((f) => f.check === 'probe/mqtt/sys-disclosure');
    assert.equal(sys?.result, 'pass');
    assert.match(outcome.findings.at(-1)?.message ?? '', /the broker closed the session after 1 messages/);
  });

  it('falls back to MQTT 5 when 3.1.1 is refused as a version', async () => {
    const broker = await fakeBroker((packet, socket) => {
      if (packet.cmd !== 'connect') return;
      if (packet.protocolVersion === 4) socket.end(generate({ cmd: 'connack', returnCode: 1, sessionPresent: false }));
      else
        socket.end(
          generate(
            { cmd: 'connack', reasonCode: 0x87, sessionPresent: false, properties: { reasonString: 'who are you' } },
            { protocolVersion: 5 },
          ),
        );
    });
    const connack = await mqttConnect(hostileContext(), broker.service.endpoint, false);
    await broker.close();
    assert.deepEqual(
      { ...connack },
      {
        protocolVersion: 5,
        returnCode: 0x87,
        accepted: false,
        meaning: 'not authorised',
        sessionPresent: false,
        reasonString: 'who are you',
        fellBackFrom: 4,
      },
    );
  });

  it('logins the broker cannot judge (server unavailable) are errors, not rejections', async () => {
    const broker = await fakeBroker((packet, socket) => {
      if (packet.cmd !== 'connect') return;
      socket.end(generate({ cmd: 'connack', returnCode: packet.username === undefined ? 5 : 3, sessionPresent: false }));
    });
    const context = hostileContext();
    const outcome = await probeMqtt(broker.service, context);
    await broker.close();
    const defaults = outcome.findings.find((f) => f.check === 'probe/default-credentials');
    assert.equal(defaults?.result, 'info');
    assert.match(defaults?.message ?? '', /could not be judged .*server unavailable/);
    const brute = outcome.findings.find((f) => f.check === 'probe/brute-force-protection');
    assert.equal(brute?.result, 'info');
    // Three unjudged answers in a row stop the trial; logins already in flight still finish.
    const tried = context.attempts.filter((a) => a.purpose === 'default-credentials').length;
    assert.ok(tried >= 3 && tried <= 3 + LOGIN_PARALLELISM - 1, `tried ${tried}`);
    assert.ok(context.attempts.every((a) => a.error === 'CONNACK return code 3 (server unavailable)'));
  });
});
