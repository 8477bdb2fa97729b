// The HTTP checks on hand-made observations (passing and failing cases), and the endpoint catalog:
// the shipped file loads, broken files are refused with their line, and the exposure test needs a
// real match that a random path does not share.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck } from '../../../../src/scan/check.ts';
import {
  cleartextLoginCheck,
  hstsCheck,
  httpSummaryCheck,
  redactSecrets,
  softwareDisclosureCheck,
  unauthenticatedEndpointCheck,
} from '../../../../src/scan/device/http/checks.ts';
import { endpointCatalog, loadEndpointCatalog, looksExposed } from '../../../../src/scan/device/http/endpoint-catalog.ts';
import type { HttpObservation, LoginInterface } from '../../../../src/scan/device/http/observe.ts';

const endpoint = { host: '192.0.2.10', port: 80 };

function observation(overrides: Partial<HttpObservation> = {}, tls = false): HttpObservation {
  return {
    service: { endpoint, protocol: 'http', tls },
    root: { path: '/', status: 200 },
    disclosures: [],
    loginInterfaces: [],
    endpointsChecked: 15,
    exposed: [],
    failures: [],
    ...overrides,
  };
}

const basicLogin: LoginInterface = {
  path: '/admin/',
  kind: 'http-auth',
  schemes: ['Basic'],
  challenges: [{ scheme: 'Basic', params: { realm: 'Admin' } }],
  realm: 'Admin',
};
const digestLogin: LoginInterface = {
  path: '/setup/',
  kind: 'http-auth',
  schemes: ['Digest'],
  challenges: [{ scheme: 'Digest', params: { realm: 'Cam', nonce: 'n' } }],
  realm: 'Cam',
};
const formLogin: LoginInterface = { path: '/login.html', kind: 'form', schemes: [], challenges: [] };

interface Case {
  name: string;
  observation: HttpObservation;
  expect: { result: string; severity?: string; message?: RegExp }[];
}

function runTable(check: Parameters<typeof runCheck>[0], cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const findings = runCheck(check, c.observation);
      assert.equal(findings.length, c.expect.length, JSON.stringify(findings, null, 1));
      c.expect.forEach((e, i) => {
        const f = findings[i];
        assert.ok(f);
        assert.equal(f.check, check.id);
        assert.equal(f.result, e.result);
        if (e.severity) assert.equal(f.severity, e.severity);
        if (e.message) assert.match(f.message, e.message);
        assert.deepEqual(f.location, endpoint);
      });
    });
  }
}

describe('probe/http/software-disclosure', () => {
  runTable(softwareDisclosureCheck, [
    {
      name: 'fails on a versioned Server header',
      observation: observation({ disclosures: [{ where: 'Server header', text: 'lighttpd/1.4.69', versioned: true }] }),
      expect: [{ result: 'fail', severity: 'low', message: /lighttpd\/1\.4\.69 \(Server header\)/ }],
    },
    {
      name: 'notes a software name without a version',
      observation: observation({ disclosures: [{ where: 'Server header', text: 'nginx', versioned: false }] }),
      expect: [{ result: 'info', message: /without a version: nginx/ }],
    },
    { name: 'passes when nothing is named', observation: observation(), expect: [{ result: 'pass' }] },
    { name: 'says nothing when the root page was not fetched', observation: observation({ root: undefined }), expect: [] },
  ]);
});

