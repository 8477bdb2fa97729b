// probeRtsp against GStreamer's RTSP server on 127.0.0.1 (open, Basic and Digest with admin/admin), and
// against small node servers playing awkward or hostile cameras: huge headers, an endless body, garbage,
// silence, one that describes a stream for any path, one that answers 200 without a description.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { probeRtsp } from '../../../../src/scan/device/rtsp/index.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { type Daemon, LOOPBACK } from '../../../helpers/daemon.ts';
import { startGstRtsp } from '../../../helpers/servers/rtsp.ts';

const fullList = loadDefaultCredentials();
/** Three pairs of the real list, in its order: two the server rejects, then admin/admin. */
const credentials = {
  ...fullList,
  credentials: fullList.credentials.filter((c) => ['root/xc3511', 'root/admin', 'admin/admin'].includes(`${c.username}/${c.password}`)),
};

function context(limits: Partial<ProbeLimits> = {}, login = true): ProbeContext {
  return createProbeContext({ limits: { ...DEFAULT_PROBE_LIMITS, bruteForceAttempts: 0, ...limits }, login, credentials });
}

const probe = (port: number, ctx: ProbeContext) => probeRtsp({ endpoint: { host: LOOPBACK, port }, protocol: 'rtsp', tls: false }, ctx);

function only(findings: Finding[], check: string): Finding {
  const matching = findings.filter((f) => f.check === check);
  assert.equal(matching.length, 1, `${check}: ${JSON.stringify(findings.map((f) => [f.check, f.result, f.message]))}`);
  return matching[0] as Finding;
}

describe('probeRtsp against GStreamer RTSP server', () => {
  const daemons: Daemon[] = [];
  let open: Daemon;
  let basic: Daemon;
  let digest: Daemon;
  before(async () => {
    [open, basic, digest] = await Promise.all([
      startGstRtsp({ mount: '/stream1' }),
      startGstRtsp({ mount: '/Streaming/Channels/101', auth: 'basic' }),
      startGstRtsp({ mount: '/cam/realmonitor', auth: 'digest' }),
    ]);
    daemons.push(open, basic, digest);
  });
  after(() => Promise.all(daemons.map((d) => d.stop())));

  it('finds the stream described without credentials, in plain RTSP, and the Server header', async () => {
    const ctx = context();
    const { findings, incomplete } = await probe(open.port, ctx);
    assert.deepEqual(incomplete, []);
    const stream = only(findings, 'probe/rtsp/unauthenticated-stream');
    assert.equal(stream.result, 'fail');
    assert.deepEqual(stream.provisions, ['5.5-4', '5.6-2']);
    assert.match(stream.message, /DESCRIBE \/stream1 without credentials returned a session description with video$/);
    assert.match(stream.evidence ?? '', /^m=video 0 RTP\/AVP 26\na=rtpmap:26 JPEG\/90000$/);
    const plain = only(findings, 'probe/rtsp/plaintext-stream');
    assert.equal(plain.result, 'fail');
    assert.deepEqual(plain.provisions, ['5.8-1']);
    const software = only(findings, 'probe/rtsp/software-disclosure');
    assert.equal(software.result, 'info');
    assert.match(software.message, /GStreamer RTSP server \(Server header\)/);
    assert.match(only(findings, 'probe/rtsp/summary').message, /random path 404; described \/ 404, .*\/stream1 200/);
    // No login is tried on an open stream.
    assert.deepEqual(ctx.attempts, []);
    assert.equal(findings.filter((f) => f.check === 'probe/default-credentials').length, 0);
  });

  for (const scheme of ['basic', 'digest'] as const) {
    it(`finds admin/admin over RTSP ${scheme === 'basic' ? 'Basic' : 'Digest'} and measures brute-force protection`, async () => {
      const ctx = context({ bruteForceAttempts: 3 });
      const daemon = scheme === 'basic' ? basic : digest;
      const { findings, incomplete } = await probe(daemon.port, ctx);
      assert.deepEqual(incomplete, []);
      const method = scheme === 'basic' ? 'RTSP Basic' : 'RTSP Digest';
      assert.equal(only(findings, 'probe/rtsp/unauthenticated-stream').result, 'pass');
      assert.match(only(findings, 'probe/rtsp/plaintext-stream').message, /\(behind a login\) is served over plain RTSP/);
      const accepted = only(findings, 'probe/default-credentials');
      assert.equal(accepted.result, 'fail');
      assert.equal(accepted.message, `${method} login accepted admin / a**** from the default credential list`);
      assert.doesNotMatch(JSON.stringify(findings), /admin \/ admin|password=admin/);
      const brute = only(findings, 'probe/brute-force-protection');
      assert.equal(brute.result, 'fail');
      const defaults = ctx.attempts.filter((a) => a.purpose === 'default-credentials');
      assert.deepEqual(defaults.map((a) => [a.username, a.accepted, a.error]).sort(), [
        ['admin', true, undefined],
        ['root', false, undefined],
        ['root', false, undefined],
      ]);
      assert.equal(ctx.attempts.filter((a) => a.purpose === 'brute-force' && !a.accepted && !a.error).length, 3);
      assert.ok(ctx.attempts.every((a) => a.protocol === method));
    });
  }

  it('sends no credential with --no-login and says so', async () => {
    const ctx = context({ bruteForceAttempts: 3 }, false);
    const { findings, incomplete } = await probe(digest.port, ctx);
    assert.deepEqual(ctx.attempts, []);
    assert.equal(findings.filter((f) => f.check === 'probe/default-credentials' || f.check === 'probe/brute-force-protection').length, 0);
    assert.match(incomplete.map((i) => i.reason).join('\n'), /--no-login/);
  });
});

