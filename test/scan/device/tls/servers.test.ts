// The TLS prober against real servers on 127.0.0.1: Debian's nginx in legacy, Mozilla intermediate and
// modern configurations, with expired and misnamed certificates; Mosquitto demanding a client
// certificate; and a stand-in for an SSL 3.0-era stack. Assertions are on the findings a user reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { scanTls, speaksTls, tlsFindings, tlsProber } from '../../../../src/scan/device/tls/probe-tls.ts';
import type { TlsObservation } from '../../../../src/scan/device/tls/observation.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { type Daemon, makeTempDir } from '../../../helpers/daemon.ts';
import { startMosquittoTls } from '../../../helpers/servers/mosquitto-tls.ts';
import { startNginxTls } from '../../../helpers/servers/nginx-tls.ts';
import { backdated, derOf, dhParams, selfSigned, signedBy } from './certificates.ts';
import { startFakeTlsServer } from './fake-tls-server.ts';

const MOZILLA_INTERMEDIATE_CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305';

function context(): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, connectionsPerSecond: 1000, readTimeoutMs: 3000 },
    login: false,
    credentials: loadDefaultCredentials(),
  });
}

function only(findings: Finding[], check: string): Finding[] {
  return findings.filter((f) => f.check === `probe/tls/${check}`);
}

function one(findings: Finding[], check: string): Finding {
  const found = only(findings, check);
  assert.equal(found.length, 1, `one ${check} finding expected, got ${JSON.stringify(found, null, 1)}`);
  return found[0]!;
}

function status(observation: TlsObservation, version: string): string {
  return observation.versions.find((v) => v.version === version)!.status;
}

const dir = makeTempDir('tls-certs');
after(() => dir.remove());

describe('nginx, legacy configuration (TLS 1.0-1.2, every OpenSSL suite, 1024-bit DH, self-signed RSA)', () => {
  let nginx: Daemon;
  before(async () => {
    const cert = selfSigned({ dir: dir.path, name: 'legacy', key: 'rsa:2048', commonName: 'legacy.test', days: 365 });
    nginx = await startNginxTls({
      ...cert,
      protocols: 'TLSv1 TLSv1.1 TLSv1.2',
      ciphers: 'ALL:3DES:@SECLEVEL=0',
      dhparam: dhParams(dir.path, 'dh_1024_160'),
    });
  });
  after(() => nginx.stop());

  it('is recognised as TLS', async () => {
    assert.equal(await speaksTls(context(), { host: nginx.host, port: nginx.port }), true);
  });

  it('reports the deprecated versions, anonymous suites, the small DH group and the self-signed certificate', async () => {
    const outcome = await tlsProber()({ endpoint: { host: nginx.host, port: nginx.port }, protocol: 'http', tls: true }, context());
    const { findings } = outcome;
    const legacy = one(findings, 'legacy-version');
    assert.equal(legacy.result, 'fail');
    assert.equal(legacy.severity, 'medium');
    assert.match(legacy.message, /TLS 1\.0/);
    assert.match(legacy.message, /TLS 1\.1/);
    const anon = only(findings, 'weak-cipher').find((f) => /anonymous/.test(f.message));
    assert.ok(anon, 'anonymous suites reported');
    assert.equal(anon.severity, 'high');
    assert.match(anon.message, /ADH-AES/);
    assert.equal(one(findings, 'weak-dh-group').result, 'fail');
    assert.match(one(findings, 'weak-dh-group').message, /1024-bit/);
    assert.equal(one(findings, 'self-signed-certificate').result, 'fail');
    assert.match(one(findings, 'self-signed-certificate').message, /legacy\.test/);
    assert.equal(one(findings, 'no-forward-secrecy').result, 'fail');
    assert.equal(one(findings, 'mozilla-profile').result, 'fail');
    assert.match(one(findings, 'mozilla-profile').message, /accepts TLS 1\.1, TLS 1\.0/);
    const summary = one(findings, 'summary');
    assert.match(summary.message, /TLS 1\.3: refused/);
    assert.match(summary.message, /SSL 3\.0: refused/);
    assert.ok(findings.every((f) => f.location.host === nginx.host && f.location.port === nginx.port));
    // Every OpenSSL suite with an RSA key takes more than 80 handshakes over three versions: the rest is said.
    assert.ok(
      outcome.incomplete.some((i) => /cipher suites/.test(i.part) && /cap of 80 handshakes/.test(i.reason)),
      JSON.stringify(outcome.incomplete),
    );
  });

  it('lists every suite of a version when the budget allows, and reads the key exchange groups', async () => {
    const observation = await scanTls(context(), { host: nginx.host, port: nginx.port }, 'legacy.test', { maxHandshakes: 200 });
    assert.deepEqual(observation.incomplete, []);
    const tls10 = observation.versions.find((v) => v.version === 'TLSv1.0')!;
    assert.equal(tls10.complete, true);
    assert.ok(tls10.suites.some((s) => s.openssl === 'AES128-SHA'));
    assert.ok(
      tls10.suites.every((s) => !s.aead),
      'TLS 1.0 has no AEAD suites',
    );
    const tls12 = observation.versions.find((v) => v.version === 'TLSv1.2')!;
    assert.ok(tls12.suites.some((s) => s.openssl === 'ECDHE-RSA-AES256-GCM-SHA384'));
    assert.ok(tls12.suites.length > 40, `${tls12.suites.length} TLS 1.2 suites`);
    assert.deepEqual(observation.keyExchange.dhPrimeBits, [1024]);
    assert.equal(observation.certificate?.hostMatch.commonNameOnly, true);
    const hostname = one(tlsFindings(observation).findings, 'certificate-hostname');
    assert.equal(hostname.severity, 'low');
    assert.match(hostname.message, /legacy\.test only in its subject common name/);
  });
});

