// The bounded connection and the gate, against small servers on loopback that behave badly on purpose.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Connection, ProbeError } from '../../../src/scan/device/connection.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../src/scan/device/limits.ts';
import { ConnectionGate, createProbeContext } from '../../../src/scan/device/probe-context.ts';
import { loadDefaultCredentials } from '../../../src/scan/firmware/accounts/default-credentials.ts';
import { freePort, LOOPBACK } from '../../helpers/daemon.ts';

function serve(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onConnection);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

const options = { connectTimeoutMs: 2000, maxBytes: 64 * 1024 };

describe('Connection', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));
  const start = async (handler: (socket: Socket) => void) => {
    const { server, port } = await serve(handler);
    servers.push(server);
    return { host: LOOPBACK, port };
  };

  it('reads lines and leaves the rest buffered', async () => {
    const endpoint = await start((s) => s.end('first line\r\nsecond\nrest'));
    const c = await Connection.open(endpoint, options);
    assert.equal(await c.readLine(1000), 'first line');
    assert.equal(await c.readLine(1000), 'second');
    assert.equal((await c.readAvailable(100, 1000)).toString(), 'rest');
    c.close();
  });

  it('gives up on a silent peer at the deadline', async () => {
    const endpoint = await start(() => {});
    const c = await Connection.open(endpoint, options);
    const t0 = Date.now();
    await assert.rejects(
      c.readLine(300, 100, 'a banner'),
      (e: unknown) => e instanceof ProbeError && e.kind === 'timeout' && /a banner/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 2000);
    c.close();
  });

  it('cuts off a peer that sends without end', async () => {
    const endpoint = await start((s) => {
      const chunk = Buffer.alloc(16 * 1024, 0x41);
      const pump = () => {
        while (s.writable && s.write(chunk));
        if (s.writable) s.once('drain', pump);
      };
      s.on('error', () => {});
      pump();
    });
    const c = await Connection.open(endpoint, options);
    await assert.rejects(
      c.readUntil(() => undefined, 5000),
      (e: unknown) => e instanceof ProbeError && e.kind === 'too-large',
    );
    assert.ok(c.bytesReceived > options.maxBytes);
  });

  it('refuses a line longer than its cap', async () => {
    const endpoint = await start((s) => s.end('x'.repeat(5000)));
    const c = await Connection.open(endpoint, options);
    await assert.rejects(c.readLine(1000, 1024), (e: unknown) => e instanceof ProbeError && e.kind === 'too-large');
    c.close();
  });

  it('says when the peer closes before a whole message', async () => {
    const endpoint = await start((s) => s.end('partial'));
    const c = await Connection.open(endpoint, options);
    await assert.rejects(c.readBytes(100, 1000, 'a packet'), (e: unknown) => e instanceof ProbeError && e.kind === 'closed');
  });

  it('reports a refused connection as refused', async () => {
    const port = await freePort();
    await assert.rejects(
      Connection.open({ host: LOOPBACK, port }, options),
      (e: unknown) => e instanceof ProbeError && e.kind === 'refused',
    );
  });
});

describe('ConnectionGate', () => {
  it('never lets more than its concurrency through at once', async () => {
    const gate = new ConnectionGate(2, 1000);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await gate.acquire('h');
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        release();
      }),
    );
    assert.equal(peak, 2);
  });

  it('spaces new connections to one host at its rate', async () => {
    const gate = new ConnectionGate(10, 20);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 5 }, async () => (await gate.acquire('h'))()));
    assert.ok(Date.now() - t0 >= 190, `5 connections at 20/s took ${Date.now() - t0} ms`);
  });
});

describe('ProbeContext', () => {
  let port = 0;
  let server: Server;
  before(async () => {
    ({ server, port } = await serve((s) => s.end('hello\n')));
  });
  after(() => server.close());

  it('counts default-credential logins against the budget, per endpoint', () => {
    const context = createProbeContext({
      limits: { ...DEFAULT_PROBE_LIMITS, maxLoginAttempts: 2 },
      login: true,
      credentials: loadDefaultCredentials(),
    });
    const endpoint = { host: LOOPBACK, port };
    assert.equal(context.mayTryLogin(endpoint), true);
    for (let i = 0; i < 2; i++)
      context.record({ endpoint, protocol: 'x', username: 'root', accepted: false, purpose: 'default-credentials' });
    assert.equal(context.mayTryLogin(endpoint), false);
    assert.equal(context.mayTryLogin({ host: LOOPBACK, port: port + 1 }), true);
  });

  it('allows no login at all with --no-login', () => {
    const context = createProbeContext({ limits: DEFAULT_PROBE_LIMITS, login: false, credentials: loadDefaultCredentials() });
    const endpoint = { host: LOOPBACK, port };
    assert.equal(context.mayTryLogin(endpoint), false);
    assert.throws(
      () => context.record({ endpoint, protocol: 'x', username: 'root', accepted: false, purpose: 'brute-force' }),
      /--no-login/,
    );
  });

  it('opens bounded connections through the gate', async () => {
    const context = createProbeContext({ limits: DEFAULT_PROBE_LIMITS, login: false, credentials: loadDefaultCredentials() });
    const c = await context.connect({ host: LOOPBACK, port });
    assert.equal(await c.readLine(1000), 'hello');
    c.close();
  });
});
