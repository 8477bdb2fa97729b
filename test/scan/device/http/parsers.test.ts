// The hand-written HTTP pieces: the WWW-Authenticate parser (examples and fuzzing: only AuthHeaderError
// may escape), Digest answers against the worked examples of RFC 7616, the disclosure helpers, and the
// answer judgement and HTTP recognition used by the prober.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { digestAuthorization, digestUnsupported } from '../../../../src/scan/device/http/digest.ts';
import { headerDisclosures, pageDisclosures, versionMention } from '../../../../src/scan/device/http/disclosure.ts';
import { chooseLoginTarget, judgeAuthenticatedResponse } from '../../../../src/scan/device/http/http-login.ts';
import { looksLikeHttpResponse } from '../../../../src/scan/device/http/index.ts';
import { AuthHeaderError, parseWwwAuthenticate } from '../../../../src/scan/device/http/www-authenticate.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

describe('parseWwwAuthenticate', () => {
  it('reads one Basic challenge', () => {
    assert.deepEqual(parseWwwAuthenticate('Basic realm="Router Admin"'), [{ scheme: 'Basic', params: { realm: 'Router Admin' } }]);
  });

  it('splits two challenges joined by a comma, with quoted commas and escapes kept', () => {
    const challenges = parseWwwAuthenticate(
      'Digest realm="a, b", nonce="n\\"1", qop="auth,auth-int", algorithm=SHA-256, Basic realm="x", charset=UTF-8',
    );
    assert.equal(challenges.length, 2);
    assert.deepEqual(challenges[0], {
      scheme: 'Digest',
      params: { realm: 'a, b', nonce: 'n"1', qop: 'auth,auth-int', algorithm: 'SHA-256' },
    });
    assert.deepEqual(challenges[1], { scheme: 'Basic', params: { realm: 'x', charset: 'UTF-8' } });
  });

  it('reads token68 and bare schemes', () => {
    assert.deepEqual(parseWwwAuthenticate('Negotiate abc+/12==, NTLM'), [
      { scheme: 'Negotiate', params: {}, token68: 'abc+/12==' },
      { scheme: 'NTLM', params: {} },
    ]);
  });

  it('lower-cases parameter names and keeps the first of a repeated one', () => {
    assert.deepEqual(parseWwwAuthenticate('Basic REALM=one, realm=two').at(0)?.params, { realm: 'one' });
  });

  for (const bad of ['Basic realm="unterminated', '"quoted-scheme"', 'Basic realm=@', 'Basic realm="a" junk', 'Digest realm="a",, =x']) {
    it(`refuses ${JSON.stringify(bad)} with AuthHeaderError`, () => {
      assert.throws(() => parseWwwAuthenticate(bad), AuthHeaderError);
    });
  }

  it('refuses an oversized header without scanning it', () => {
    assert.throws(() => parseWwwAuthenticate(`Basic realm="${'a'.repeat(20_000)}"`), /longer than/);
  });

  const onlyOwnErrors = (value: string) => {
    try {
      const challenges = parseWwwAuthenticate(value);
      for (const c of challenges) assert.ok(c.scheme.length > 0);
    } catch (error) {
      if (!(error instanceof AuthHeaderError)) throw error;
    }
  };

  it('fuzz: random text raises nothing but AuthHeaderError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), onlyOwnErrors), { numRuns: RUNS });
  });

  it('fuzz: mutated real headers raise nothing but AuthHeaderError', () => {
    const seeds = [
      'Basic realm="Router Admin"',
      'Digest realm="Camera", charset="UTF-8", algorithm=SHA-256, nonce="6b02:05f3", qop="auth"',
      'Negotiate, Basic realm="x"',
      'Bearer error="invalid_token", error_description="expired"',
    ];
    const piece = fc.constantFrom('"', '\\', ',', '=', ' ', '\t', 'realm', 'Basic', '==', '\x00', 'é');
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(3), piece), { maxLength: 6 }))
      .map(([seed, edits]) =>
        edits.reduce((text, [at, remove, insert]) => {
          const i = at % (text.length + 1);
          return text.slice(0, i) + insert + text.slice(i + remove);
        }, seed),
      );
    fc.assert(fc.property(mutated, onlyOwnErrors), { numRuns: RUNS });
  });
});

