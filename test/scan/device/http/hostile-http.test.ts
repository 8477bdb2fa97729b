// probeHttp against small node servers on 127.0.0.1 that behave like awkward or hostile devices: one that
// locks logins out with 429, one that never answers, one that floods headers or body, one that is not HTTP,
// and one whose WWW-Authenticate header cannot be read. The probe must end quickly with what it could see.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { probeHttp } from '../../../../src/scan/device/http/index.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { LOOPBACK } from '../../../helpers/daemon.ts';

const credentials = loadDefaultCredentials();
const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

function context(limits: Partial<ProbeLimits> = {}): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 600, connectTimeoutMs: 1000, bruteForceAttempts: 0, ...limits },
    login: true,
    credentials,
  });
}

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, LOOPBACK, () => resolve((server.address() as { port: number }).port)));
}

function raw(handler: (socket: Socket) => void): Promise<number> {
  return listen(
    createServer((socket) => {
      socket.on('error', () => {});
      handler(socket);
    }),
  );
}

function http(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createHttpServer(handler);
  server.on('clientError', (_e, socket) => socket.destroy());
  return listen(server);
}

const probe = (port: number, ctx: ProbeContext) => probeHttp({ endpoint: { host: LOOPBACK, port }, protocol: 'http', tls: false }, ctx);
const byCheck = (findings: Finding[], check: string) => findings.filter((f) => f.check === check);

describe('probeHttp against awkward devices', () => {
  it('reads 429 after repeated failures as a lockout that ends the brute-force measurement', async () => {
    let failures = 0;
    const port = await http((req, res) => {
      if (req.url !== '/') return res.writeHead(404).end();
      const auth = req.headers.authorization;
      if (auth === undefined) return res.writeHead(401, { 'www-authenticate': 'Basic realm="Gateway"' }).end();
      if (failures >= 4) return res.writeHead(429, { 'retry-after': '300' }).end('locked');
      failures++;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Gateway"' }).end();
    });
    const ctx = context({ maxLoginAttempts: 2, bruteForceAttempts: 8 });
    const { findings } = await probe(port, ctx);
    const [defaults] = byCheck(findings, 'probe/default-credentials');
    assert.equal(defaults?.result, 'pass');
    const [bruteForce] = byCheck(findings, 'probe/brute-force-protection');
    assert.equal(bruteForce?.result, 'pass', bruteForce?.message);
    assert.match(bruteForce?.message ?? '', /refused to go on after 3 failed logins \(HTTP 429/);
    assert.deepEqual(
      ctx.attempts.filter((a) => a.purpose === 'brute-force').map((a) => a.error ?? 'rejected'),
      ['rejected', 'rejected', 'HTTP 429 instead of 401 after credentials'],
    );
  });

  it('gives up on a server that accepts connections and never answers', async () => {
    const port = await raw(() => {});
    const started = Date.now();
    const { findings, incomplete } = await probe(port, context());
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.match(incomplete.map((i) => i.reason).join('\n'), /root page could not be fetched: no complete HTTP response within 600 ms/);
    assert.deepEqual(
      findings.map((f) => [f.check, f.result]),
      [['probe/http/summary', 'info']],
    );
  });

  it('cuts off a header flood and an endless body', async () => {
    const headerFlood = await raw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\n');
      const line = Buffer.from(`X-Junk: ${'a'.repeat(1000)}\r\n`);
      const flood = () => {
        while (!socket.destroyed && socket.write(line));
        if (!socket.destroyed) socket.once('drain', flood);
      };
      flood();
    });
    const endlessBody = await http((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', server: 'Boa/0.94.14rc21' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const flood = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', flood);
      };
      flood();
    });
    const flooded = await probe(headerFlood, context());
    assert.match(flooded.incomplete.map((i) => i.reason).join('\n'), /root page could not be fetched: .*Header overflow/);
    const endless = await probe(endlessBody, context({ maxLoginAttempts: 1 }));
    const [disclosure] = byCheck(endless.findings, 'probe/http/software-disclosure');
    assert.match(disclosure?.message ?? '', /Boa\/0\.94\.14/);
  });

  it('says a non-HTTP answer could not be read', async () => {
    const port = await raw((socket) => socket.end('SSH-2.0-dropbear_2022.83\r\n'));
    const { incomplete } = await probe(port, context());
    assert.match(incomplete[0]?.reason ?? '', /not a valid HTTP response|root page could not be fetched/);
  });

  it('keeps an unreadable WWW-Authenticate header as a login it cannot use', async () => {
    const port = await http((req, res) => {
      if (req.url === '/') res.writeHead(401, { 'www-authenticate': 'Basic realm="unterminated' }).end();
      else res.writeHead(404).end();
    });
    const ctx = context();
    const { findings, incomplete } = await probe(port, ctx);
    assert.equal(byCheck(findings, 'probe/http/cleartext-login')[0]?.result, 'fail');
    assert.match(byCheck(findings, 'probe/http/summary')[0]?.evidence ?? '', /unreadable WWW-Authenticate header/);
    assert.match(incomplete.map((i) => i.reason).join('\n'), /no HTTP authentication scheme this probe speaks/);
    assert.equal(ctx.attempts.length, 0);
  });
});
