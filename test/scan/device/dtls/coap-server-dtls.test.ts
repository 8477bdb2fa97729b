// The DTLS prober against Debian's libcoap 4.3 coap-server-openssl on 127.0.0.1: with a pre-shared key,
// with a certificate, and with both. Versions, the suites accepted (through the cookie exchange), whether
// the server takes pre-shared keys or certificates, and the certificate checks shared with TLS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { probeDtls } from '../../../../src/scan/device/dtls/probe-dtls.ts';
import { scanDtls } from '../../../../src/scan/device/dtls/scan-dtls.ts';
import { dtlsAuthentication } from '../../../../src/scan/device/dtls/checks.ts';
import { identifyUdp } from '../../../../src/scan/device/identify-udp.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import type { IdentifiedService } from '../../../../src/scan/device/service.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { type CoapServer, startCoapServer } from '../../../helpers/servers/coap-server.ts';

function context(): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 2000, connectionsPerSecond: 200 },
    login: false,
    credentials: loadDefaultCredentials(),
  });
}

function dtlsService(server: CoapServer): IdentifiedService {
  assert.ok(server.dtlsPort);
  return { endpoint: { host: server.host, port: server.dtlsPort }, protocol: 'unknown', tls: true, transport: 'udp' };
}

describe('coap-server-openssl with a pre-shared key', () => {
  let server: CoapServer;
  before(async () => {
    server = await startCoapServer({ dtls: { psk: 'secret-psk-key' } });
  });
  after(() => server.stop());

  it('is told apart: DTLS on the coaps port, plain CoAP on the other', async () => {
    assert.equal((await identifyUdp(context(), { host: server.host, port: server.dtlsPort! })).state, 'dtls');
    assert.equal((await identifyUdp(context(), { host: server.host, port: server.port })).state, 'coap');
  });

  it('reports DTLS 1.2 only, PSK suites only, the cookie exchange and the identity hint', async () => {
    const outcome = await probeDtls(dtlsService(server), context());
    const by = (check: string) => outcome.findings.find((f) => f.check === check);
    assert.equal(by('probe/tls/legacy-version')?.result, 'pass');
    assert.equal(by('probe/tls/legacy-version')?.message, 'Accepts only DTLS 1.2; DTLS 1.0 is refused.');
    const summary = by('probe/dtls/summary')?.message ?? '';
    assert.match(summary, /DTLS 1\.2: \d+ suites, DTLS 1\.0: refused; chose TLS_\w*PSK\w* /);
    assert.match(summary, /pre-shared keys only/);
    assert.match(summary, /cookie exchange \(HelloVerifyRequest\) used/);
    assert.match(summary, /PSK identity hint "CoAP"/);
    // No certificate to show is no gap for a PSK server; the suite list is complete.
    assert.deepEqual(outcome.incomplete, []);
    assert.match(outcome.note ?? '', /^DTLS 1\.2 with pre-shared keys only/);
    // Plain PSK suites lack forward secrecy: judged as the TLS check judges them.
    assert.equal(by('probe/tls/no-forward-secrecy')?.result, 'fail');
    assert.match(by('probe/tls/no-forward-secrecy')?.message ?? '', /with DTLS 1\.2/);
  });
});

describe('coap-server-openssl with a certificate', () => {
  let server: CoapServer;
  before(async () => {
    server = await startCoapServer({ dtls: { certificate: true } });
  });
  after(() => server.stop());

  it('reads the certificate from the plaintext flight and judges it with the TLS checks', async () => {
    const observation = await scanDtls(context(), dtlsService(server));
    assert.ok(observation.tls);
    assert.equal(dtlsAuthentication(observation.tls), 'certificate-only');
    assert.equal(observation.tls.certificate?.chain[0]?.subject, 'CN=coap.test');
    assert.equal(observation.cookieExchange, true);
    const outcome = await probeDtls(dtlsService(server), context());
    const by = (check: string) => outcome.findings.find((f) => f.check === check);
    assert.equal(by('probe/tls/self-signed-certificate')?.result, 'fail');
    assert.equal(by('probe/tls/certificate-hostname')?.result, 'fail');
    assert.equal(by('probe/tls/certificate-key')?.result, 'pass');
    assert.equal(by('probe/tls/no-forward-secrecy')?.result, 'pass');
    assert.match(by('probe/dtls/summary')?.message ?? '', /certificates only .*certificate "CN=coap\.test" \(self-signed\)/);
  });
});

describe('coap-server-openssl with a pre-shared key and a certificate', () => {
  let server: CoapServer;
  before(async () => {
    server = await startCoapServer({ dtls: { psk: 'secret-psk-key', certificate: true } });
  });
  after(() => server.stop());

  it('says it takes both', async () => {
    const observation = await scanDtls(context(), dtlsService(server));
    assert.ok(observation.tls);
    assert.equal(dtlsAuthentication(observation.tls), 'psk-and-certificate');
  });
});
