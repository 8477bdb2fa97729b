// Peers that are not well-behaved TLS servers: each must end in a clean ProbeError from scanTls, an
// incomplete entry from the prober and false from speaksTls, within the timeouts, never a hang or a crash.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { ProbeError } from '../../../../src/scan/device/connection.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { encodeHandshake, encodeRecord } from '../../../../src/scan/device/tls/records.ts';
import { probeTls, scanTls, speaksTls } from '../../../../src/scan/device/tls/probe-tls.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';

const READ_TIMEOUT_MS = 300;
/** Two failed handshakes end a scan: allow both timeouts and some slack. */
const DEADLINE_MS = 4 * READ_TIMEOUT_MS + 1500;

function context() {
  return createProbeContext({
    limits: {
      ...DEFAULT_PROBE_LIMITS,
      readTimeoutMs: READ_TIMEOUT_MS,
      connectTimeoutMs: 1000,
      maxBytesPerConnection: 64 * 1024,
      connectionsPerSecond: 1000,
    },
    login: false,
    credentials: loadDefaultCredentials(),
  });
}

const servers: Server[] = [];
const sockets = new Set<Socket>();
after(() => {
  for (const socket of sockets) socket.destroy();
  for (const server of servers) server.close();
});

/** A loopback server that does `behave` with each connection once the ClientHello's first bytes arrive (or at once). */
async function hostile(behave: (socket: Socket) => void, waitForHello = true): Promise<{ host: string; port: number }> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (waitForHello) socket.once('data', () => behave(socket));
    else behave(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as { port: number }).port };
}

function endless(socket: Socket, chunk: () => Buffer): void {
  const pump = () => {
    while (!socket.destroyed && socket.write(chunk()));
    if (!socket.destroyed) socket.once('drain', pump);
  };
  pump();
}

const partialHello = encodeRecord(22, 0x0303, encodeHandshake(2, Buffer.alloc(70, 3))).subarray(0, 30);

const cases: { name: string; behave: (socket: Socket) => void; waitForHello?: boolean; speaks: boolean; reason: RegExp }[] = [
  {
    name: 'answers with HTTP',
    behave: (s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'),
    speaks: false,
    reason: /not a TLS reply/,
  },
  {
    name: 'sends random garbage',
    behave: (s) => s.end(Buffer.concat([Buffer.from([0x99]), randomBytes(2000)])),
    speaks: false,
    reason: /not a TLS reply/,
  },
  {
    name: 'streams garbage without end',
    behave: (s) => endless(s, () => randomBytes(16384)),
    waitForHello: false,
    speaks: false,
    reason: /not a TLS reply|more than 65536 bytes/,
  },
  {
    name: 'claims a record longer than TLS allows',
    behave: (s) => s.write(Buffer.concat([Buffer.from([22, 3, 3, 0xff, 0xff]), Buffer.alloc(1000)])),
    speaks: false,
    reason: /beyond the TLS maximum/,
  },
  { name: 'stays silent', behave: () => {}, speaks: false, reason: /no TLS data within 300 ms/ },
  {
    name: 'closes mid-handshake',
    behave: (s) => s.end(partialHello),
    speaks: true,
    reason: /closed the connection before sending TLS data/,
  },
  { name: 'stops mid-handshake and goes quiet', behave: (s) => s.write(partialHello), speaks: true, reason: /no TLS data within 300 ms/ },
  {
    name: 'trickles handshake records that never form a ServerHello',
    behave: (s) => {
      const timer = setInterval(
        () => (s.destroyed ? clearInterval(timer) : s.write(encodeRecord(22, 0x0303, Buffer.from([0, 0, 0, 0])))),
        5,
      );
    },
    speaks: true,
    reason: /handshake message 0 before ServerHello/,
  },
];

describe('hostile TLS peers', () => {
  for (const c of cases) {
    it(`a peer that ${c.name}: speaksTls ${c.speaks}, a ProbeError, an incomplete entry, in time`, async () => {
      const endpoint = await hostile(c.behave, c.waitForHello ?? true);
      const started = Date.now();
      assert.equal(await speaksTls(context(), endpoint), c.speaks);
      await assert.rejects(scanTls(context(), endpoint), (error) => error instanceof ProbeError && c.reason.test(error.message));
      const outcome = await probeTls({ endpoint, protocol: 'unknown', tls: true }, context());
      assert.deepEqual(outcome.findings, []);
      assert.equal(outcome.incomplete.length, 1);
      assert.match(outcome.incomplete[0]!.part, new RegExp(`127\\.0\\.0\\.1:${endpoint.port} TLS`));
      assert.match(outcome.incomplete[0]!.reason, c.reason);
      assert.ok(Date.now() - started < 3 * DEADLINE_MS, `took ${Date.now() - started} ms`);
    });
  }

  it('a ServerHello followed by an endless certificate: versions kept, the certificate said to be unreadable', async () => {
    const hello = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 1), Buffer.from([0, 0xc0, 0x2f, 0])]);
    const endpoint = await hostile((s) => {
      // A Certificate message announced at 200 kB, then endless fragments of it.
      s.write(encodeRecord(22, 0x0303, Buffer.concat([encodeHandshake(2, hello), Buffer.from([11, 0x03, 0x0d, 0x40])])));
      endless(s, () => encodeRecord(22, 0x0303, Buffer.alloc(16000, 0x30)));
    });
    const started = Date.now();
    const outcome = await probeTls({ endpoint, protocol: 'unknown', tls: true }, context());
    assert.ok(Date.now() - started < DEADLINE_MS * 3, `took ${Date.now() - started} ms`);
    const summary = outcome.findings.find((f) => f.check === 'probe/tls/summary');
    assert.match(summary?.message ?? '', /TLS 1\.2: 1\+? suite/);
    const certificate = outcome.incomplete.find((i) => /TLS certificate/.test(i.part));
    assert.match(certificate?.reason ?? '', /could not be read: the peer sent more than 65536 bytes/);
  });

  it('a peer that refuses every hello is reported as such, not as a TLS server with nothing to fix', async () => {
    const endpoint = await hostile((s) => s.end(encodeRecord(21, 0x0303, Buffer.from([2, 40]))));
    assert.equal(await speaksTls(context(), endpoint), true);
    const outcome = await probeTls({ endpoint, protocol: 'unknown', tls: true }, context());
    assert.ok(!outcome.findings.some((f) => f.result === 'pass'));
    assert.match(outcome.incomplete.map((i) => i.reason).join('\n'), /refused every ClientHello \(handshake_failure alert\)/);
  });

  it('an aborted probe stops the scan instead of reporting it incomplete', async () => {
    const endpoint = await hostile(() => {});
    const controller = new AbortController();
    controller.abort();
    const aborted = createProbeContext({
      limits: DEFAULT_PROBE_LIMITS,
      login: false,
      credentials: loadDefaultCredentials(),
      signal: controller.signal,
    });
    const isAbort = (error: unknown) => error instanceof ProbeError && error.kind === 'aborted';
    await assert.rejects(speaksTls(aborted, endpoint), isAbort);
    await assert.rejects(scanTls(aborted, endpoint), isAbort);
    await assert.rejects(probeTls({ endpoint, protocol: 'unknown', tls: true }, aborted), isAbort);
  });
});
