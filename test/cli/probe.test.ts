// `baseline probe` as a user runs it, against a lab device made of real Debian servers on 127.0.0.1:
// OpenSSH with a default account, Mosquitto open to anyone, nginx with a default admin password and a
// security.txt, and a telnetd that hands out a shell. Its results are read by `baseline assess`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resultsSchema, type Finding, type Results } from '../../src/findings/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { type Daemon, ensureLoginUser, freePort, LOOPBACK_V6, makeTempDir } from '../helpers/daemon.ts';
import { conformantProductData, writeProduct } from '../helpers/product.ts';
import { type CoapServer, startCoapServer } from '../helpers/servers/coap-server.ts';
import { startMosquitto } from '../helpers/servers/mosquitto.ts';
import { startOpenSsh } from '../helpers/servers/ssh-servers.ts';
import { startTelnetd } from '../helpers/servers/telnetd.ts';
import { startNginx } from '../helpers/servers/web-servers.ts';

const SECURITY_TXT = `Contact: mailto:security@test.example
Expires: 2099-01-01T00:00:00Z
# We acknowledge reports within 5 working days and send status updates every 30 days.
`;

describe('baseline probe', () => {
  const temp = makeTempDir('probe-cli');
  const daemons: Daemon[] = [];
  const ports: Record<string, number> = {};
  let results: Results;
  let human: ReturnType<typeof runCli>;

  before(async () => {
    ensureLoginUser('support', 'support');
    const start = async (name: string, daemon: Promise<Daemon>) => {
      const d = await daemon;
      daemons.push(d);
      ports[name] = d.port;
    };
    await Promise.all([
      start('ssh', startOpenSsh({ hostKeys: [{ type: 'ed25519' }], extra: ['PasswordAuthentication yes'] })),
      start('mqtt', startMosquitto({ allowAnonymous: true, retained: [{ topic: 'home/livingroom/temperature', payload: '21.5' }] })),
      start('web', startNginx({ admin: { username: 'admin', password: 'admin' }, files: { '.well-known/security.txt': SECURITY_TXT } })),
      start('telnet', startTelnetd({ program: '/bin/sh' })),
    ]);
    const out = join(temp.path, 'probe.json');
    const args = [
      'probe',
      '127.0.0.1',
      '--ports',
      Object.values(ports).join(','),
      '--brute-force-attempts',
      '4',
      '--max-logins',
      '12',
      '--mqtt-listen',
      '500',
    ];
    const r = runCli([...args, '--json', '--out', out]);
    assert.equal(r.status, 1, r.stderr);
    results = resultsSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    human = r;
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    temp.remove();
  });

  const on = (service: string, check: string): Finding[] =>
    results.findings.filter((f) => f.location.port === ports[service] && f.check === check);
  const failing = (service: string, check: string) => on(service, check).filter((f) => f.result === 'fail');

  it('identifies every service by what it says', () => {
    const open = results.findings.filter((f) => f.check === 'probe/services/open-service');
    const said = Object.fromEntries(
      Object.entries(ports).map(([name, port]) => [name, open.find((f) => f.location.port === port)?.message]),
    );
    assert.match(said.ssh ?? '', /open: ssh \(banner: SSH-2\.0-OpenSSH_/);
    assert.match(said.mqtt ?? '', /open: mqtt/);
    assert.match(said.web ?? '', /open: http/);
    assert.match(said.telnet ?? '', /open: telnet/);
  });

  it('finds the default credentials, redacted', () => {
    assert.match(failing('ssh', 'probe/default-credentials')[0]?.message ?? '', /SSH password login accepted support \/ s\*+/);
    assert.match(failing('web', 'probe/default-credentials')[0]?.message ?? '', /HTTP Basic login accepted admin \/ a\*+/);
    assert.doesNotMatch(JSON.stringify(results), /support\/support|admin:admin/);
  });

  it('finds the open broker, the shell without a login and the plaintext admin page', () => {
    assert.equal(failing('mqtt', 'probe/mqtt/anonymous-access').length, 1);
    assert.match(failing('mqtt', 'probe/mqtt/topic-leak')[0]?.message ?? '', /home\/livingroom\/temperature/);
    assert.equal(failing('telnet', 'probe/telnet/unauthenticated-shell')[0]?.severity, 'critical');
    assert.equal(failing('web', 'probe/http/cleartext-login').length, 1);
  });

  it('measures brute-force protection and counts every login it made', () => {
    const measured = on('web', 'probe/brute-force-protection')[0];
    assert.match(measured?.evidence ?? '', /4 failed HTTP Basic logins as admin: [\d.]+ attempts\/s/);
    const log = results.findings.find((f) => f.check === 'probe/login-attempts');
    assert.match(log?.message ?? '', /^\d+ login attempts: \d+ with default credentials, \d+ deliberate failures/);
  });

  it("reads the device's security.txt and the PSTI timescales in it", () => {
    assert.equal(on('web', 'disclosure/security-txt/contact')[0]?.result, 'pass');
    assert.equal(on('web', 'disclosure/policy/acknowledgement-timescale')[0]?.result, 'pass');
    assert.equal(on('web', 'disclosure/policy/status-update-timescale')[0]?.result, 'pass');
  });

  it('prints a summary a person can read, failures first', () => {
    // With --out the JSON goes to the file and the summary to standard output.
    const lines = human.stdout.trim().split('\n').filter(Boolean);
    assert.match(lines.find((l) => l.startsWith('FAIL')) ?? '', /^FAIL critical /);
    assert.match(lines.at(-1) ?? '', /^\d+ failing, \d+ ok, \d+ not applicable, \d+ informational$/);
  });

  it('gives assess the evidence that fails 5.1-1 and the PSTI password requirement', () => {
    const product = conformantProductData();
    product.vulnerabilityDisclosure = {
      contact: 'security@test.example',
      acknowledgement: 'within 5 working days',
      statusUpdates: 'every 30 days',
    };
    const out = join(temp.path, 'probe.json');
    const a = runCli(['assess', writeProduct(product, temp.path), '--evidence', out, '--json']);
    assert.equal(a.status, 1, a.stderr);
    const assessment = JSON.parse(a.stdout);
    const p511 = assessment.provisions.find((p: { id: string }) => p.id === '5.1-1');
    assert.equal(p511.verdict, 'FAIL');
    assert.ok(p511.reasons.some((r: string) => /probe\/default-credentials/.test(r)));
    const passwords = assessment.psti.requirements.find((r: { key: string }) => r.key === 'passwords');
    assert.equal(passwords.verdict, 'FAIL');
  });

  it('sends no credential with --no-login', () => {
    const r = runCli(['probe', `127.0.0.1:${ports.ssh}`, `127.0.0.1:${ports.web}`, '--no-login', '--json']);
    const quiet = resultsSchema.parse(JSON.parse(r.stdout));
    assert.equal(
      quiet.findings.filter((f) => f.check === 'probe/default-credentials' || f.check === 'probe/brute-force-protection').length,
      0,
    );
    assert.match(quiet.findings.find((f) => f.check === 'probe/login-attempts')?.message ?? '', /no login attempted \(--no-login\)/);
  });

  it('checks the security.txt the product file names', async () => {
    const product = conformantProductData();
    product.vulnerabilityDisclosure = {
      contact: 'security@test.example',
      securityTxt: `http://127.0.0.1:${ports.web}/.well-known/security.txt`,
      acknowledgement: 'within 5 working days',
      statusUpdates: 'every 30 days',
    };
    const closed = await freePort();
    const r = runCli(['probe', `127.0.0.1:${closed}`, '--product', writeProduct(product, temp.path, 'with-url.yaml'), '--json']);
    const probed = resultsSchema.parse(JSON.parse(r.stdout));
    const found = probed.findings.find((f) => f.check === 'probe/disclosure/policy-found');
    assert.equal(found?.result, 'pass', JSON.stringify(probed.findings, null, 1));
  });
});

describe('baseline probe over IPv6', () => {
  let web: Daemon;
  before(async () => {
    web = await startNginx({ admin: { username: 'admin', password: 'admin' }, tls: true, host: LOOPBACK_V6 });
  });
  after(() => web.stop());

  it('probes [::1]:port like any other target and names it with brackets', () => {
    const target = `[${LOOPBACK_V6}]:${web.port}`;
    const json = runCli(['probe', target, '--brute-force-attempts', '4', '--json']);
    assert.equal(json.status, 1, json.stderr);
    const probed = resultsSchema.parse(JSON.parse(json.stdout));
    assert.ok(probed.findings.every((f) => f.location.host === LOOPBACK_V6));
    const credential = probed.findings.find((f) => f.check === 'probe/default-credentials' && f.result === 'fail');
    assert.match(credential?.message ?? '', /admin/, JSON.stringify(probed.findings.map((f) => f.check)));
    assert.ok(probed.findings.some((f) => f.check.startsWith('probe/tls/') && f.location.port === web.port));

    const human = runCli(['probe', target, '--no-login']);
    assert.match(human.stdout, new RegExp(`\\[::1\\]:${web.port}: `));
    assert.doesNotMatch(human.stdout, new RegExp(`(^|\\s)::1:${web.port}`));
  });
});

describe('baseline probe with CoAP and DTLS over UDP', () => {
  let coap: CoapServer;
  let closed: number;
  let results: Results;
  let human: ReturnType<typeof runCli>;

  before(async () => {
    // libcoap's server: plain CoAP on one port, CoAP over DTLS with a pre-shared key on the next.
    coap = await startCoapServer({ dtls: { psk: 'secret-psk-key' }, resources: [{ path: '/config', payload: 'wifi_psk=hunter2' }] });
    closed = await freePort();
    const args = ['probe', '127.0.0.1', '--ports', String(closed), '--udp-ports', `${coap.port},${coap.dtlsPort}`, '--timeout', '2000'];
    const json = runCli([...args, '--json']);
    assert.equal(json.status, 1, json.stderr);
    results = resultsSchema.parse(JSON.parse(json.stdout));
    human = runCli(args);
  });
  after(() => coap.stop());

  const on = (port: number | undefined, check: string) => results.findings.filter((f) => f.location.port === port && f.check === check);

  it('finds plaintext CoAP, the open resource list and the configuration served without authentication', () => {
    assert.equal(on(coap.port, 'probe/coap/plaintext')[0]?.result, 'fail');
    assert.match(on(coap.port, 'probe/coap/resource-discovery')[0]?.message ?? '', /anyone can list the 5 resources .*\/config/);
    const served = on(coap.port, 'probe/coap/unauthenticated-resource')[0];
    assert.equal(served?.result, 'fail');
    assert.match(served?.evidence ?? '', /wifi_psk=\*\*\*/);
    assert.doesNotMatch(JSON.stringify(results), /hunter2/);
  });

  it('measures DTLS on the coaps port: version, pre-shared keys, suites', () => {
    assert.match(
      on(coap.dtlsPort, 'probe/dtls/summary')[0]?.message ?? '',
      /DTLS 1\.2: \d+ suites, DTLS 1\.0: refused; .*pre-shared keys only/,
    );
    assert.equal(on(coap.dtlsPort, 'probe/tls/legacy-version')[0]?.message, 'Accepts only DTLS 1.2; DTLS 1.0 is refused.');
  });

  it('marks every finding about a UDP port as UDP, and no other', () => {
    const udpPorts = new Set([coap.port, coap.dtlsPort]);
    const perPort = results.findings.filter((f) => f.location.port !== undefined);
    assert.ok(perPort.some((f) => f.location.port === coap.dtlsPort && f.check.startsWith('probe/tls/')));
    for (const f of perPort) assert.equal(f.location.transport, udpPorts.has(f.location.port as number) ? 'udp' : undefined, f.check);
  });

  it('reports each UDP service as open, with what it serves', () => {
    assert.match(on(coap.port, 'probe/services/open-service')[0]?.message ?? '', /^open: CoAP over UDP; 5 resources listed: \/, \/time/);
    assert.match(
      on(coap.dtlsPort, 'probe/services/open-service')[0]?.message ?? '',
      /^open: DTLS over UDP; DTLS 1\.2 with pre-shared keys only/,
    );
  });

  it('prints the CoAP findings in the human summary, at host:port/udp', () => {
    assert.equal(human.status, 1, human.stderr);
    assert.match(
      human.stdout,
      new RegExp(`^FAIL high +probe/coap/plaintext  127\\.0\\.0\\.1:${coap.port}/udp: .*\\[5\\.5-1, 5\\.8-1\\]$`, 'm'),
    );
    assert.match(
      human.stdout,
      new RegExp(`^FAIL high +probe/coap/unauthenticated-resource  127\\.0\\.0\\.1:${coap.port}/udp: GET /config`, 'm'),
    );
  });

  it('asks no UDP port for a target named with a port, nor with --no-udp or --udp-ports none', () => {
    for (const args of [
      [`127.0.0.1:${closed}`],
      ['127.0.0.1', '--ports', String(closed), '--no-udp'],
      ['127.0.0.1', '--ports', String(closed), '--udp-ports', 'none'],
    ]) {
      const r = runCli(['probe', ...args, '--json', '--progress']);
      const probed = resultsSchema.parse(JSON.parse(r.stdout));
      assert.ok(!probed.findings.some((f) => f.check.startsWith('probe/coap/') || f.check.startsWith('probe/dtls/')), args.join(' '));
      assert.doesNotMatch(r.stderr, /UDP/, args.join(' '));
    }
  });

  it('lists the CoAP and DTLS checks in baseline checks', () => {
    const r = runCli(['checks', '--source', 'probe']);
    assert.match(r.stdout, /^probe +probe\/coap\/plaintext +5\.5-1 5\.8-1 +high /m);
    assert.match(r.stdout, /^probe +probe\/coap\/unauthenticated-resource +5\.5-4 5\.5-5 5\.6-2 +high /m);
    assert.match(r.stdout, /^probe +probe\/coap\/resource-discovery +5\.6-2 +low /m);
    assert.match(r.stdout, /^probe +probe\/dtls\/summary +/m);
  });
});

describe('baseline probe, bad input', () => {
  const cases: [string[], RegExp][] = [
    [['probe', '192.168.1.0/24'], /^baseline: target "192\.168\.1\.0\/24": ranges and subnets are not accepted; name each host\n$/],
    [['probe', '127.0.0.1', '--ports', '1-65535'], /^baseline: --ports: more than 1024 ports/],
    [['probe', '127.0.0.1:http'], /^baseline: target "127\.0\.0\.1:http": "http" is not a port number\n$/],
    [['probe', '127.0.0.1', '--timeout', 'soon'], /^baseline: --timeout: expected a whole number of at least 1, got "soon"\n$/],
    [['probe', '127.0.0.1', '--udp-ports', '5683,70000'], /^baseline: --udp-ports: port 70000 is outside 1-65535\n$/],
    [['probe', '127.0.0.1', '--udp-ports', 'coap'], /^baseline: --udp-ports: "coap" is not a port number\n$/],
    [['probe', '127.0.0.1', '--udp-ports', '1-2000'], /^baseline: --udp-ports: more than 1024 ports; name the ports the product uses\n$/],
    [['probe', '127.0.0.1', '--udp-ports', '5683', '--no-udp'], /^baseline: --udp-ports and --no-udp contradict each other; give one\n$/],
  ];
  for (const [args, message] of cases) {
    it(`${args.slice(1).join(' ')} is refused in one line, exit 2`, () => {
      const r = runCli(args);
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    });
  }
});
