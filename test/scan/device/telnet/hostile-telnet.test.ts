// probeTelnet against small node servers on 127.0.0.1 playing awkward devices: endless option requests,
// a 10 MB banner, a password-only prompt, a lockout after failures, and a CLI that echoes but runs nothing.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { MAX_REFUSALS } from '../../../../src/scan/device/telnet/session.ts';
import { probeTelnet } from '../../../../src/scan/device/telnet/index.ts';
import { DO, IAC, WILL } from '../../../../src/scan/device/telnet/telnet-stream.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { LOOPBACK } from '../../../helpers/daemon.ts';

const credentials = loadDefaultCredentials();
const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

function context(limits: Partial<ProbeLimits> = {}): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 800, connectTimeoutMs: 1000, bruteForceAttempts: 0, ...limits },
    login: true,
    credentials,
  });
}

function fake(handler: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    handler(socket);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, LOOPBACK, () => resolve((server.address() as { port: number }).port)));
}

/** Calls `onLine` with each line the client sends (telnet commands from the client are dropped). */
function lines(socket: Socket, onLine: (line: string) => void): void {
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1').replace(/\xff[\xfb-\xfe]./gs, '');
    let at: number;
    while ((at = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, at).replace(/\r$/, ''));
      buffer = buffer.slice(at + 1);
    }
  });
}

const probe = (port: number, ctx: ProbeContext) => probeTelnet({ endpoint: { host: LOOPBACK, port }, protocol: 'telnet', tls: false }, ctx);
const find = (findings: Finding[], check: string) => findings.find((f) => f.check === check);

describe('probeTelnet against awkward devices', () => {
  it('answers a bounded number of endless option requests and gives up at the deadline', async () => {
    let received = 0;
    const port = await fake((socket) => {
      socket.on('data', (d: Buffer) => (received += d.length));
      const requests = Buffer.from(Array.from({ length: 300 }, (_, i) => [IAC, i % 2 ? DO : WILL, i % 40]).flat());
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(requests)), 5);
    });
    const started = Date.now();
    const { findings, incomplete } = await probe(port, context());
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
    // Three bytes per refusal, and the one empty line sent to ask for a prompt.
    assert.ok(received <= MAX_REFUSALS * 3 + 2, `the probe sent ${received} bytes`);
    assert.equal(find(findings, 'probe/telnet/plaintext-remote-access')?.result, 'fail');
    assert.match(incomplete[0]?.reason ?? '', /no prompt|more than/);
  });

  it('cuts off a 10 MB banner', async () => {
    const port = await fake((socket) => {
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      let sent = 0;
      const flood = () => {
        while (!socket.destroyed && sent < 10 * 1024 * 1024 && socket.write(chunk)) sent += chunk.length;
        if (!socket.destroyed && sent < 10 * 1024 * 1024) socket.once('drain', flood);
      };
      flood();
    });
    const { incomplete } = await probe(port, context());
    assert.match(incomplete[0]?.reason ?? '', /more than 1048576 bytes/);
  });

  it('logs in to a password-only prompt and judges "Access denied" then a hang-up as a rejection', async () => {
    const port = await fake((socket) => {
      socket.write('\r\nPassword: ');
      lines(socket, (line) => {
        if (line === 'vizxv') socket.write('\r\nBusyBox v1.19.4 built-in shell (ash)\r\n# ');
        else socket.end('\r\nAccess denied\r\n');
      });
    });
    const ctx = context({ maxLoginAttempts: 3 });
    const { findings } = await probe(port, ctx);
    assert.equal(find(findings, 'probe/telnet/unauthenticated-shell')?.result, 'pass');
    assert.match(find(findings, 'probe/default-credentials')?.message ?? '', /telnet login accepted root \/ v\*+/);
    // One login was accepted; every other (up to three run at once) was judged a plain rejection.
    assert.equal(ctx.attempts.filter((a) => a.accepted).length, 1);
    assert.ok(ctx.attempts.every((a) => a.error === undefined));
    assert.ok(ctx.attempts.some((a) => !a.accepted));
  });

  it('fails brute-force protection on a device that rejects at once and without limit', async () => {
    const port = await fake((socket) => {
      socket.write('login: ');
      let asked = false;
      lines(socket, () => {
        socket.write(asked ? '\r\nLogin incorrect\r\nlogin: ' : 'Password: ');
        asked = !asked;
      });
    });
    const ctx = context({ maxLoginAttempts: 1, bruteForceAttempts: 8 });
    const { findings } = await probe(port, ctx);
    const bruteForce = find(findings, 'probe/brute-force-protection');
    assert.equal(bruteForce?.result, 'fail', bruteForce?.message);
    assert.match(bruteForce?.message ?? '', /^8 failed logins in a row were answered at \d+(\.\d)? attempts\/s/);
  });

  it('reads a device that stops answering after failures as a lockout', async () => {
    let failures = 0;
    const port = await fake((socket) => {
      if (failures >= 3) return void socket.end('Too many failed logins, try again later\r\n');
      socket.write('login: ');
      let user: string | undefined;
      lines(socket, () => {
        if (user === undefined) {
          user = 'x';
          socket.write('Password: ');
        } else {
          failures++;
          socket.write('\r\nLogin incorrect\r\nlogin: ');
        }
      });
    });
    const ctx = context({ maxLoginAttempts: 1, bruteForceAttempts: 6 });
    const { findings } = await probe(port, ctx);
    assert.equal(find(findings, 'probe/default-credentials')?.result, 'pass');
    const bruteForce = find(findings, 'probe/brute-force-protection');
    assert.equal(bruteForce?.result, 'pass', bruteForce?.message);
    assert.match(bruteForce?.message ?? '', /refused to go on after 3 failed logins \(no login prompt|closed before a login prompt/);
  });

  it('nudges a server that shows its login prompt only after a key press', async () => {
    const port = await fake((socket) => {
      socket.write('Press Enter to start\r\n');
      let prompted = false;
      lines(socket, () => {
        if (!prompted) socket.write('Gateway login: ');
        prompted = true;
      });
    });
    const { findings } = await probe(port, context({ maxLoginAttempts: 0 }));
    assert.match(find(findings, 'probe/telnet/summary')?.message ?? '', /login prompt "Gateway login:"/);
    assert.equal(find(findings, 'probe/telnet/unauthenticated-shell')?.result, 'pass');
  });

  it('flags a CLI prompt with no login even when the test command does not run', async () => {
    const port = await fake((socket) => {
      socket.write('Welcome\r\nCLI> ');
      lines(socket, (line) => socket.write(`${line}\r\n% Unknown command\r\nCLI> `));
    });
    const { findings } = await probe(port, context());
    const shell = find(findings, 'probe/telnet/unauthenticated-shell');
    assert.equal(shell?.result, 'fail');
    assert.match(shell?.message ?? '', /looks like a shell prompt with no login \("CLI>"\); a test command gave no answer/);
  });
});
