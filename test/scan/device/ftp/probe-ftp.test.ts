// probeFtp against a real vsftpd on 127.0.0.1 (anonymous allowed or not, TLS required or not, the
// default-list account support/support through PAM), and against small node servers playing awkward
// FTP devices: one that turns clients away, one that locks logins out with 421, one that floods.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { probeFtp } from '../../../../src/scan/device/ftp/index.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { type Daemon, ensureLoginUser, LOOPBACK } from '../../../helpers/daemon.ts';
import { startVsftpd } from '../../../helpers/servers/ftpd.ts';

const fullList = loadDefaultCredentials();
/** Two pairs of the real list, in its order: one vsftpd rejects, then Mirai's support/support. */
const credentials = {
  ...fullList,
  credentials: fullList.credentials.filter((c) => ['root/xc3511', 'support/support'].includes(`${c.username}/${c.password}`)),
};

function context(limits: Partial<ProbeLimits> = {}, login = true, list = credentials): ProbeContext {
  return createProbeContext({ limits: { ...DEFAULT_PROBE_LIMITS, bruteForceAttempts: 0, ...limits }, login, credentials: list });
}

const probe = (port: number, ctx: ProbeContext) => probeFtp({ endpoint: { host: LOOPBACK, port }, protocol: 'ftp', tls: false }, ctx);

function only(findings: Finding[], check: string): Finding {
  const matching = findings.filter((f) => f.check === check);
  assert.equal(
    matching.length,
    1,
    `${check}: ${JSON.stringify(
      findings.map((f) => [f.check, f.result, f.message]),
      null,
      1,
    )}`,
  );
  return matching[0] as Finding;
}

describe('probeFtp against vsftpd', () => {
  const daemons: Daemon[] = [];
  let anonymous: Daemon;
  let closed: Daemon;
  let tls: Daemon;
  before(async () => {
    ensureLoginUser('support', 'support');
    [anonymous, closed, tls] = await Promise.all([
      startVsftpd({ anonymous: true }),
      startVsftpd({ anonymous: false, failedLoginDelay: 0 }),
      startVsftpd({ anonymous: false, tls: true }),
    ]);
    daemons.push(anonymous, closed, tls);
  });
  after(() => Promise.all(daemons.map((d) => d.stop())));

  it('reports the version, plaintext FTP, anonymous access and the default account', async () => {
    const ctx = context();
    const { findings, incomplete } = await probe(anonymous.port, ctx);
    assert.deepEqual(incomplete, []);
    assert.match(only(findings, 'probe/ftp/banner-disclosure').message, /discloses vsFTPd 3\.0\.3/);
    const cleartext = only(findings, 'probe/ftp/cleartext-login');
    assert.equal(cleartext.result, 'fail');
    assert.match(cleartext.message, /FEAT lists no AUTH TLS/);
    assert.deepEqual(cleartext.provisions, ['5.5-1', '5.5-7']);
    const anon = only(findings, 'probe/ftp/anonymous-login');
    assert.equal(anon.result, 'fail');
    assert.match(anon.evidence ?? '', /^230 /);
    assert.match(only(findings, 'probe/default-credentials').message, /FTP login accepted support \/ s\*+/);
    // Default credentials are tried a few at a time, so they are recorded in the order they finish.
    assert.deepEqual(ctx.attempts.map((a) => [a.username, a.accepted, a.error]).sort(), [
      ['anonymous', true, undefined],
      ['root', false, undefined],
      ['support', true, undefined],
    ]);
  });

  it('passes anonymous refusal and measures the PAM delay on failed logins', async () => {
    const ctx = context({ bruteForceAttempts: 2 });
    const { findings } = await probe(closed.port, ctx);
    assert.equal(only(findings, 'probe/ftp/anonymous-login').result, 'pass');
    const bruteForce = only(findings, 'probe/brute-force-protection');
    assert.equal(bruteForce.result, 'pass', bruteForce.message);
    assert.match(bruteForce.evidence ?? '', /^2 failed FTP logins as support/);
  });

  it('passes a server that requires TLS before a login, and says why it tried no password', async () => {
    const ctx = context();
    const { findings, incomplete } = await probe(tls.port, ctx);
    const cleartext = only(findings, 'probe/ftp/cleartext-login');
    assert.equal(cleartext.result, 'pass');
    assert.match(cleartext.evidence ?? '', /AUTH TLS/);
    assert.match(incomplete.map((i) => i.reason).join('\n'), /only after AUTH TLS/);
    assert.deepEqual(
      ctx.attempts.map((a) => a.username),
      ['anonymous'],
    );
  });

  it('sends nothing but FEAT with --no-login', async () => {
    const ctx = context({}, false);
    const { findings, incomplete } = await probe(anonymous.port, ctx);
    assert.equal(ctx.attempts.length, 0);
    assert.equal(findings.filter((f) => f.check === 'probe/ftp/anonymous-login').length, 0);
    assert.equal(only(findings, 'probe/ftp/cleartext-login').result, 'fail');
    assert.match(incomplete[0]?.reason ?? '', /--no-login/);
  });
});

