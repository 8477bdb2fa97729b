// Each TLS check on observations written by hand: what passes, what fails, at which severity, and what the
// message tells the reader.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Check } from '../../../../src/scan/check.ts';
import { runCheck } from '../../../../src/scan/check.ts';
import {
  aeadCheck,
  certificateExpiryCheck,
  certificateKeyCheck,
  certificateSignatureCheck,
  dhGroupCheck,
  forwardSecrecyCheck,
  hostnameCheck,
  legacyVersionCheck,
  mozillaProfileCheck,
  selfSignedCheck,
  TLS_CHECKS,
  tlsSummaryCheck,
  weakCipherCheck,
} from '../../../../src/scan/device/tls/checks.ts';
import type { TlsObservation } from '../../../../src/scan/device/tls/observation.ts';
import { tlsFindings } from '../../../../src/scan/device/tls/probe-tls.ts';
import { certificate, daysFromObservation, observation } from './observations.ts';

interface Expected {
  result: string;
  severity?: string;
  message?: RegExp;
}

interface Case {
  name: string;
  observation: TlsObservation;
  expect: Expected[];
}

function table(check: Check<TlsObservation>, cases: Case[]): void {
  describe(check.id, () => {
    for (const c of cases) {
      it(c.name, () => {
        const findings = runCheck(check, c.observation);
        assert.equal(findings.length, c.expect.length, JSON.stringify(findings, null, 1));
        c.expect.forEach((expected, i) => {
          const finding = findings[i]!;
          assert.equal(finding.check, check.id);
          assert.equal(finding.result, expected.result, finding.message);
          if (expected.severity) assert.equal(finding.severity, expected.severity, finding.message);
          if (expected.message) assert.match(finding.message, expected.message);
          assert.deepEqual(finding.location, { host: '192.0.2.10', port: 443 });
          assert.ok(finding.provisions.length > 0 && finding.provisions.every((p) => ['5.5-1', '5.5-7', '5.8-1'].includes(p)));
        });
      });
    }
  });
}

const GOOD12 = ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'];

table(legacyVersionCheck, [
  {
    name: 'TLS 1.2 and 1.3 only: pass',
    observation: observation(),
    expect: [{ result: 'pass', message: /only TLS 1\.3 and TLS 1\.2.*refused/ }],
  },
  {
    name: 'TLS 1.0 beside TLS 1.2: medium',
    observation: observation({ accepted: { 'TLSv1.2': GOOD12, 'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA'] } }),
    expect: [{ result: 'fail', severity: 'medium', message: /Accepts TLS 1\.0, deprecated protocol version \(besides TLS 1\.2\)/ }],
  },
  {
    name: 'SSL 3.0: high',
    observation: observation({ accepted: { 'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA'], SSLv3: ['TLS_RSA_WITH_RC4_128_SHA'] } }),
    expect: [{ result: 'fail', severity: 'high', message: /TLS 1\.0 and SSL 3\.0.*nothing newer/ }],
  },
  {
    name: 'an untested old version: info, not pass',
    observation: observation({ accepted: { 'TLSv1.2': GOOD12 }, unknown: ['TLSv1.1'] }),
    expect: [{ result: 'info', message: /whether it accepts TLS 1\.1 could not be told/ }],
  },
  { name: 'nothing accepted: no finding', observation: observation({ accepted: {} }), expect: [] },
]);

