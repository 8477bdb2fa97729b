// CoAP servers that misbehave, scripted here with node:dgram on 127.0.0.1: silent, answering with the wrong
// message id or token, oversized datagrams, garbage, floods, resets, separate responses, and Block2
// transfers that lie or never end. The prober must end every case within its bounds, say what it could
// not examine, ignore what does not match its requests, and never send anything but GETs and pings.
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { ProbeError } from '../../../../src/scan/device/connection.ts';
import {
  COAP_CODE,
  COAP_OPTION,
  COAP_TYPE,
  type CoapMessage,
  encodeBlockOption,
  encodeCoapMessage,
  encodeUint,
  LINK_FORMAT,
  parseBlockOption,
  parseCoapMessage,
} from '../../../../src/scan/device/coap/message.ts';
import { coapProber, probeCoap } from '../../../../src/scan/device/coap/probe-coap.ts';
import { scanCoap } from '../../../../src/scan/device/coap/scan-coap.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import type { IdentifiedService } from '../../../../src/scan/device/service.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { LOOPBACK } from '../../../helpers/daemon.ts';

const READ_TIMEOUT = 300;

function hostileContext(signal?: AbortSignal): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: READ_TIMEOUT, maxBytesPerConnection: 64 * 1024, connectionsPerSecond: 500 },
    login: true,
    credentials: loadDefaultCredentials(),
    ...(signal ? { signal } : {}),
  });
}

interface FakeServer {
  service: IdentifiedService;
  /** Every datagram the prober sent, decoded. */
  received: CoapMessage[];
  close(): Promise<void>;
}

const sockets: Socket[] = [];
after(() => {
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      // closed by its test
    }
  }
});

type Reply = (bytes: Buffer) => void;

async function fakeCoap(onRequest: (m: CoapMessage, reply: Reply, index: number) => void): Promise<FakeServer> {
  const received: CoapMessage[] = [];
  const socket = createSocket('udp4');
  sockets.push(socket);
  let closed = false;
  socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
    const m = parseCoapMessage(datagram);
    received.push(m);
    onRequest(
      m,
      (bytes) => {
        if (!closed) socket.send(bytes, from.port, from.address);
      },
      received.length - 1,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, () => resolve()));
  return {
    service: { endpoint: { host: LOOPBACK, port: socket.address().port }, protocol: 'coap', tls: false, transport: 'udp' },
    received,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        socket.close(() => resolve());
      }),
  };
}

function response(request: CoapMessage, extra: Partial<CoapMessage> = {}): Buffer {
  return encodeCoapMessage({
    type: COAP_TYPE.acknowledgement,
    code: COAP_CODE.content,
    messageId: request.messageId,
    token: request.token,
    options: [{ number: COAP_OPTION.contentFormat, value: encodeUint(LINK_FORMAT) }],
    payload: Buffer.from('</config>;ct=0,</time>'),
    ...extra,
  });
}

function path(m: CoapMessage): string {
  return `/${m.options
    .filter((o) => o.number === COAP_OPTION.uriPath)
    .map((o) => o.value.toString())
    .join('/')}`;
}

/** Only GETs and pings, and empty ACKs of separate responses, ever leave the prober. */
function assertOnlyAsked(server: FakeServer): void {
  for (const m of server.received) {
    const ack = m.type === COAP_TYPE.acknowledgement && m.code === COAP_CODE.empty;
    assert.ok(m.code === COAP_CODE.get || (m.code === COAP_CODE.empty && (m.type === COAP_TYPE.confirmable || ack)), `sent ${m.code}`);
    assert.ok(m.payload.length === 0, 'a request carried a payload');
  }
}

async function timed<T>(work: Promise<T>, bound: number): Promise<T> {
  const started = Date.now();
  const result = await work;
  assert.ok(Date.now() - started < bound, `took ${Date.now() - started} ms`);
  return result;
}

