// The DTLS summary and the TLS checks run on DTLS observations written by hand: DTLS versions named as
// such, DTLS 1.0 failing as a legacy version, and how the server authenticates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck } from '../../../../src/scan/check.ts';
import { dtlsAuthentication, dtlsSummaryCheck } from '../../../../src/scan/device/dtls/checks.ts';
import { dtlsFindings } from '../../../../src/scan/device/dtls/probe-dtls.ts';
import type { DtlsObservation } from '../../../../src/scan/device/dtls/scan-dtls.ts';
import { legacyVersionCheck, weakCipherCheck } from '../../../../src/scan/device/tls/checks.ts';
import type { TlsObservation } from '../../../../src/scan/device/tls/observation.ts';
import { certificate, observation as tlsObservation, type ObservationSpec } from '../tls/observations.ts';

const endpoint = { host: '192.0.2.30', port: 5684 };

/** A DTLS observation: the TLS builder's, cut to DTLS 1.2 (TLSv1.2) and DTLS 1.0 (TLSv1.1). */
function dtls(spec: ObservationSpec): TlsObservation {
  const t = tlsObservation(spec);
  return { ...t, protocol: 'DTLS', endpoint, versions: t.versions.filter((v) => v.version === 'TLSv1.2' || v.version === 'TLSv1.1') };
}

function observed(tls: TlsObservation | undefined, extra: Partial<DtlsObservation> = {}): DtlsObservation {
  return {
    service: { endpoint, protocol: 'unknown', tls: true, transport: 'udp' },
    ...(tls ? { tls } : {}),
    cookieExchange: true,
    incomplete: [],
    ...extra,
  };
}

const PSK = {
  accepted: { 'TLSv1.2': ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256'] },
  chain: null,
} satisfies ObservationSpec;
const CERTIFICATE = { accepted: { 'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'] } } satisfies ObservationSpec;

describe('how a DTLS server authenticates', () => {
  const cases: [string, ObservationSpec, string][] = [
    ['PSK suites only', PSK, 'psk-only'],
    ['certificate suites only', CERTIFICATE, 'certificate-only'],
    ['both', { accepted: { 'TLSv1.2': ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'] } }, 'psk-and-certificate'],
    [
      'RSA-PSK counts as both (a certificate for the server, a key for the client)',
      { accepted: { 'TLSv1.2': ['TLS_RSA_PSK_WITH_AES_128_GCM_SHA256'] } },
      'psk-and-certificate',
    ],
    ['anonymous suites are neither', { accepted: { 'TLSv1.2': ['TLS_ECDH_anon_WITH_AES_128_CBC_SHA'] } }, 'other'],
    ['nothing accepted', { accepted: {} }, 'unknown'],
  ];
  for (const [name, spec, expected] of cases) it(name, () => assert.equal(dtlsAuthentication(dtls(spec)), expected));
});

describe('probe/dtls/summary', () => {
  const summary = (o: DtlsObservation) => {
    const findings = runCheck(dtlsSummaryCheck, o);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.result, 'info');
    assert.deepEqual(findings[0]?.location, endpoint);
    return findings[0]!;
  };

  it('names the versions, the first choice, PSK only, the cookie exchange and the hint', () => {
    const f = summary(observed(dtls(PSK), { identityHint: 'thermostat-0042' }));
    assert.equal(
      f.message,
      'DTLS on 192.0.2.30:5684 (UDP): DTLS 1.2: 2 suites, DTLS 1.0: refused; chose TLS_PSK_WITH_AES_128_CCM_8 (PSK-AES128-CCM8) when offered every DTLS 1.2 suite; authentication: pre-shared keys only (PSK suites; no certificate); cookie exchange (HelloVerifyRequest) used; PSK identity hint "thermostat-0042".',
    );
    assert.match(f.evidence ?? '', /^DTLS 1\.2: PSK-AES128-CCM8 PSK-AES128-GCM-SHA256/);
  });

  it('says when the server picks the mode by the offer, asks for a client certificate, or skips cookies', () => {
    const t = {
      ...dtls({ accepted: { 'TLSv1.2': ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'] } }),
      clientCertificateRequested: true,
    };
    const f = summary(observed(t, { modeByOffer: true, cookieExchange: false }));
    assert.match(f.message, /both pre-shared keys and certificates, each only in a hello offering no suite of the other/);
    assert.match(f.message, /the server asks for a client certificate/);
    assert.match(f.message, /no cookie exchange: the server answers a hello from any address/);
    assert.match(f.message, /certificate "CN=device\.test" \(issued by "CN=Device CA"\)/);
  });

  it('says why nothing was measured', () => {
    const f = summary(observed(undefined, { incomplete: [{ part: 'x', reason: 'no DTLS answer within 300 ms to 3 ClientHellos' }] }));
    assert.equal(f.message, 'DTLS on 192.0.2.30:5684 (UDP): no handshake could be made (no DTLS answer within 300 ms to 3 ClientHellos)');
  });
});

describe('the TLS checks on a DTLS observation', () => {
  it('fail DTLS 1.0 as a legacy version, naming DTLS versions', () => {
    const findings = runCheck(
      legacyVersionCheck,
      dtls({ accepted: { 'TLSv1.2': ['TLS_PSK_WITH_AES_128_CCM_8'], 'TLSv1.1': ['TLS_PSK_WITH_AES_128_CBC_SHA'] } }),
    );
    assert.deepEqual(
      findings.map((f) => [f.result, f.severity, f.message]),
      [['fail', 'medium', 'Accepts DTLS 1.0, deprecated protocol version (besides DTLS 1.2).']],
    );
  });

  it('pass when only DTLS 1.2 is accepted', () => {
    assert.equal(runCheck(legacyVersionCheck, dtls(PSK))[0]?.message, 'Accepts only DTLS 1.2; DTLS 1.0 is refused.');
  });

  it('report weak suites with the DTLS version', () => {
    const findings = runCheck(weakCipherCheck, dtls({ accepted: { 'TLSv1.2': ['TLS_PSK_WITH_NULL_SHA256'] } }));
    assert.equal(findings[0]?.severity, 'critical');
    assert.match(findings[0]?.message ?? '', /TLS_PSK_WITH_NULL_SHA256 \(PSK-NULL-SHA256\) with DTLS 1\.2/);
  });

  it('all come out for one port: shared TLS checks first, the summary last, no Mozilla profile', () => {
    const checks = dtlsFindings(observed(dtls({ ...CERTIFICATE, chain: [certificate({ selfSigned: true })] }))).map((f) => f.check);
    assert.equal(checks.at(-1), 'probe/dtls/summary');
    assert.ok(checks.includes('probe/tls/self-signed-certificate'));
    assert.ok(!checks.includes('probe/tls/mozilla-profile'));
    assert.ok(!checks.includes('probe/tls/summary'));
  });
});