table(weakCipherCheck, [
  { name: 'AEAD suites only: pass', observation: observation(), expect: [{ result: 'pass', message: /None of the 5 accepted/ }] },
  {
    name: 'RC4 and 3DES: one finding each, by weakness',
    observation: observation({ accepted: { 'TLSv1.2': [...GOOD12, 'TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'] } }),
    expect: [
      { result: 'fail', severity: 'high', message: /1 RC4 cipher suite: TLS_RSA_WITH_RC4_128_SHA \(RC4-SHA\) with TLS 1\.2/ },
      { result: 'fail', severity: 'medium', message: /1 3DES cipher suite: TLS_RSA_WITH_3DES_EDE_CBC_SHA \(DES-CBC3-SHA\)/ },
    ],
  },
  {
    name: 'NULL encryption: critical',
    observation: observation({ accepted: { 'TLSv1.2': [...GOOD12, 'TLS_RSA_WITH_NULL_SHA256'] } }),
    expect: [{ result: 'fail', severity: 'critical', message: /NULL \(unencrypted\)/ }],
  },
  {
    name: 'an export RC4-MD5 suite carries three weaknesses',
    observation: observation({ accepted: { 'TLSv1.0': ['TLS_RSA_EXPORT_WITH_RC4_40_MD5'] } }),
    expect: [
      { result: 'fail', severity: 'high', message: /export-grade/ },
      { result: 'fail', severity: 'high', message: /RC4/ },
      { result: 'fail', severity: 'medium', message: /HMAC-MD5/ },
    ],
  },
  {
    name: 'anonymous and single-DES suites',
    observation: observation({ accepted: { 'TLSv1.0': ['TLS_DH_anon_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_DES_CBC_SHA'] } }),
    expect: [
      { result: 'fail', severity: 'high', message: /anonymous/ },
      { result: 'fail', severity: 'high', message: /single-DES/ },
    ],
  },
  {
    name: 'sound suites but a cut-short list: info, not pass',
    observation: observation({ partial: ['TLSv1.2'] }),
    expect: [{ result: 'info', message: /incomplete/ }],
  },
]);