describe('nginx, Mozilla intermediate configuration (TLS 1.2 and 1.3, ECDSA P-256 from a CA)', () => {
  let nginx: Daemon;
  before(async () => {
    const ca = selfSigned({ dir: dir.path, name: 'ca', key: 'ec:P-256', commonName: 'Baseline Test CA', days: 60 });
    const cert = signedBy(ca, {
      dir: dir.path,
      name: 'intermediate',
      key: 'ec:P-256',
      commonName: 'device.test',
      altNames: 'DNS:device.test,IP:127.0.0.1',
      days: 200,
    });
    nginx = await startNginxTls({ ...cert, protocols: 'TLSv1.2 TLSv1.3', ciphers: MOZILLA_INTERMEDIATE_CIPHERS });
  });
  after(() => nginx.stop());

  it('meets intermediate but not modern, with nothing to fix in versions, suites or certificate', async () => {
    const { findings, incomplete } = await tlsProber()(
      { endpoint: { host: nginx.host, port: nginx.port }, protocol: 'http', tls: true },
      context(),
    );
    assert.deepEqual(incomplete, []);
    const profile = one(findings, 'mozilla-profile');
    assert.equal(profile.result, 'pass');
    assert.match(profile.message, /Meets Mozilla intermediate/);
    assert.match(profile.message, /Not modern: accepts TLS 1\.2/);
    for (const check of [
      'legacy-version',
      'weak-cipher',
      'no-forward-secrecy',
      'no-aead',
      'certificate-expiry',
      'certificate-key',
      'certificate-signature',
      'self-signed-certificate',
      'certificate-hostname',
    ]) {
      assert.equal(one(findings, check).result, 'pass', `${check}: ${JSON.stringify(only(findings, check))}`);
    }
    assert.match(one(findings, 'certificate-hostname').message, /valid for 127\.0\.0\.1/);
    assert.match(one(findings, 'self-signed-certificate').message, /Baseline Test CA/);
    assert.match(one(findings, 'summary').evidence ?? '', /TLS 1\.3: .*TLS_AES_256_GCM_SHA384/);
  });
});

