// bench/probe: `baseline probe` against a lab device of real Debian servers on 127.0.0.1 (lab-device.ts),
// timed side by side with what an assessor runs today on the same services: nmap -sV on every port,
// ssh-audit on each SSH port and testssl.sh on each TLS port. Prints the wall times, the ratio, and which
// of the lab's known problems each tool reported. Run: node bench/probe/run.ts
// Every tool is pointed at 127.0.0.1 only, with its DNS lookups off (nmap -n, testssl --nodns none).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, Results } from '../../src/findings/schema.ts';
import { startLabDevice } from './lab-device.ts';

const root = new URL('../../', import.meta.url).pathname;
execFileSync('bash', [join(root, 'bench/probe/install-peers.sh')], { stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'bench-probe-'));
const HOST = '127.0.0.1';

function timed(command: string, args: string[]): { seconds: number; stdout: string } {
  const started = performance.now();
  // Standard input is /dev/null: testssl.sh's openssl s_client would otherwise wait on it.
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (performance.now() - started) / 1000;
  if (r.error) throw r.error;
  return { seconds, stdout: r.stdout };
}

interface TestsslEntry {
  id: string;
  severity: string;
  finding: string;
}

const lab = await startLabDevice();
try {
  const p = lab.ports;
  const allPorts = Object.values(p).join(',');
  const sshPorts = [p['ssh-legacy'], p['ssh-dropbear']] as number[];
  const tlsPorts = [p['tls-legacy'], p['tls-modern'], p['mqtts-client-cert']] as number[];
  process.stderr.write(`lab device on ${HOST}: ${JSON.stringify(p)}\n`);

  const baselineOut = join(work, 'baseline.json');
  const baseline = timed(process.execPath, [
    join(root, 'bin/baseline.js'),
    'probe',
    HOST,
    '--ports',
    allPorts,
    '--json',
    '--out',
    baselineOut,
  ]);
  const results = JSON.parse(readFileSync(baselineOut, 'utf8')) as Results;

  const nmap = timed('nmap', ['-n', '-Pn', '-sV', '-p', allPorts, HOST]);
  const sshAudit = sshPorts.map((port) => ({ port, ...timed('ssh-audit', ['-n', '-p', String(port), HOST]) }));
  const testssl = tlsPorts.map((port) => {
    const json = join(work, `testssl-${port}.json`);
    // --openssl-timeout: without it testssl.sh's openssl s_client waits forever on the broker that
    // demands a client certificate.
    const run = timed('testssl', [
      '--nodns',
      'none',
      '--openssl-timeout',
      '10',
      '--quiet',
      '--warnings',
      'off',
      '--color',
      '0',
      '--jsonfile',
      json,
      `${HOST}:${port}`,
    ]);
    return { port, ...run, entries: JSON.parse(readFileSync(json, 'utf8')) as TestsslEntry[] };
  });

  // --- who reported what -------------------------------------------------------------------------
  const fails = (port: number | undefined, check: string, message: RegExp = /./) =>
    results.findings.some((f: Finding) => f.location.port === port && f.check === check && f.result === 'fail' && message.test(f.message));
  const reported = (port: number | undefined, check: string, message: RegExp = /./) =>
    results.findings.some((f: Finding) => f.location.port === port && f.check === check && message.test(f.message));
  const nmapLine = (port: number | undefined) => nmap.stdout.split('\n').find((l) => l.startsWith(`${port}/tcp`)) ?? '';
  const audit = (port: number | undefined) => sshAudit.find((a) => a.port === port)?.stdout ?? '';
  const flagged = (port: number | undefined, item: RegExp) =>
    audit(port)
      .split('\n')
      .some((l) => item.test(l) && /\[(fail|warn)\]/.test(l));
  const tls = (port: number | undefined, id: RegExp, finding: RegExp = /./) =>
    (testssl.find((t) => t.port === port)?.entries ?? []).some(
      (e) => id.test(e.id) && finding.test(e.finding) && !/^(OK|INFO|DEBUG)$/.test(e.severity),
    );
  const tlsInfo = (port: number | undefined, id: RegExp, finding: RegExp = /./) =>
    (testssl.find((t) => t.port === port)?.entries ?? []).some((e) => id.test(e.id) && finding.test(e.finding));

  type Row = [string, boolean, boolean | undefined, boolean | undefined, boolean | undefined];
  const L = p['ssh-legacy'];
  const D = p['ssh-dropbear'];
  const rows: Row[] = [
    [
      'SSH: software and version (OpenSSH, Dropbear)',
      reported(L, 'probe/ssh/summary') && reported(D, 'probe/ssh/summary', /Dropbear 2022/),
      /OpenSSH 9\.2/.test(nmapLine(L)) && /Dropbear sshd 2022/.test(nmapLine(D)),
      /OpenSSH_9\.2/.test(audit(L)) && /dropbear_2022/.test(audit(D)),
      undefined,
    ],
    [
      'SSH: 1024-bit DH group (diffie-hellman-group1-sha1)',
      fails(L, 'probe/ssh/weak-algorithms', /group1-sha1/),
      false,
      flagged(L, /diffie-hellman-group1-sha1/),
      undefined,
    ],
    [
      'SSH: CBC and 3DES ciphers',
      fails(L, 'probe/ssh/weak-algorithms', /3des-cbc/) && fails(L, 'probe/ssh/weak-algorithms', /aes128-cbc/),
      false,
      flagged(L, /3des-cbc/) && flagged(L, /aes128-cbc/),
      undefined,
    ],
    [
      'SSH: SHA-1 (group14-sha1, ssh-rsa, hmac-sha1) on both servers',
      fails(L, 'probe/ssh/weak-algorithms', /sha1/) && fails(D, 'probe/ssh/weak-algorithms', /sha1|ssh-rsa/),
      false,
      flagged(L, /sha1|ssh-rsa/) && flagged(D, /sha1|ssh-rsa/),
      undefined,
    ],
    ['SSH: 1024-bit RSA host key', fails(L, 'probe/ssh/host-key', /1024-bit/), false, flagged(L, /\(1024-bit\)/), undefined],
    ['SSH: 64-bit UMAC tags', fails(L, 'probe/ssh/weak-algorithms', /umac-64/), false, flagged(L, /umac-64/), undefined],
    [
      'SSH: NIST P-curve key exchange (ssh-audit: "weak elliptic curves")',
      fails(L, 'probe/ssh/weak-algorithms', /nistp/),
      false,
      flagged(L, /ecdh-sha2-nistp/),
      undefined,
    ],
    [
      'SSH: authentication methods offered',
      reported(L, 'probe/ssh/password-auth', /password/),
      false,
      /password/.test(audit(L)),
      undefined,
    ],
    [
      'SSH: default credential accepted (support/support)',
      fails(L, 'probe/default-credentials') && fails(D, 'probe/default-credentials'),
      false,
      false,
      undefined,
    ],
    ['SSH: brute-force rate measured (5.1-5)', reported(L, 'probe/brute-force-protection', /attempts\/s|logins/), false, false, undefined],
    [
      'TLS: TLS 1.0 and 1.1 offered',
      fails(p['tls-legacy'], 'probe/tls/legacy-version', /TLS 1\.0/),
      false,
      undefined,
      tls(p['tls-legacy'], /^TLS1$/) && tls(p['tls-legacy'], /^TLS1_1$/),
    ],
    [
      'TLS: anonymous (aNULL) cipher suites',
      fails(p['tls-legacy'], 'probe/tls/weak-cipher', /anonymous/),
      false,
      undefined,
      tls(p['tls-legacy'], /^cipherlist_aNULL$/, /offered/),
    ],
    [
      'TLS: suites without forward secrecy',
      fails(p['tls-legacy'], 'probe/tls/no-forward-secrecy'),
      false,
      undefined,
      tls(p['tls-legacy'], /^(cipherlist_AVERAGE|FS)$/),
    ],
    [
      'TLS: self-signed certificates',
      fails(p['tls-legacy'], 'probe/tls/self-signed-certificate') && fails(p['tls-modern'], 'probe/tls/self-signed-certificate'),
      false,
      undefined,
      tls(p['tls-legacy'], /^cert_chain_of_trust$/, /self signed/) && tls(p['tls-modern'], /^cert_chain_of_trust$/, /self signed/),
    ],
    [
      'TLS: certificate not valid for the name probed',
      fails(p['tls-legacy'], 'probe/tls/certificate-hostname') && fails(p['mqtts-client-cert'], 'probe/tls/certificate-hostname'),
      false,
      undefined,
      tls(p['tls-legacy'], /^cert_trust$/, /does not match/) && tls(p['mqtts-client-cert'], /^cert_trust$/, /does not match/),
    ],
    [
      'TLS: graded although the broker demands a client certificate',
      reported(p['mqtts-client-cert'], 'probe/tls/summary', /asks for a client certificate/),
      false,
      undefined,
      tlsInfo(p['mqtts-client-cert'], /^TLS1_2$/, /offered/),
    ],
    [
      'TLS: graded against Mozilla modern / intermediate',
      reported(p['tls-modern'], 'probe/tls/mozilla-profile', /Mozilla modern/),
      false,
      undefined,
      false,
    ],
    [
      'TLS: BEAST named (CBC suites under TLS 1.0)',
      fails(p['tls-legacy'], 'probe/tls/legacy-version', /BEAST/),
      false,
      undefined,
      tls(p['tls-legacy'], /^BEAST$/),
    ],
    ['TLS: HTTPS without HSTS', fails(p['tls-legacy'], 'probe/http/hsts'), false, undefined, tls(p['tls-legacy'], /^HSTS$/)],
    [
      'TLS: certificate without CRL or OCSP URI; no server cipher order',
      false,
      false,
      undefined,
      tls(p['tls-legacy'], /^cert_revocation$/) && tls(p['tls-legacy'], /^cipher_order$/),
    ],
    [
      'MQTT: broker identified on a non-standard port',
      reported(p.mqtt, 'probe/services/open-service', /mqtt/),
      /mqtt/i.test(nmapLine(p.mqtt)),
      undefined,
      undefined,
    ],
    [
      'MQTT: anonymous access, topics and $SYS version leak',
      fails(p.mqtt, 'probe/mqtt/anonymous-access') && fails(p.mqtt, 'probe/mqtt/topic-leak') && fails(p.mqtt, 'probe/mqtt/sys-disclosure'),
      false,
      undefined,
      undefined,
    ],
    [
      'Telnet: service open',
      fails(p.telnet, 'probe/telnet/plaintext-remote-access'),
      /telnet/.test(nmapLine(p.telnet)),
      undefined,
      undefined,
    ],
    ['Telnet: default credential accepted', fails(p.telnet, 'probe/default-credentials'), false, undefined, undefined],
    [
      'HTTP: server version disclosed',
      fails(p['http-admin'], 'probe/http/software-disclosure', /nginx\/1\.22/),
      /nginx 1\.22/.test(nmapLine(p['http-admin'])),
      undefined,
      tlsInfo(p['tls-legacy'], /^banner_server$/, /nginx\/1\.22/),
    ],
    [
      'HTTP: admin login over plain HTTP, default credential accepted',
      fails(p['http-admin'], 'probe/http/cleartext-login') && fails(p['http-admin'], 'probe/default-credentials'),
      false,
      undefined,
      undefined,
    ],
    [
      'HTTP: configuration served without authentication',
      fails(p['http-admin'], 'probe/http/unauthenticated-endpoint'),
      false,
      undefined,
      undefined,
    ],
    [
      'RTSP: camera stream identified on a non-standard port',
      reported(p['rtsp-camera'], 'probe/rtsp/summary'),
      /rtsp/i.test(nmapLine(p['rtsp-camera'])),
      undefined,
      undefined,
    ],
    [
      'RTSP: default credential accepted over Digest (admin/admin)',
      fails(p['rtsp-camera'], 'probe/default-credentials'),
      false,
      undefined,
      undefined,
    ],
    ['RTSP: video over plain RTSP (5.8-1)', fails(p['rtsp-camera'], 'probe/rtsp/plaintext-stream'), false, undefined, undefined],
    [
      'security.txt validated, PSTI timescales found (5.2-1)',
      reported(p['http-admin'], 'probe/disclosure/policy-found') &&
        reported(p['http-admin'], 'disclosure/policy/acknowledgement-timescale'),
      false,
      undefined,
      undefined,
    ],
  ];

  const peersSeconds = nmap.seconds + sshAudit.reduce((s, a) => s + a.seconds, 0) + testssl.reduce((s, t) => s + t.seconds, 0);
  const fmt = (s: number) => `${s.toFixed(1)} s`;
  const mark = (v: boolean | undefined) => (v === undefined ? 'n/a' : v ? 'yes' : '—');
  const lines = [
    `lab device: ${Object.keys(p).length} services on ${HOST} (${Object.keys(p).join(', ')})`,
    '',
    '| tool | what it ran | wall time |',
    '|---|---|---|',
    `| Baseline | baseline probe ${HOST} --ports (all ${Object.keys(p).length}) | ${fmt(baseline.seconds)} |`,
    `| nmap 7.93 | nmap -n -Pn -sV on the same ports | ${fmt(nmap.seconds)} |`,
    `| ssh-audit 2.5.0 | on each of the ${sshPorts.length} SSH ports | ${fmt(sshAudit.reduce((s, a) => s + a.seconds, 0))} |`,
    `| testssl.sh 3.0.8 | on each of the ${tlsPorts.length} TLS ports (--nodns none --openssl-timeout 10) | ${fmt(testssl.reduce((s, t) => s + t.seconds, 0))} |`,
    `| peers combined | | ${fmt(peersSeconds)} |`,
    '',
    `Baseline / peers combined: ${(baseline.seconds / peersSeconds).toFixed(2)} (target: under 0.33)`,
    '',
    '| problem on the lab device | Baseline | nmap -sV | ssh-audit | testssl.sh |',
    '|---|---|---|---|---|',
    ...rows.map(([issue, b, n, s, t]) => `| ${issue} | ${mark(b)} | ${mark(n)} | ${mark(s)} | ${mark(t)} |`),
    '',
    `reported: Baseline ${rows.filter((r) => r[1]).length}, nmap ${rows.filter((r) => r[2]).length}, ssh-audit ${rows.filter((r) => r[3]).length}, testssl.sh ${rows.filter((r) => r[4]).length}, peers together ${rows.filter((r) => r[2] || r[3] || r[4]).length} of ${rows.length}`,
    `Baseline: ${results.findings.filter((f) => f.result === 'fail').length} failing findings, ${results.incomplete.length} parts not examined`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await lab.stop();
  rmSync(work, { recursive: true, force: true });
}