table(forwardSecrecyCheck, [
  { name: 'ECDHE and TLS 1.3 only: pass', observation: observation(), expect: [{ result: 'pass' }] },
  {
    name: 'RSA key transport only: medium',
    observation: observation({ accepted: { 'TLSv1.2': ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA'] } }),
    expect: [{ result: 'fail', severity: 'medium', message: /None of the 2 accepted cipher suites has forward secrecy/ }],
  },
  {
    name: 'RSA key transport beside ECDHE: low',
    observation: observation({ accepted: { 'TLSv1.2': [...GOOD12, 'TLS_RSA_WITH_AES_128_GCM_SHA256'] } }),
    expect: [
      {
        result: 'fail',
        severity: 'low',
        message: /1 cipher suite without forward secrecy besides ephemeral ones: TLS_RSA_WITH_AES_128_GCM_SHA256/,
      },
    ],
  },
]);

table(aeadCheck, [
  { name: 'GCM accepted: pass', observation: observation(), expect: [{ result: 'pass' }] },
  {
    name: 'CBC only, full list: medium',
    observation: observation({
      accepted: { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'], 'TLSv1.0': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] },
    }),
    expect: [{ result: 'fail', severity: 'medium', message: /No AEAD cipher suite: all 2 accepted suites use CBC/ }],
  },
  {
    name: 'CBC only but a cut-short list: info',
    observation: observation({ accepted: { 'TLSv1.2': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'] }, partial: ['TLSv1.2'] }),
    expect: [{ result: 'info', message: /No AEAD cipher suite among the 1 found/ }],
  },
]);

table(dhGroupCheck, [
  { name: 'no DHE seen: no finding', observation: observation(), expect: [] },
  { name: '2048 bits: pass', observation: observation({ dhPrimeBits: [2048] }), expect: [{ result: 'pass' }] },
  {
    name: '1024 bits: medium',
    observation: observation({ dhPrimeBits: [1024, 2048] }),
    expect: [{ result: 'fail', severity: 'medium', message: /1024-bit/ }],
  },
  { name: '512 bits: high', observation: observation({ dhPrimeBits: [512] }), expect: [{ result: 'fail', severity: 'high' }] },
]);

table(certificateExpiryCheck, [
  { name: 'valid: pass', observation: observation(), expect: [{ result: 'pass', message: /valid until/ }] },
  {
    name: 'expired: high',
    observation: observation({ chain: [certificate({ notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z' })] }),
    expect: [{ result: 'fail', severity: 'high', message: /server certificate "CN=device\.test" expired on 2021-01-01/ }],
  },
  {
    name: 'not yet valid: medium',
    observation: observation({ chain: [certificate({ notBefore: daysFromObservation(5), notAfter: daysFromObservation(100) })] }),
    expect: [{ result: 'fail', severity: 'medium', message: /is not valid until/ }],
  },
  {
    name: 'expiring within 30 days: low',
    observation: observation({ chain: [certificate({ notAfter: daysFromObservation(10.5) })] }),
    expect: [{ result: 'fail', severity: 'low', message: /expires in 10 days/ }],
  },
  {
    name: 'an expired certificate further up the chain',
    observation: observation({ chain: [certificate(), certificate({ subject: 'CN=Device CA', notAfter: daysFromObservation(-1) })] }),
    expect: [{ result: 'fail', severity: 'high', message: /chain certificate 2 "CN=Device CA" expired/ }],
  },
  { name: 'no certificate: no finding', observation: observation({ chain: null }), expect: [] },
]);

table(certificateKeyCheck, [
  { name: 'P-256: pass', observation: observation(), expect: [{ result: 'pass', message: /EC prime256v1/ }] },
  {
    name: 'RSA 2048: pass',
    observation: observation({ chain: [certificate({ keyType: 'rsa', keyBits: 2048, curve: undefined })] }),
    expect: [{ result: 'pass', message: /RSA 2048-bit/ }],
  },
  {
    name: 'RSA 1024: high',
    observation: observation({ chain: [certificate({ keyType: 'rsa', keyBits: 1024 })] }),
    expect: [{ result: 'fail', severity: 'high', message: /1024-bit RSA key/ }],
  },
  {
    name: 'RSA 512: critical',
    observation: observation({ chain: [certificate({ keyType: 'rsa', keyBits: 512 })] }),
    expect: [{ result: 'fail', severity: 'critical' }],
  },
  {
    name: 'EC secp224r1: high',
    observation: observation({ chain: [certificate({ curve: 'secp224r1', keyBits: 224 })] }),
    expect: [{ result: 'fail', severity: 'high', message: /secp224r1/ }],
  },
  {
    name: 'DSA: medium',
    observation: observation({ chain: [certificate({ keyType: 'dsa', keyBits: 2048 })] }),
    expect: [{ result: 'fail', severity: 'medium', message: /DSA/ }],
  },
]);

table(certificateSignatureCheck, [
  { name: 'SHA-256: pass', observation: observation(), expect: [{ result: 'pass', message: /ecdsa-with-SHA256/ }] },
  {
    name: 'SHA-1 on the leaf: medium',
    observation: observation({ chain: [certificate({ signatureAlgorithm: 'sha1WithRSAEncryption' })] }),
    expect: [{ result: 'fail', severity: 'medium', message: /sha1WithRSAEncryption \(SHA-1\)/ }],
  },
  {
    name: 'MD5 on an intermediate: high',
    observation: observation({ chain: [certificate(), certificate({ subject: 'CN=Sub CA', signatureAlgorithm: 'md5WithRSAEncryption' })] }),
    expect: [{ result: 'fail', severity: 'high', message: /chain certificate 2 "CN=Sub CA".*MD5/ }],
  },
  {
    name: 'a SHA-1 self-signature on the root is not relied on: pass',
    observation: observation({
      chain: [certificate(), certificate({ subject: 'CN=Root', selfSigned: true, signatureAlgorithm: 'sha1WithRSAEncryption' })],
    }),
    expect: [{ result: 'pass' }],
  },
]);

table(selfSignedCheck, [
  { name: 'issued by a CA: pass', observation: observation(), expect: [{ result: 'pass', message: /issued by "CN=Device CA"/ }] },
  {
    name: 'self-signed: medium',
    observation: observation({ chain: [certificate({ issuer: 'CN=device.test', selfSigned: true })] }),
    expect: [{ result: 'fail', severity: 'medium', message: /"CN=device\.test" is self-signed/ }],
  },
]);

table(hostnameCheck, [
  { name: 'matching name: pass', observation: observation(), expect: [{ result: 'pass', message: /valid for device\.test/ }] },
  {
    name: 'another name: medium',
    observation: observation({ hostMatch: { matches: false } }),
    expect: [{ result: 'fail', severity: 'medium', message: /not valid for device\.test/ }],
  },
  {
    name: 'the name only in the common name: low',
    observation: observation({ hostMatch: { matches: false, commonNameOnly: true } }),
    expect: [{ result: 'fail', severity: 'low', message: /only in its subject common name/ }],
  },
]);

const MODERN_CHAIN = [certificate({ notBefore: daysFromObservation(-10), notAfter: daysFromObservation(80) })];

table(mozillaProfileCheck, [
  {
    name: 'TLS 1.3 only, P-256, 90 days: modern',
    observation: observation({ accepted: { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] }, chain: MODERN_CHAIN }),
    expect: [{ result: 'pass', message: /^Meets Mozilla modern \(TLS 1\.3 only\)\.$/ }],
  },
  {
    name: 'TLS 1.2 with ECDHE-GCM as well: intermediate, and why not modern',
    observation: observation({ chain: MODERN_CHAIN }),
    expect: [{ result: 'pass', message: /Meets Mozilla intermediate.*Not modern: accepts TLS 1\.2/ }],
  },
  {
    name: 'an RSA certificate keeps a TLS 1.3-only server out of modern',
    observation: observation({
      accepted: { 'TLSv1.3': ['TLS_AES_256_GCM_SHA384'] },
      chain: [
        certificate({
          keyType: 'rsa',
          keyBits: 2048,
          curve: undefined,
          signatureAlgorithm: 'sha256WithRSAEncryption',
          notAfter: daysFromObservation(80),
        }),
      ],
    }),
    expect: [{ result: 'pass', message: /Meets Mozilla intermediate.*certificate key is RSA, not ECDSA/ }],
  },
  {
    name: 'TLS 1.0, a CBC suite and a ten-year certificate: neither',
    observation: observation({
      accepted: { 'TLSv1.2': GOOD12, 'TLSv1.0': ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'] },
      chain: [certificate({ notBefore: daysFromObservation(-100), notAfter: daysFromObservation(3550) })],
    }),
    expect: [
      {
        result: 'fail',
        severity: 'low',
        message: /Meets neither Mozilla profile\. .*accepts TLS 1\.0; .*valid for 3650 days, longer than 366/,
      },
    ],
  },
  {
    name: 'a 1024-bit DH group and a secp521r1 key exchange: neither',
    observation: observation({
      accepted: { 'TLSv1.2': ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] },
      dhPrimeBits: [1024],
      ecdhGroups: ['secp521r1'],
    }),
    expect: [{ result: 'fail', message: /1024-bit DH group, smaller than 2048; uses key exchange group secp521r1/ }],
  },
  {
    name: 'nothing wrong seen but the suite list cut short: info',
    observation: observation({ partial: ['TLSv1.2'] }),
    expect: [{ result: 'info', message: /the full cipher suite list could not be seen/ }],
  },
]);

table(tlsSummaryCheck, [
  {
    name: 'versions, certificate and profile in one line',
    observation: observation({ chain: MODERN_CHAIN }),
    expect: [
      {
        result: 'info',
        severity: 'info',
        message:
          /TLS 1\.3: 3 suites, TLS 1\.2: 2 suites, TLS 1\.1: refused.*EC prime256v1, issued by "CN=Device CA".*meets Mozilla intermediate/,
      },
    ],
  },
  {
    name: 'a cut-short list, no certificate, a client certificate asked for',
    observation: observation({ partial: ['TLSv1.2'], chain: null, clientCertificateRequested: true, unknown: ['SSLv3'] }),
    expect: [{ result: 'info', message: /TLS 1\.2: 2\+ suites.*SSL 3\.0: unknown; certificate not seen.*asks for a client certificate/ }],
  },
]);

describe('tlsFindings', () => {
  it('runs every check and passes the incomplete parts on', () => {
    const observed = observation();
    observed.incomplete.push({ part: '192.0.2.10:443 TLS 1.0', reason: 'no TLS data within 5000 ms' });
    const outcome = tlsFindings(observed);
    assert.deepEqual(outcome.incomplete, observed.incomplete);
    assert.equal(new Set(TLS_CHECKS.map((c) => c.id)).size, TLS_CHECKS.length);
    assert.ok(TLS_CHECKS.every((c) => /^probe\/tls\/[a-z-]+$/.test(c.id)));
    // A sound server: every finding passes or informs.
    assert.deepEqual(
      outcome.findings.filter((f) => f.result === 'fail'),
      [],
    );
    assert.ok(outcome.findings.some((f) => f.check === 'probe/tls/summary'));
  });
});
