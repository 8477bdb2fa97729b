// The bounded UDP channel every UDP prober uses: it passes the probe's gate (a slot while open, the per-host
// rate for every datagram), tells a closed port by ICMP, drops oversized datagrams, ends a flood at its
// budgets, and retransmits with back-off inside the reply deadline.
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { ProbeError } from '../../../src/scan/device/connection.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../src/scan/device/probe-context.ts';
import { exchange, firstRetransmitMs, MAX_RETRANSMIT } from '../../../src/scan/device/udp.ts';
import { loadDefaultCredentials } from '../../../src/scan/firmware/accounts/default-credentials.ts';
import { LOOPBACK } from '../../helpers/daemon.ts';
import { freeUdpPorts } from '../../helpers/servers/coap-server.ts';

function context(limits: Partial<ProbeLimits> = {}): ProbeContext {
  return createProbeContext({ limits: { ...DEFAULT_PROBE_LIMITS, ...limits }, login: false, credentials: loadDefaultCredentials() });
}

const sockets: Socket[] = [];
after(() => {
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      // closed already
    }
  }
});

/** A UDP peer that records what arrives and answers as told. */
async function peer(
  onDatagram: (d: Buffer, reply: (b: Buffer) => void) => void = () => {},
): Promise<{ port: number; received: { at: number; data: Buffer }[] }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  const received: { at: number; data: Buffer }[] = [];
  socket.on('message', (data: Buffer, from: RemoteInfo) => {
    received.push({ at: Date.now(), data });
    onDatagram(data, (b) => socket.send(b, from.port, from.address));
  });
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, () => resolve()));
  return { port: socket.address().port, received };
}

describe('the UDP channel', () => {
  it('spaces datagrams out at the per-host rate, the first one with the slot', async () => {
    const p = await peer();
    const channel = await context({ connectionsPerSecond: 10 }).openUdp({ host: LOOPBACK, port: p.port });
    const started = Date.now();
    for (let i = 0; i < 4; i++) await channel.send(Buffer.from([i]));
    channel.close();
    assert.ok(Date.now() - started >= 280, `${Date.now() - started} ms for 4 datagrams at 10/s`);
  });

  it('holds a concurrency slot while open', async () => {
    const p = await peer();
    const ctx = context({ concurrency: 1 });
    const first = await ctx.openUdp({ host: LOOPBACK, port: p.port });
    let second = false;
    const waiting = ctx.openUdp({ host: LOOPBACK, port: p.port }).then((c) => {
      second = true;
      return c;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(second, false);
    first.close();
    (await waiting).close();
    assert.equal(second, true);
  });

  it('says a port is closed when ICMP port unreachable comes back', async () => {
    const port = await freeUdpPorts(1);
    const channel = await context().openUdp({ host: LOOPBACK, port });
    await channel.send(Buffer.from('hello'));
    await assert.rejects(
      channel.receive(() => true, 1000),
      (error) => error instanceof ProbeError && error.kind === 'refused',
    );
    channel.close();
  });

  it('drops oversized datagrams, counts ignored ones, and returns undefined on silence', async () => {
    const p = await peer((_d, reply) => {
      reply(Buffer.alloc(30_000));
      reply(Buffer.from('no'));
      reply(Buffer.from('yes'));
    });
    const channel = await context().openUdp({ host: LOOPBACK, port: p.port });
    await channel.send(Buffer.from('?'));
    const got = await channel.receive((d) => (d.toString() === 'yes' ? 'found' : undefined), 1000);
    assert.equal(got, 'found');
    assert.equal(channel.oversized, 1);
    assert.equal(channel.ignored, 1);
    assert.equal(await channel.receive(() => true, 50), undefined);
    channel.close();
  });

  it('ends a flood at its datagram budget', async () => {
    const p = await peer((_d, reply) => {
      let sent = 0;
      const pump = () => {
        for (let i = 0; i < 50 && sent < 300; i++, sent++) reply(Buffer.from([1]));
        if (sent < 300) setImmediate(pump);
      };
      pump();
    });
    const channel = await context().openUdp({ host: LOOPBACK, port: p.port }, { maxDatagrams: 100 });
    await channel.send(Buffer.from('?'));
    await assert.rejects(
      channel.receive(() => undefined, 3000),
      (error) => error instanceof ProbeError && error.kind === 'too-large' && /more than 100 datagrams/.test(error.message),
    );
    channel.close();
  });
});

describe('retransmission', () => {
  it('starts at an eighth of the deadline, between 100 ms and 2 s', () => {
    assert.equal(firstRetransmitMs(5000), 625);
    assert.equal(firstRetransmitMs(300), 100);
    assert.equal(firstRetransmitMs(60_000), 2000);
  });

  it('doubles the wait each time and never sends past the deadline', async () => {
    const p = await peer();
    const channel = await context({ connectionsPerSecond: 1000 }).openUdp({ host: LOOPBACK, port: p.port });
    const started = Date.now();
    const result = await exchange(
      channel,
      () => Buffer.from('ping'),
      () => undefined,
      1000,
    );
    channel.close();
    assert.equal(result.answer, undefined);
    // 125 ms, then 250 and 500: sends at about 0, 125, 375 and 875 ms; the next (1875) is past the deadline.
    assert.equal(result.transmissions, 4);
    assert.ok(result.transmissions <= MAX_RETRANSMIT + 1);
    const gaps = p.received.slice(1).map((r, i) => r.at - p.received[i]!.at);
    assert.ok(gaps[1]! > gaps[0]! && gaps[2]! > gaps[1]!, `gaps ${gaps.join(', ')}`);
    assert.ok(Date.now() - started < 1300);
  });

  it('stops resending once the peer acknowledges, and waits for the answer', async () => {
    const p = await peer((d, reply) => {
      reply(Buffer.from('ack'));
      if (d.toString() === 'q') setTimeout(() => reply(Buffer.from('answer')), 400);
    });
    const channel = await context().openUdp({ host: LOOPBACK, port: p.port });
    const result = await exchange(
      channel,
      () => Buffer.from('q'),
      (d) => (d.toString() === 'ack' ? { acknowledged: true } : d.toString() === 'answer' ? { answer: 'done' } : undefined),
      1000,
    );
    channel.close();
    assert.deepEqual(result, { answer: 'done', transmissions: 1, acknowledged: true });
  });
});
