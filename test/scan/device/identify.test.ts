// Services are told by what they say, not by their port: each case runs a server on a random loopback
// port. Real Debian daemons (Mosquitto, nginx) answer the handshakes; small node servers stand in for
// banners and for devices that answer nothing useful.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { identifyService, protocolOfBanner } from '../../../src/scan/device/identify.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../src/scan/device/limits.ts';
import { createProbeContext } from '../../../src/scan/device/probe-context.ts';
import { loadDefaultCredentials } from '../../../src/scan/firmware/accounts/default-credentials.ts';
import { type Daemon, LOOPBACK, makeTempDir, startDaemon } from '../../helpers/daemon.ts';

const noTls = { speaksTls: async () => false };
const context = () =>
  createProbeContext({ limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 1500 }, login: false, credentials: loadDefaultCredentials() });

describe('protocolOfBanner', () => {
  const cases: [string, Buffer, string | undefined][] = [
    ['OpenSSH', Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'), 'ssh'],
    ['Dropbear', Buffer.from('SSH-2.0-dropbear_2022.83\r\n'), 'ssh'],
    ['telnet negotiation', Buffer.from([0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20]), 'telnet'],
    ['telnet login prompt without negotiation', Buffer.from('\r\nCamera login: '), 'telnet'],
    ['vsftpd', Buffer.from('220 (vsFTPd 3.0.3)\r\n'), 'ftp'],
    ['SMTP is not FTP', Buffer.from('220 mail.example ESMTP Postfix\r\n'), undefined],
    ['nothing', Buffer.alloc(0), undefined],
    ['noise', Buffer.from('hello there\n'), undefined],
  ];
  for (const [name, banner, expected] of cases) it(name, () => assert.equal(protocolOfBanner(banner), expected));
});

describe('identifyService', () => {
  const servers: Server[] = [];
  const daemons: Daemon[] = [];
  const temp = makeTempDir('identify');
  after(async () => {
    servers.forEach((s) => s.close());
    await Promise.all(daemons.map((d) => d.stop()));
    temp.remove();
  });
  const fake = (handler: (s: Socket) => void) =>
    new Promise<number>((resolve) => {
      const server = createServer((s) => {
        s.on('error', () => {});
        handler(s);
      });
      servers.push(server);
      server.listen(0, LOOPBACK, () => resolve((server.address() as { port: number }).port));
    });

  let mosquitto: Daemon;
  let nginx: Daemon;
  before(async () => {
    mosquitto = await startDaemon({
      command: '/usr/sbin/mosquitto',
      prepare: (port) =>
        writeFileSync(
          join(temp.path, 'mosquitto.conf'),
          `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n`,
        ),
      args: () => ['-c', join(temp.path, 'mosquitto.conf')],
    });
    daemons.push(mosquitto);
    nginx = await startDaemon({
      command: '/usr/sbin/nginx',
      prepare: (port) =>
        writeFileSync(
          join(temp.path, 'nginx.conf'),
          `error_log stderr; pid ${temp.path}/nginx.pid; events {} http { access_log off; client_body_temp_path ${temp.path}/b; proxy_temp_path ${temp.path}/p; fastcgi_temp_path ${temp.path}/f; uwsgi_temp_path ${temp.path}/u; scgi_temp_path ${temp.path}/s; server { listen 127.0.0.1:${port}; location / { return 200 "ok"; } } }\n`,
        ),
      args: () => ['-e', 'stderr', '-c', join(temp.path, 'nginx.conf'), '-g', 'daemon off;'],
    });
    daemons.push(nginx);
  });

  it('tells MQTT on a port that is not 1883 (real Mosquitto)', async () => {
    const { service } = await identifyService(context(), { host: LOOPBACK, port: mosquitto.port }, noTls);
    assert.equal(service.protocol, 'mqtt');
  });

  it('tells HTTP on a random port (real nginx)', async () => {
    const { service } = await identifyService(context(), { host: LOOPBACK, port: nginx.port }, noTls);
    assert.equal(service.protocol, 'http');
    assert.equal(service.tls, false);
  });

  it('tells SSH by its banner', async () => {
    const port = await fake((s) => s.write('SSH-2.0-dropbear_2022.83\r\n'));
    const { service } = await identifyService(context(), { host: LOOPBACK, port }, noTls);
    assert.equal(service.protocol, 'ssh');
    assert.match(service.banner ?? '', /dropbear_2022\.83/);
  });

  it('tells RTSP by its answer to OPTIONS', async () => {
    const port = await fake((s) =>
      s.once('data', (d) => /^OPTIONS/.test(d.toString()) && s.end('RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: DESCRIBE, SETUP\r\n\r\n')),
    );
    const { service } = await identifyService(context(), { host: LOOPBACK, port }, noTls);
    assert.equal(service.protocol, 'rtsp');
  });

  it('keeps a banner of no known protocol, escaped and cut short', async () => {
    const port = await fake((s) => s.end(Buffer.concat([Buffer.from('\x01\x02weird'), Buffer.alloc(20_000, 0x41)])));
    const { service, note } = await identifyService(context(), { host: LOOPBACK, port }, noTls);
    assert.equal(service.protocol, 'unknown');
    assert.match(service.banner ?? '', /^\\x01\\x02weird/);
    assert.ok((service.banner ?? '').length <= 301);
    assert.match(note ?? '', /no known protocol/);
  });

  it('says when a silent service answers no handshake, within bounded time', async () => {
    const port = await fake(() => {});
    const t0 = Date.now();
    const quick = createProbeContext({
      limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 600 },
      login: false,
      credentials: loadDefaultCredentials(),
    });
    const { service, note } = await identifyService(quick, { host: LOOPBACK, port }, noTls);
    assert.equal(service.protocol, 'unknown');
    assert.match(note ?? '', /answered none/);
    assert.ok(Date.now() - t0 < 20_000);
  });
});