describe('probeFtp against awkward devices', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));
  const fake = (handler: (socket: Socket) => void) =>
    new Promise<number>((resolve) => {
      const server = createServer((socket) => {
        socket.on('error', () => {});
        handler(socket);
      });
      servers.push(server);
      server.listen(0, LOOPBACK, () => resolve((server.address() as { port: number }).port));
    });
  const shortContext = (limits: Partial<ProbeLimits> = {}) => context({ readTimeoutMs: 800, ...limits }, true, fullList);

  /** A minimal FTP server: FEAT, anonymous refused, PASS judged by `onPass`. */
  const ftpLike = (onPass: (socket: Socket, password: string) => void) =>
    fake((socket) => {
      socket.write('220 NAS ready\r\n');
      let buffer = '';
      socket.on('data', (d: Buffer) => {
        buffer += d.toString('latin1');
        let at: number;
        while ((at = buffer.indexOf('\n')) >= 0) {
          const [verb = '', ...rest] = buffer.slice(0, at).trim().split(' ');
          buffer = buffer.slice(at + 1);
          if (verb === 'FEAT') socket.write('211-Features:\r\n PASV\r\n211 End\r\n');
          else if (verb === 'USER') socket.write('331 Password required\r\n');
          else if (verb === 'PASS') onPass(socket, rest.join(' '));
          else if (verb === 'QUIT') socket.end('221 Bye\r\n');
          else socket.write('502 Not implemented\r\n');
        }
      });
    });

  it('reads 421 after repeated failures as a lockout', async () => {
    let failures = 0;
    const port = await ftpLike((socket) => {
      if (failures >= 4) return void socket.end('421 Too many failed logins, closing control connection.\r\n');
      failures++;
      socket.write('530 Login incorrect.\r\n');
    });
    const ctx = shortContext({ maxLoginAttempts: 2, bruteForceAttempts: 6 });
    const { findings } = await probe(port, ctx);
    assert.equal(only(findings, 'probe/ftp/anonymous-login').result, 'pass');
    const bruteForce = only(findings, 'probe/brute-force-protection');
    assert.equal(bruteForce.result, 'pass', bruteForce.message);
    assert.match(bruteForce.message, /refused to go on after 3 failed logins \(the server closed the session \(421 /);
  });

  it('fails brute-force protection on a server that answers 530 at once, every time', async () => {
    const port = await ftpLike((socket) => socket.write('530 Login incorrect.\r\n'));
    const { findings } = await probe(port, shortContext({ maxLoginAttempts: 2, bruteForceAttempts: 8 }));
    assert.equal(only(findings, 'probe/brute-force-protection').result, 'fail');
  });

  it('says a busy server turned it away', async () => {
    const port = await fake((socket) => socket.end('421 Too many users, try later.\r\n'));
    const ctx = shortContext();
    const { findings, incomplete } = await probe(port, ctx);
    assert.match(incomplete[0]?.reason ?? '', /did not accept the session: 421 Too many users/);
    assert.match(only(findings, 'probe/ftp/summary').message, /greeting "421 Too many users, try later\."/);
    assert.equal(ctx.attempts.length, 0);
  });

  it('cuts off a greeting that never ends, and one that is not FTP', async () => {
    const flood = await fake((socket) => {
      const line = Buffer.from(`220-${'x'.repeat(1000)}\r\n`);
      const write = () => {
        while (!socket.destroyed && socket.write(line));
        if (!socket.destroyed) socket.once('drain', write);
      };
      write();
    });
    const notFtp = await fake((socket) => socket.end('SSH-2.0-dropbear\r\n'));
    const started = Date.now();
    const flooded = await probe(flood, shortContext());
    const other = await probe(notFtp, shortContext());
    assert.ok(Date.now() - started < 4000);
    assert.match(flooded.incomplete[0]?.reason ?? '', /reply (longer than|has more than)/);
    assert.match(other.incomplete[0]?.reason ?? '', /not an FTP reply: "SSH-2\.0-dropbear"/);
  });
});