describe('hostile CoAP servers', () => {
  it('a server that never answers: retransmits within the deadline, then one summary and an incomplete entry', async () => {
    const server = await fakeCoap(() => {});
    const outcome = await timed(probeCoap(server.service, hostileContext()), 2000);
    await server.close();
    assert.deepEqual(
      outcome.findings.map((f) => [f.check, f.result]),
      [['probe/coap/summary', 'info']],
    );
    assert.match(
      outcome.findings[0]?.message ?? '',
      /no answer to GET \/\.well-known\/core within 300 ms \(\d transmissions\); a CoAP ping went unanswered too/,
    );
    assert.match(outcome.incomplete[0]?.reason ?? '', /no answer/);
    const gets = server.received.filter((m) => m.code === COAP_CODE.get);
    assert.ok(gets.length >= 2 && gets.length <= 5, `${gets.length} transmissions`);
    assert.equal(new Set(gets.map((m) => m.messageId)).size, 1, 'a retransmission keeps its message id');
    assertOnlyAsked(server);
  });

  it('answers with the wrong message id or token are ignored', async () => {
    const server = await fakeCoap((m, reply) => {
      reply(response(m, { messageId: (m.messageId + 1) & 0xffff }));
      reply(response(m, { token: Buffer.from('wrongtok') }));
      reply(response(m, { type: COAP_TYPE.nonConfirmable, messageId: 1, token: Buffer.from('other') }));
    });
    const observation = await timed(scanCoap(hostileContext(), server.service), 2000);
    await server.close();
    assert.equal(observation.discovery, undefined);
    assert.ok(observation.ignored >= 3, String(observation.ignored));
    assertOnlyAsked(server);
  });

  it('a matching answer after mismatched ones is taken', async () => {
    const server = await fakeCoap((m, reply) => {
      reply(response(m, { messageId: (m.messageId + 7) & 0xffff }));
      reply(Buffer.from('not coap at all'));
      reply(response(m));
    });
    const observation = await scanCoap(hostileContext(), server.service);
    await server.close();
    assert.deepEqual(
      observation.discovery?.links.map((l) => l.target),
      ['/config', '/time'],
    );
    assert.ok(observation.ignored >= 2);
  });

  it('a datagram far larger than any CoAP message is dropped unread', async () => {
    const server = await fakeCoap((m, reply) => reply(response(m, { payload: Buffer.alloc(60_000, 0x41) })));
    const outcome = await timed(probeCoap(server.service, hostileContext()), 2000);
    await server.close();
    assert.match(outcome.findings.find((f) => f.check === 'probe/coap/summary')?.message ?? '', /oversized datagrams? dropped/);
    assert.ok(outcome.incomplete.length > 0);
  });

  it('garbage is ignored and ends in a timeout', async () => {
    const server = await fakeCoap((_m, reply) => {
      reply(Buffer.from([0x16, 0xfe, 0xfd, 0, 0]));
      reply(Buffer.from([0x40]));
      reply(Buffer.from([0x6f, 0x45, 0, 0, 1, 2, 3]));
    });
    const observation = await timed(scanCoap(hostileContext(), server.service), 2000);
    await server.close();
    assert.equal(observation.discovery, undefined);
    assert.ok(observation.ignored >= 3);
  });

  it('a flood ends the channel at its byte budget, not in a hang', async () => {
    const server = await fakeCoap((m, reply) => {
      if (m.code !== COAP_CODE.get) return;
      let sent = 0;
      const pump = () => {
        for (let i = 0; i < 20 && sent < 400; i++, sent++) reply(Buffer.alloc(1000, 0x55));
        if (sent < 400) setImmediate(pump);
      };
      pump();
    });
    const outcome = await timed(probeCoap(server.service, hostileContext()), 3000);
    await server.close();
    assert.ok(
      outcome.incomplete.some((i) => /more than 65536 bytes/.test(i.reason)),
      JSON.stringify(outcome.incomplete),
    );
  });

  it('a reset is an answer: the server speaks CoAP and rejects the request', async () => {
    const server = await fakeCoap((m, reply) =>
      reply(
        encodeCoapMessage({
          type: COAP_TYPE.reset,
          code: 0,
          messageId: m.messageId,
          token: Buffer.alloc(0),
          options: [],
          payload: Buffer.alloc(0),
        }),
      ),
    );
    const outcome = await probeCoap(server.service, hostileContext());
    await server.close();
    const by = (check: string) => outcome.findings.find((f) => f.check === check);
    assert.equal(by('probe/coap/plaintext')?.result, 'fail');
    assert.match(by('probe/coap/resource-discovery')?.message ?? '', /RST/);
  });

  it('a separate response after an empty ACK is taken, and acknowledged', async () => {
    const server = await fakeCoap((m, reply) => {
      if (m.code !== COAP_CODE.get) return;
      reply(
        encodeCoapMessage({
          type: COAP_TYPE.acknowledgement,
          code: 0,
          messageId: m.messageId,
          token: Buffer.alloc(0),
          options: [],
          payload: Buffer.alloc(0),
        }),
      );
      setTimeout(() => reply(response(m, { type: COAP_TYPE.confirmable, messageId: 0x4242 })), 100);
    });
    const observation = await scanCoap(hostileContext(), server.service);
    await new Promise((r) => setTimeout(r, 50));
    await server.close();
    assert.equal(observation.discovery?.separate, true);
    assert.equal(observation.discovery?.links.length, 2);
    assert.ok(server.received.some((m) => m.type === COAP_TYPE.acknowledgement && m.messageId === 0x4242));
    assertOnlyAsked(server);
  });

  it('an ACK without a response ends in a timeout that says it was acknowledged', async () => {
    const server = await fakeCoap((m, reply) =>
      reply(
        encodeCoapMessage({
          type: COAP_TYPE.acknowledgement,
          code: 0,
          messageId: m.messageId,
          token: Buffer.alloc(0),
          options: [],
          payload: Buffer.alloc(0),
        }),
      ),
    );
    const observation = await timed(scanCoap(hostileContext(), server.service), 2000);
    await server.close();
    assert.match(observation.incomplete[0]?.reason ?? '', /acknowledged but no response came/);
    assert.equal(server.received.filter((m) => m.code === COAP_CODE.get).length, 1, 'an acknowledged request is not sent again');
  });

  it('a Block2 transfer that lies about its block number stops with what came', async () => {
    const server = await fakeCoap((m, reply) =>
      reply(
        response(m, {
          options: [{ number: COAP_OPTION.block2, value: encodeBlockOption({ num: 0, more: true, szx: 0 }) }],
          payload: Buffer.from('</config>;ct=0,<'),
        }),
      ),
    );
    const observation = await scanCoap(hostileContext(), server.service);
    await server.close();
    assert.match(observation.discovery?.truncated ?? '', /sent block 0 of 16 bytes when 16 bytes had arrived/);
    assert.equal(observation.discovery?.links[0]?.target, '/config');
  });

  it('a Block2 transfer that never ends stops at the block bound', async () => {
    const server = await fakeCoap((m, reply) => {
      const asked = m.options.find((o) => o.number === COAP_OPTION.block2);
      const num = asked ? parseBlockOption(asked.value).num : 0;
      reply(
        response(m, {
          options: [{ number: COAP_OPTION.block2, value: encodeBlockOption({ num, more: true, szx: 0 }) }],
          payload: Buffer.from('</aaaaaaaaaaaa>,'),
        }),
      );
    });
    const observation = await timed(scanCoap(hostileContext(), server.service), 5000);
    await server.close();
    assert.equal(observation.discovery?.blocks, 64);
    assert.match(observation.discovery?.truncated ?? '', /stopped after 64 blocks/);
  });

  it('a device that answers every path alike is not taken for one serving its configuration', async () => {
    const server = await fakeCoap((m, reply) => {
      if (path(m) === '/.well-known/core') reply(response(m));
      else reply(response(m, { options: [], payload: Buffer.from('hello') }));
    });
    const outcome = await coapProber()(server.service, hostileContext());
    await server.close();
    const served = outcome.findings.find((f) => f.check === 'probe/coap/unauthenticated-resource');
    assert.equal(served?.result, 'pass');
    assert.match(served?.message ?? '', /random path too/);
    assert.ok(server.received.some((m) => /^\/baseline-[0-9a-f]{12}$/.test(path(m))));
    assertOnlyAsked(server);
  });

  it('fetches only a few of many sensitive-looking resources', async () => {
    const list = Array.from({ length: 10 }, (_, i) => `</config${i}/settings>`).join(',');
    const server = await fakeCoap((m, reply) => {
      if (path(m) === '/.well-known/core') reply(response(m, { payload: Buffer.from(list) }));
      else reply(response(m, { code: COAP_CODE.unauthorized, options: [], payload: Buffer.alloc(0) }));
    });
    const observation = await scanCoap(hostileContext(), server.service);
    await server.close();
    assert.equal(observation.resources.length, 4);
    assert.equal(observation.notFetched.length, 6);
    // The list, a random path and four resources.
    assert.equal(new Set(server.received.filter((m) => m.code === COAP_CODE.get).map(path)).size, 6);
  });

  it('stops at once when the probe is aborted', async () => {
    const server = await fakeCoap(() => {});
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const context = createProbeContext({
      limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 10_000 },
      login: false,
      credentials: loadDefaultCredentials(),
      signal: abort.signal,
    });
    await timed(
      assert.rejects(probeCoap(server.service, context), (error) => error instanceof ProbeError && error.kind === 'aborted'),
      1000,
    );
    await server.close();
  });
});