describe('digestAuthorization (RFC 7616 section 3.9.1 examples)', () => {
  const challenge = (algorithm: string) => ({
    scheme: 'Digest',
    params: {
      realm: 'http-auth@example.org',
      qop: 'auth, auth-int',
      algorithm,
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    },
  });
  const answer = (algorithm: string) =>
    digestAuthorization(challenge(algorithm), {
      method: 'GET',
      uri: '/dir/index.html',
      username: 'Mufasa',
      password: 'Circle of Life',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });

  it('computes the MD5 response', () => {
    const header = answer('MD5');
    assert.match(header, /response="8ca523f5e9506fed4657c9700eebdbec"/);
    assert.match(header, /qop=auth, nc=00000001, cnonce="f2\/wE4q74E6zIJEtWaHKaf5wv\/H5QzzpXusqGemxURZJ"/);
    assert.match(header, /opaque="FQhe\/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"/);
  });

  it('computes the SHA-256 response', () => {
    assert.match(answer('SHA-256'), /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/);
  });

  it('says which challenges it cannot answer', () => {
    assert.match(digestUnsupported({ scheme: 'Digest', params: { realm: 'r', nonce: 'n', algorithm: 'SHA-1' } }) ?? '', /SHA-1/);
    assert.match(digestUnsupported({ scheme: 'Digest', params: { realm: 'r' } }) ?? '', /nonce/);
    assert.match(digestUnsupported({ scheme: 'Digest', params: { realm: 'r', nonce: 'n', qop: 'auth-conf' } }) ?? '', /qop/);
    assert.equal(digestUnsupported({ scheme: 'Digest', params: { realm: 'r', nonce: 'n', algorithm: 'SHA-256-sess' } }), undefined);
  });

  it('uses the RFC 2069 form when the server names no qop', () => {
    const header = digestAuthorization(
      { scheme: 'Digest', params: { realm: 'r', nonce: 'n' } },
      { method: 'GET', uri: '/', username: 'u', password: 'p' },
    );
    assert.doesNotMatch(header, /qop=|nc=|cnonce=/);
  });
});

describe('chooseLoginTarget and judgeAuthenticatedResponse', () => {
  it('prefers a Digest challenge it can answer, else Basic', () => {
    const basic = { scheme: 'Basic', params: { realm: 'b' } };
    const digest = { scheme: 'Digest', params: { realm: 'd', nonce: 'n' } };
    const oddDigest = { scheme: 'Digest', params: { realm: 'd', nonce: 'n', algorithm: 'SHA-1' } };
    assert.equal(chooseLoginTarget('/a', [basic, digest])?.scheme, 'digest');
    assert.equal(chooseLoginTarget('/a', [oddDigest, basic])?.scheme, 'basic');
    assert.equal(chooseLoginTarget('/a', [{ scheme: 'Negotiate', params: {} }]), undefined);
  });

  const table: [number, Record<string, string>, 'accepted' | 'rejected' | 'error'][] = [
    [200, {}, 'accepted'],
    [302, {}, 'accepted'],
    [404, {}, 'accepted'],
    [401, { 'www-authenticate': 'Basic realm="x"' }, 'rejected'],
    [401, { 'www-authenticate': 'Digest realm="x", nonce="n", stale=true' }, 'error'],
    [401, { 'www-authenticate': 'Basic realm="unterminated' }, 'rejected'],
    [403, {}, 'error'],
    [429, {}, 'error'],
    [503, {}, 'error'],
  ];
  for (const [status, headers, expected] of table) {
    it(`HTTP ${status} ${headers['www-authenticate'] ?? ''} after credentials is ${expected}`, () => {
      const result = judgeAuthenticatedResponse({ status, headers });
      const got = result.accepted ? 'accepted' : result.error ? 'error' : 'rejected';
      assert.equal(got, expected);
    });
  }
});

describe('disclosure helpers', () => {
  const mentions: [string, string | undefined][] = [
    ['nginx/1.22.1', 'nginx/1.22.1'],
    ['220 (vsFTPd 3.0.3)', 'vsFTPd 3.0.3'],
    ['BusyBox v1.35.0 (Debian 1:1.35.0-4) built-in shell', 'BusyBox v1.35.0'],
    ['Debian GNU/Linux 12', 'Debian GNU/Linux 12'],
    ['HTTP/1.1 200 OK', undefined],
    ['Welcome, connect from 192.168.1.20', undefined],
    ['router login:', undefined],
  ];
  for (const [text, expected] of mentions) {
    it(`versionMention(${JSON.stringify(text)}) is ${expected ?? 'nothing'}`, () => assert.equal(versionMention(text), expected));
  }

  it('separates versioned from bare software headers', () => {
    const found = headerDisclosures({ server: 'nginx', 'x-powered-by': 'PHP/8.2.7', via: '1.1 proxy', 'x-aspnet-version': '4.0.30319' });
    assert.deepEqual(
      found.map((d) => [d.where, d.versioned]),
      [
        ['Server header', false],
        ['X-Powered-By header', true],
        ['X-Aspnet-Version header', true],
        ['Via header', false],
      ],
    );
  });

  it('recognises stock pages, signed error pages and generator tags', () => {
    const found = pageDisclosures(
      'page /',
      '<title>Welcome to nginx!</title><hr><center>nginx/1.22.1</center><meta name="generator" content="WordPress 6.4">',
    );
    assert.deepEqual(
      found.map((d) => d.text),
      ['nginx default page', 'nginx/1.22.1', 'WordPress 6.4'],
    );
  });
});

describe('looksLikeHttpResponse', () => {
  for (const [text, expected] of [
    ['HTTP/1.1 200 OK\r\n', true],
    ['HTTP/1.0 401 Unauthorized\r\n', true],
    ['HTTP/2 200\r\n', true],
    ['RTSP/1.0 200 OK\r\n', false],
    ['SSH-2.0-OpenSSH_9.2\r\n', false],
    ['HTTP/1.1 999 Nope', false],
    ['', false],
  ] as const) {
    it(`${JSON.stringify(text)} → ${expected}`, () => assert.equal(looksLikeHttpResponse(Buffer.from(text, 'latin1')), expected));
  }
});