describe('probeRtsp against awkward cameras', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  function raw(handler: (socket: Socket, request: string) => void): Promise<number> {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        let end: number;
        while ((end = text.indexOf('\r\n\r\n')) >= 0) {
          const request = text.slice(0, end);
          text = text.slice(end + 4);
          handler(socket, request);
        }
      });
    });
    servers.push(server);
    return new Promise((resolve) => server.listen(0, LOOPBACK, () => resolve((server.address() as { port: number }).port)));
  }

  const cseq = (request: string) => /^CSeq: (\d+)/m.exec(request)?.[1] ?? '0';
  const path = (request: string) => /^[A-Z]+ rtsp:\/\/[^/]+(\/\S*) /.exec(request)?.[1] ?? '*';
  const SDP =
    'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Camera\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 0 RTP/AVP 0\r\n';
  const reply = (socket: Socket, request: string, status: string, headers: string[] = [], body = '') =>
    socket.write(
      [`RTSP/1.0 ${status}`, `CSeq: ${cseq(request)}`, ...headers, ...(body ? [`Content-Length: ${body.length}`] : []), '', body].join(
        '\r\n',
      ),
    );
  const quick = () => context({ readTimeoutMs: 700, connectTimeoutMs: 1000 });

  const hostile: [string, (socket: Socket, request: string) => void, RegExp][] = [
    [
      'huge headers',
      (s) => s.write(`RTSP/1.0 200 OK\r\n${'X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(2000)}`),
      /longer than 16384 bytes|more than 64 header/,
    ],
    [
      'an endless body',
      (s, r) => {
        s.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq(r)}\r\nContent-Length: 999999999\r\n\r\n`);
        const flood = () => s.writable && s.write(Buffer.alloc(64 * 1024, 0x41), flood);
        flood();
      },
      /body of 999999999 bytes/,
    ],
    ['garbage', (s) => s.write(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x0d])), /not a valid RTSP response/],
    ['a byte flood without a head', (s) => s.write(Buffer.alloc(2 * 1024 * 1024, 0x52)), /not a valid RTSP response|more than/],
    ['silence', () => {}, /no an RTSP response to OPTIONS within 700 ms|within 700 ms/],
    ['a wrong CSeq', (s, r) => reply(s, r.replace(/CSeq: \d+/, 'CSeq: 77'), '200 OK'), /CSeq 77/],
  ];
  for (const [what, handler, reason] of hostile) {
    it(`ends quickly with a reason on ${what}`, async () => {
      const port = await raw(handler);
      const started = Date.now();
      const { findings, incomplete } = await probe(port, quick());
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      assert.match(incomplete.map((i) => i.reason).join('\n'), reason);
      assert.equal(findings.filter((f) => f.result === 'fail').length, 0);
      assert.match(only(findings, 'probe/rtsp/summary').message, /OPTIONS: /);
    });
  }

  it('reports a server that describes a stream for any path, without naming a vendor path', async () => {
    const port = await raw((s, r) =>
      r.startsWith('OPTIONS')
        ? reply(s, r, '200 OK', ['Server: IPCam/2.4.1'])
        : reply(s, r, '200 OK', ['Content-Type: application/sdp'], SDP),
    );
    const { findings } = await probe(port, quick());
    const stream = only(findings, 'probe/rtsp/unauthenticated-stream');
    assert.equal(stream.result, 'fail');
    assert.match(
      stream.message,
      /^DESCRIBE \/ without credentials returned a session description with video and audio; it describes a stream for a random path too/,
    );
    const software = only(findings, 'probe/rtsp/software-disclosure');
    assert.equal(software.result, 'fail');
    assert.match(software.message, /IPCam\/2\.4\.1/);
  });

  it('reports no stream when every path answers 200 without a description, and stays within the catalog', async () => {
    const asked: string[] = [];
    const port = await raw((s, r) => {
      asked.push(path(r));
      reply(s, r, '200 OK', ['Content-Type: text/html'], '<html>ok</html>');
    });
    const { findings } = await probe(port, quick());
    assert.equal(only(findings, 'probe/rtsp/unauthenticated-stream').result, 'info');
    assert.equal(findings.filter((f) => f.check === 'probe/rtsp/plaintext-stream').length, 0);
    assert.equal(asked[0], '*');
    assert.match(asked[1] ?? '', /^\/baseline-[0-9a-f]{12}$/);
    assert.deepEqual(asked.slice(2, 4), ['/', '/Streaming/Channels/101']);
    assert.ok(asked.length <= 11, `${asked.length} requests`);
  });

  it('stops at a path that asks for credentials and treats a lockout as refusal to judge', async () => {
    let failures = 0;
    const port = await raw((s, r) => {
      if (r.startsWith('OPTIONS') || path(r) !== '/11') return reply(s, r, '404 Not Found');
      if (!/^Authorization:/m.test(r)) return reply(s, r, '401 Unauthorized', ['WWW-Authenticate: Basic realm="cam"']);
      // The three default pairs and one deliberate failure are judged; then the camera locks logins out.
      if (++failures > 4) return reply(s, r, '403 Forbidden');
      reply(s, r, '401 Unauthorized', ['WWW-Authenticate: Basic realm="cam"']);
    });
    const ctx = quick();
    ctx.limits.bruteForceAttempts = 5;
    const { findings } = await probe(port, ctx);
    assert.equal(only(findings, 'probe/rtsp/unauthenticated-stream').result, 'pass');
    assert.equal(only(findings, 'probe/default-credentials').result, 'pass');
    const brute = only(findings, 'probe/brute-force-protection');
    assert.equal(brute.result, 'pass');
    assert.match(brute.message, /^refused to go on after 2 failed logins \(RTSP 403 instead of 401 after credentials\)$/);
  });
});
