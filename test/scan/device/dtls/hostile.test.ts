// DTLS peers scripted here with node:dgram on 127.0.0.1: silent, garbage, alerts, a cookie exchange that
// never ends, a flood, and a small server without cookies that takes 3DES (which no Debian DTLS server
// offers), so that weak suites are seen to be reported as the TLS checks report them.
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { attemptDtlsHandshake } from '../../../../src/scan/device/dtls/handshake.ts';
import { probeDtls } from '../../../../src/scan/device/dtls/probe-dtls.ts';
import { encodeDtlsHandshake, encodeDtlsRecord, HELLO_VERIFY_REQUEST } from '../../../../src/scan/device/dtls/records.ts';
import { dtlsSuites } from '../../../../src/scan/device/dtls/scan-dtls.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import type { IdentifiedService } from '../../../../src/scan/device/service.ts';
import { loadCipherSuites } from '../../../../src/scan/device/tls/cipher-suites.ts';
import { CONTENT_TYPE, HANDSHAKE_TYPE, Reader } from '../../../../src/scan/device/tls/records.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { LOOPBACK } from '../../../helpers/daemon.ts';

function hostileContext(): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 300, maxBytesPerConnection: 64 * 1024, connectionsPerSecond: 500 },
    login: false,
    credentials: loadDefaultCredentials(),
  });
}

interface Hello {
  version: number;
  cookie: Buffer;
  suites: number[];
  messageSeq: number;
}

/** The ClientHello in a datagram the prober sent (one record, one unfragmented message). */
function readHello(datagram: Buffer): Hello {
  const record = new Reader(datagram, 'record');
  record.bytesOf(11);
  const handshake = new Reader(record.vector(2), 'handshake');
  handshake.bytesOf(4);
  const messageSeq = handshake.uint16();
  handshake.bytesOf(3);
  const body = new Reader(handshake.vector(3), 'hello');
  const version = body.uint16();
  body.bytesOf(32);
  body.vector(1);
  const cookie = body.vector(1);
  const list = body.vector(2);
  const suites: number[] = [];
  for (let i = 0; i < list.length; i += 2) suites.push(list.readUInt16BE(i));
  return { version, cookie, suites, messageSeq };
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

async function fakeDtls(
  onHello: (datagram: Buffer, reply: (bytes: Buffer) => void) => void,
): Promise<{ service: IdentifiedService; hellos: () => number; close: () => void }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  let closed = false;
  let count = 0;
  socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
    count++;
    onHello(datagram, (bytes) => {
      if (!closed) socket.send(bytes, from.port, from.address);
    });
  });
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, () => resolve()));
  return {
    service: { endpoint: { host: LOOPBACK, port: socket.address().port }, protocol: 'unknown', tls: true, transport: 'udp' },
    hellos: () => count,
    close: () => {
      closed = true;
      socket.close();
    },
  };
}

const record = (type: number, fragment: Buffer, sequence = 0) => encodeDtlsRecord(type, 0xfefd, sequence, fragment);
const alert = (description: number) => record(CONTENT_TYPE.alert, Buffer.from([2, description]));

function serverHello(suite: number, seq: number): Buffer {
  const body = Buffer.concat([
    Buffer.from([0xfe, 0xfd]),
    Buffer.alloc(32, 9),
    Buffer.from([0]),
    Buffer.from([suite >> 8, suite & 0xff, 0]),
  ]);
  return Buffer.concat([
    record(CONTENT_TYPE.handshake, encodeDtlsHandshake(HANDSHAKE_TYPE.serverHello, seq, body), 1),
    record(CONTENT_TYPE.handshake, encodeDtlsHandshake(HANDSHAKE_TYPE.serverHelloDone, seq + 1, Buffer.alloc(0)), 2),
  ]);
}

async function timed<T>(work: Promise<T>, bound: number): Promise<T> {
  const started = Date.now();
  const result = await work;
  assert.ok(Date.now() - started < bound, `took ${Date.now() - started} ms`);
  return result;
}