describe('nginx, modern configuration (TLS 1.3 only)', () => {
  let nginx: Daemon;
  before(async () => {
    const cert = selfSigned({
      dir: dir.path,
      name: 'modern',
      key: 'ec:P-256',
      commonName: 'modern.test',
      altNames: 'DNS:modern.test',
      days: 90,
    });
    nginx = await startNginxTls({ ...cert, protocols: 'TLSv1.3' });
  });
  after(() => nginx.stop());

  it('meets Mozilla modern; the certificate comes from a TLS 1.3 session', async () => {
    const observation = await scanTls(context(), { host: nginx.host, port: nginx.port }, 'modern.test');
    assert.equal(status(observation, 'TLSv1.3'), 'accepted');
    for (const old of ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3']) assert.equal(status(observation, old), 'refused', old);
    assert.deepEqual(
      observation.versions
        .find((v) => v.version === 'TLSv1.3')!
        .suites.map((s) => s.name)
        .sort(),
      ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
    );
    assert.equal(observation.certificate?.source, 'tls-session');
    assert.ok(observation.keyExchange.ecdhGroups.includes('X25519'));
    const { findings } = tlsFindings(observation);
    assert.equal(one(findings, 'mozilla-profile').result, 'pass');
    assert.match(one(findings, 'mozilla-profile').message, /Meets Mozilla modern/);
    assert.equal(one(findings, 'legacy-version').result, 'pass');
    assert.equal(one(findings, 'certificate-hostname').result, 'pass');
    assert.equal(one(findings, 'self-signed-certificate').result, 'fail');
  });
});

describe('nginx with an expired certificate for another name', () => {
  let nginx: Daemon;
  before(async () => {
    const cert = backdated({
      dir: dir.path,
      name: 'expired',
      key: 'rsa:2048',
      commonName: 'expired.test',
      altNames: 'DNS:expired.test',
      startDate: '20200101000000Z',
      endDate: '20210101000000Z',
    });
    nginx = await startNginxTls({ ...cert, protocols: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA' });
  });
  after(() => nginx.stop());

  it('reports the expiry date and the name mismatch', async () => {
    const observation = await scanTls(context(), { host: nginx.host, port: nginx.port }, 'camera.example', { maxHandshakes: 12 });
    const { findings } = tlsFindings(observation);
    const expiry = one(findings, 'certificate-expiry');
    assert.equal(expiry.result, 'fail');
    assert.equal(expiry.severity, 'high');
    assert.match(expiry.message, /expired on 2021-01-01/);
    const hostname = one(findings, 'certificate-hostname');
    assert.equal(hostname.result, 'fail');
    assert.equal(hostname.severity, 'medium');
    assert.match(hostname.message, /not valid for camera\.example/);
    assert.match(hostname.evidence ?? '', /DNS:expired\.test/);
    assert.equal(one(findings, 'no-forward-secrecy').severity, 'low');
    assert.match(one(findings, 'mozilla-profile').message, /accepts cipher suites outside the profile: TLS_RSA_WITH_AES_128_CBC_SHA/);
  });
});

describe('Mosquitto demanding a client certificate', () => {
  let broker: Daemon;
  before(async () => {
    const ca = selfSigned({ dir: dir.path, name: 'mqtt-ca', key: 'ec:P-256', commonName: 'MQTT Test CA', days: 30 });
    const cert = signedBy(ca, {
      dir: dir.path,
      name: 'broker',
      key: 'ec:P-256',
      commonName: 'broker.test',
      altNames: 'DNS:broker.test,IP:127.0.0.1',
      days: 30,
    });
    broker = await startMosquittoTls({ caFile: ca.certificate, ...cert, requireCertificate: true });
  });
  after(() => broker.stop());

  it('still yields versions, suites and certificate, and says a client certificate is asked for', async () => {
    const endpoint = { host: broker.host, port: broker.port };
    assert.equal(await speaksTls(context(), endpoint), true);
    const observation = await scanTls(context(), endpoint, undefined, { maxHandshakes: 40 });
    assert.equal(status(observation, 'TLSv1.2'), 'accepted');
    assert.equal(status(observation, 'TLSv1.3'), 'accepted');
    assert.equal(status(observation, 'TLSv1.0'), 'refused');
    assert.ok(observation.versions.find((v) => v.version === 'TLSv1.2')!.suites.some((s) => s.openssl === 'ECDHE-ECDSA-AES256-GCM-SHA384'));
    assert.equal(observation.clientCertificateRequested, true);
    assert.equal(observation.certificate?.source, 'handshake');
    assert.equal(observation.certificate?.chain[0]?.subject, 'CN=broker.test');
    const { findings } = tlsFindings(observation);
    assert.match(one(findings, 'summary').message, /asks for a client certificate/);
    assert.equal(one(findings, 'legacy-version').result, 'pass');
    assert.equal(one(findings, 'certificate-hostname').result, 'pass');
    assert.ok(!findings.some((f) => /not supported/i.test(f.message)));
  });
});

describe('an SSL 3.0-era stack (RC4, 3DES, export, MD5; 1024-bit RSA certificate signed with SHA-1)', () => {
  let server: Awaited<ReturnType<typeof startFakeTlsServer>>;
  before(async () => {
    const cert = selfSigned({ dir: dir.path, name: 'old', key: 'rsa:1024', commonName: 'old-camera', days: 3650, digest: 'sha1' });
    server = await startFakeTlsServer({
      versions: [0x0300, 0x0301],
      suites: [0x0005, 0x0004, 0x000a, 0x0003],
      chain: [derOf(cert.certificate)],
    });
  });
  after(() => server.close());

  it('reports SSL 3.0, each broken suite family, the weak key and the SHA-1 signature', async () => {
    const { findings, incomplete } = await tlsProber()(
      { endpoint: { host: '127.0.0.1', port: server.port }, protocol: 'unknown', tls: true },
      context(),
    );
    assert.deepEqual(incomplete, []);
    const legacy = one(findings, 'legacy-version');
    assert.equal(legacy.severity, 'high');
    assert.match(legacy.message, /Accepts TLS 1\.0 and SSL 3\.0, deprecated protocol versions and nothing newer/);
    const weak = only(findings, 'weak-cipher');
    const kind = (pattern: RegExp) => weak.find((f) => pattern.test(f.message));
    assert.equal(kind(/RC4 cipher suites/)?.severity, 'high');
    assert.match(kind(/RC4 cipher suites/)!.message, /RC4-SHA/);
    assert.equal(kind(/3DES cipher suite/)?.severity, 'medium');
    assert.match(kind(/3DES cipher suite/)!.message, /DES-CBC3-SHA\) with TLS 1\.0 and SSL 3\.0/);
    assert.equal(kind(/export-grade/)?.severity, 'high');
    assert.equal(kind(/HMAC-MD5/)?.severity, 'medium');
    assert.equal(one(findings, 'no-forward-secrecy').severity, 'medium');
    assert.equal(one(findings, 'no-aead').result, 'fail');
    assert.match(one(findings, 'certificate-key').message, /1024-bit RSA key/);
    assert.match(one(findings, 'certificate-signature').message, /sha1WithRSAEncryption \(SHA-1\)/);
    // Each version: one handshake per suite plus the refusal; the server saw SSL 3.0 hellos.
    assert.ok(server.hellos.some((h) => h.version === 0x0300));
  });
});