describe('probe/http/cleartext-login', () => {
  runTable(cleartextLoginCheck, [
    {
      name: 'fails high for Basic over plain HTTP',
      observation: observation({ loginInterfaces: [basicLogin] }),
      expect: [{ result: 'fail', severity: 'high', message: /password crosses the network unencrypted: HTTP Basic .*\/admin\// }],
    },
    {
      name: 'fails high for a login form over plain HTTP',
      observation: observation({ loginInterfaces: [formLogin] }),
      expect: [{ result: 'fail', severity: 'high', message: /login form at \/login\.html/ }],
    },
    {
      name: 'fails medium for Digest only over plain HTTP',
      observation: observation({ loginInterfaces: [digestLogin] }),
      expect: [{ result: 'fail', severity: 'medium', message: /Digest login over plain HTTP/ }],
    },
    {
      name: 'notes a login over TLS as info',
      observation: observation({ loginInterfaces: [basicLogin] }, true),
      expect: [{ result: 'info', severity: 'info', message: /over TLS/ }],
    },
    { name: 'says nothing without a login interface', observation: observation(), expect: [] },
  ]);

  it('cites the communication and personal-data provisions', () => {
    assert.deepEqual(cleartextLoginCheck.provisions, ['5.5-1', '5.5-7', '5.8-1']);
  });
});

describe('probe/http/unauthenticated-endpoint', () => {
  const exposed = {
    entry: {
      id: 'wled-config',
      path: '/json/cfg',
      title: 'WLED configuration',
      kind: 'configuration' as const,
      severity: 'medium' as const,
    },
    bytes: 211,
    excerpt: '{"nw":{"ins":[{"ssid":"Home","psk":"hunter2secret"}]},"mqtt":{"pass":"m0squit0"}}',
  };
  runTable(unauthenticatedEndpointCheck, [
    {
      name: 'fails with the entry severity and redacts secrets',
      observation: observation({ exposed: [exposed] }),
      expect: [{ result: 'fail', severity: 'medium', message: /GET \/json\/cfg returned the WLED configuration/ }],
    },
    {
      name: 'passes when none of the checked endpoints is open, noting a catch-all',
      observation: observation({ randomPathStatus: 200 }),
      expect: [{ result: 'pass', message: /none of 15 .*answers 200 to any path/ }],
    },
    { name: 'says nothing when no endpoint could be checked', observation: observation({ endpointsChecked: 0 }), expect: [] },
  ]);

  it('keeps secrets out of the evidence', () => {
    const [finding] = runCheck(unauthenticatedEndpointCheck, observation({ exposed: [exposed] }));
    assert.doesNotMatch(finding?.evidence ?? '', /hunter2secret|m0squit0/);
    assert.match(finding?.evidence ?? '', /"ssid":"Home"/);
  });

  it('redactSecrets handles key=value and JSON forms', () => {
    assert.equal(redactSecrets('user=admin&password=letmein&x=1'), 'user=admin&password=***&x=1');
    assert.equal(redactSecrets('{"wifi_psk": "abc"}'), '{"wifi_psk": "***"}');
  });
});

describe('probe/http/summary', () => {
  runTable(httpSummaryCheck, [
    {
      name: 'summarises the service',
      observation: observation({
        root: { path: '/login.html', status: 200, server: 'Boa/0.94', title: 'Camera' },
        randomPathStatus: 404,
        loginInterfaces: [formLogin],
      }),
      expect: [
        {
          result: 'info',
          message:
            /HTTP on 192\.0\.2\.10:80: GET \/login\.html → 200, title "Camera", Server: Boa\/0\.94, unknown paths → 404, login: a login form/,
        },
      ],
    },
    {
      name: 'says when the root page failed',
      observation: observation({ root: undefined, endpointsChecked: 0, failures: [{ path: '/', reason: 'timeout' }] }),
      expect: [{ result: 'info', message: /root page could not be fetched.*1 requests failed/ }],
    },
  ]);
});

describe('endpoint catalog', () => {
  it('loads the shipped list: bounded, GET-able paths, every pattern compiled', () => {
    const { endpoints, loginPaths } = endpointCatalog();
    assert.ok(endpoints.length >= 10 && endpoints.length <= 40);
    for (const e of endpoints) {
      assert.match(e.path, /^\/[\x21-\x7e]*$/);
      assert.ok(e.patterns.length > 0 && e.source.length > 3);
    }
    assert.ok(loginPaths.includes('/admin/'));
  });

  const entry = (match: string[], path = '/x') => `paths:
  - id: one
    path: ${path}
    title: A file
    kind: configuration
    match: [${match.map((m) => `'${m}'`).join(', ')}]
    severity: high
    rationale: It matters because it does.
    source: somewhere
login-paths: []
`;

  it('refuses a broken pattern with its line', () => {
    assert.throws(() => loadEndpointCatalog('t.yaml', entry(['(unclosed'])), /t\.yaml:6:.*not a regular expression/);
  });

  it('refuses dot segments and spaces in paths', () => {
    assert.throws(() => loadEndpointCatalog('t.yaml', entry(['abc'], '/a/../etc/passwd')), /no \. or \.\. segments/);
    assert.throws(() => loadEndpointCatalog('t.yaml', entry(['abc'], '"/a b"')), /printable ASCII/);
  });

  it('refuses an id used twice', () => {
    const text = entry(['abc']).replace('login-paths', entry(['abc'], '/y').split('\n').slice(1, 9).join('\n') + '\nlogin-paths');
    assert.throws(() => loadEndpointCatalog('t.yaml', text), /used twice/);
  });

  it('looksExposed needs status 200, every pattern, and a random path that does not match too', () => {
    const wled = endpointCatalog().endpoints.find((e) => e.id === 'wled-config');
    assert.ok(wled);
    const config = Buffer.from('{"nw":{"ins":[{"ssid":"Home"}]}}');
    assert.equal(looksExposed(wled, { status: 200, body: config }), true);
    assert.equal(looksExposed(wled, { status: 404, body: config }), false);
    assert.equal(looksExposed(wled, { status: 200, body: Buffer.from('{"nw":{"ins":[]}}') }), false);
    assert.equal(looksExposed(wled, { status: 200, body: config }, { status: 404, body: config }), true);
    assert.equal(looksExposed(wled, { status: 200, body: config }, { status: 200, body: Buffer.from('<html>app</html>') }), true);
    assert.equal(looksExposed(wled, { status: 200, body: config }, { status: 200, body: config }), false);
  });
});

describe('probe/http/hsts', () => {
  const cases: [string, HttpObservation, string | undefined, RegExp][] = [
    ['plain HTTP is not its business', observation(), undefined, /./],
    ['HTTPS without the header fails', observation({}, true), 'fail', /no Strict-Transport-Security header/],
    ['a token max-age is noted', observation({ root: { path: '/', status: 200, hsts: 'max-age=300' } }, true), 'info', /under 180 days/],
    [
      'a year passes',
      observation({ root: { path: '/', status: 200, hsts: 'max-age=31536000; includeSubDomains' } }, true),
      'pass',
      /max-age=31536000/,
    ],
  ];
  for (const [name, o, result, message] of cases) {
    it(name, () => {
      const findings = runCheck(hstsCheck, o);
      assert.equal(findings[0]?.result, result);
      if (result) assert.match(findings[0]?.message ?? '', message);
    });
  }
});