describe('hostile DTLS peers', () => {
  it('a silent port: the hello is retransmitted within the deadline, then a summary and an incomplete entry', async () => {
    const peer = await fakeDtls(() => {});
    const outcome = await timed(probeDtls(peer.service, hostileContext()), 3000);
    peer.close();
    assert.deepEqual(
      outcome.findings.map((f) => [f.check, f.result]),
      [['probe/dtls/summary', 'info']],
    );
    assert.match(outcome.incomplete[0]?.reason ?? '', /no DTLS answer within 300 ms to \d ClientHellos/);
    assert.ok(peer.hellos() >= 2);
  });

  it('garbage is not DTLS: ignored, then a timeout that says so', async () => {
    const peer = await fakeDtls((_d, reply) => reply(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const attempt = await timed(
      attemptDtlsHandshake(hostileContext(), peer.service.endpoint, { versions: ['TLSv1.2'], suites: [0xc0a8] }),
      2000,
    );
    peer.close();
    assert.equal(attempt.outcome.kind, 'failed');
    assert.match(attempt.outcome.kind === 'failed' ? attempt.outcome.error.message : '', /datagrams? that were not DTLS/);
  });

  it('an alert to every hello is a refusal of every version', async () => {
    const peer = await fakeDtls((_d, reply) => reply(alert(40)));
    const outcome = await probeDtls(peer.service, hostileContext());
    peer.close();
    assert.match(outcome.incomplete.map((i) => i.reason).join('\n'), /refused every ClientHello \(handshake_failure alert\)/);
    assert.equal(
      outcome.findings.find((f) => f.check === 'probe/tls/legacy-version'),
      undefined,
    );
  });

  it('a cookie exchange that never ends stops within its bounds', async () => {
    const peer = await fakeDtls((_d, reply) =>
      reply(record(CONTENT_TYPE.handshake, encodeDtlsHandshake(HELLO_VERIFY_REQUEST, 0, Buffer.from([0xfe, 0xff, 4, 1, 2, 3, 4])))),
    );
    const outcome = await timed(probeDtls(peer.service, hostileContext()), 3000);
    peer.close();
    assert.ok(outcome.incomplete.length > 0);
    assert.ok(peer.hellos() < 20, `${peer.hellos()} hellos`);
  });

  it('a flood ends the channel at its byte budget', async () => {
    const peer = await fakeDtls((_d, reply) => {
      for (let i = 0; i < 100; i++) reply(Buffer.alloc(1200, 0x16));
    });
    const attempt = await timed(
      attemptDtlsHandshake(hostileContext(), peer.service.endpoint, { versions: ['TLSv1.2'], suites: [0xc0a8] }),
      2000,
    );
    peer.close();
    assert.equal(attempt.outcome.kind, 'failed');
    assert.match(attempt.outcome.kind === 'failed' ? attempt.outcome.error.message : '', /more than 65536 bytes/);
  });

  it('a ServerHello with a suite the hello did not offer answers another hello: tried again from a new port', async () => {
    let first = true;
    const sources = new Set<number>();
    const socket = createSocket('udp4');
    sockets.push(socket);
    socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
      sources.add(from.port);
      const hello = readHello(datagram);
      const reply = (bytes: Buffer) => socket.send(bytes, from.port, from.address);
      if (first) {
        first = false;
        return reply(serverHello(0xfafa, 1)); // a stale session's flight, as after a cookie exchange
      }
      if (hello.version !== 0xfefd) return reply(alert(70));
      reply(hello.suites.includes(0xc0a8) ? serverHello(0xc0a8, 0) : alert(40));
    });
    await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, () => resolve()));
    const endpoint = { host: LOOPBACK, port: socket.address().port };
    const stale = await attemptDtlsHandshake(hostileContext(), endpoint, { versions: ['TLSv1.2'], suites: [0xc0a8] });
    assert.equal(stale.outcome.kind, 'failed');
    assert.match(stale.outcome.kind === 'failed' ? stale.outcome.error.message : '', /chose suite 0xfafa, which this hello did not offer/);
    first = true;
    const outcome = await probeDtls({ endpoint, protocol: 'unknown', tls: true, transport: 'udp' }, hostileContext());
    socket.close();
    assert.match(outcome.findings.find((f) => f.check === 'probe/dtls/summary')?.message ?? '', /DTLS 1\.2: 1 suite, DTLS 1\.0: refused/);
    assert.deepEqual(outcome.incomplete, []);
    assert.ok(sources.size >= 3, 'each attempt comes from its own port');
  });

  it('a server without cookies that takes 3DES: reported as the TLS weak-cipher check reports it', async () => {
    const registry = loadCipherSuites();
    const weak = (code: number) => registry.byCode.get(code)?.legacy.includes('3des') ?? false;
    const hellos: Hello[] = [];
    const peer = await fakeDtls((datagram, reply) => {
      const hello = readHello(datagram);
      hellos.push(hello);
      if (hello.version !== 0xfefd) return reply(alert(70));
      const choice = hello.suites.find(weak) ?? hello.suites.find((s) => s === 0xc0a8);
      reply(choice === undefined ? alert(40) : serverHello(choice, 0));
    });
    const outcome = await probeDtls(peer.service, hostileContext());
    peer.close();
    const by = (check: string) => outcome.findings.find((f) => f.check === check);
    const weakCipher = outcome.findings.find((f) => f.check === 'probe/tls/weak-cipher' && /3DES cipher suites/.test(f.message));
    assert.equal(weakCipher?.result, 'fail');
    assert.equal(weakCipher?.severity, registry.weaknesses.get('3des')?.severity);
    const offered3des = dtlsSuites('TLSv1.2').filter((suite) => weak(suite.value)).length;
    assert.match(weakCipher?.message ?? '', new RegExp(`^Accepts ${offered3des} 3DES cipher suites: .*with DTLS 1\\.2`));
    // The anonymous 3DES suites are also reported as anonymous, at that weakness's severity.
    assert.equal(
      outcome.findings.find((f) => f.check === 'probe/tls/weak-cipher' && /anonymous/.test(f.message))?.severity,
      registry.weaknesses.get('anon')?.severity,
    );
    assert.match(by('probe/dtls/summary')?.message ?? '', /no cookie exchange/);
    assert.ok(hellos.every((h) => h.cookie.length === 0 && h.messageSeq === 0));
    assert.ok(
      hellos.every((h) => h.suites.every((s) => !registry.byCode.get(s)?.legacy.includes('rc4'))),
      'RC4 offered over DTLS',
    );
  });
});
