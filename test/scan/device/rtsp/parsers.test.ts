// The RTSP response parser (tables of cases, then fast-check: any bytes end in a length, "need more" or an
// RtspParseError, never anything else), the SDP summary, the stream path catalog and the login judge.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadRtspPaths, MAX_RTSP_PATHS, rtspPaths } from '../../../../src/scan/device/rtsp/path-catalog.ts';
import {
  MAX_RTSP_HEAD_BYTES,
  parseRtspResponse,
  RtspParseError,
  rtspResponseLength,
  summarizeSdp,
} from '../../../../src/scan/device/rtsp/response.ts';
import { judgeRtspLogin } from '../../../../src/scan/device/rtsp/rtsp-login.ts';

const b = (text: string) => Buffer.from(text, 'latin1');

describe('rtspResponseLength and parseRtspResponse', () => {
  const complete: [string, string, number, Record<string, string>, string][] = [
    ['no body', 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n', 200, { cseq: '1' }, ''],
    ['a body', 'RTSP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc', 200, { 'content-length': '3' }, 'abc'],
    ['bare LF lines', 'RTSP/1.0 404 Not Found\nServer: cam\n\n', 404, { server: 'cam' }, ''],
    ['no reason', 'RTSP/1.0 401\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n', 401, { 'www-authenticate': 'Basic realm="x"' }, ''],
    [
      'a repeated header',
      'RTSP/1.0 401 U\r\nWWW-Authenticate: Digest a=1\r\nwww-authenticate: Basic\r\n\r\n',
      401,
      { 'www-authenticate': 'Digest a=1, Basic' },
      '',
    ],
  ];
  for (const [what, text, status, headers, body] of complete) {
    it(`reads ${what}`, () => {
      const bytes = b(text);
      assert.equal(rtspResponseLength(Buffer.concat([bytes, b('RTSP/1.0 200')])), bytes.length);
      const response = parseRtspResponse(bytes);
      assert.equal(response.status, status);
      assert.deepEqual(response.headers, headers);
      assert.equal(response.body.toString('latin1'), body);
    });
  }
  const incomplete: [string, string][] = [
    ['an empty buffer', ''],
    ['a prefix', 'RTS'],
    ['a head cut short', 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n'],
    ['a body cut short', 'RTSP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nabc'],
  ];
  for (const [what, text] of incomplete) it(`waits for more after ${what}`, () => assert.equal(rtspResponseLength(b(text)), undefined));
  const refused: [string, string | Buffer, RegExp][] = [
    ['HTTP', 'HTTP/1.1 200 OK\r\n\r\n', /not an RTSP response/],
    ['garbage', Buffer.from([0xff, 0, 1]), /not an RTSP response/],
    ['a bad status line', 'RTSP/1.0 2000 OK\r\n\r\n', /malformed status line/],
    ['a folded header', 'RTSP/1.0 200 OK\r\nA: b\r\n c\r\n\r\n', /malformed header line/],
    ['a control character', 'RTSP/1.0 200 OK\r\nA: b\x01c\r\n\r\n', /malformed header line/],
    ['a negative length', 'RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/],
    ['a huge length', 'RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n', /body of 99999999 bytes/],
    ['conflicting lengths', 'RTSP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', /conflicting/],
    ['too many headers', `RTSP/1.0 200 OK\r\n${'A: b\r\n'.repeat(65)}\r\n`, /more than 64 header lines/],
    ['an endless head', `RTSP/1.0 200 OK\r\n${'A'.repeat(MAX_RTSP_HEAD_BYTES)}`, /longer than 16384 bytes/],
  ];
  for (const [what, input, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => rtspResponseLength(typeof input === 'string' ? b(input) : input),
        (e) => e instanceof RtspParseError && message.test(e.message),
      );
    });
  }
  it('refuses bytes after the response when parsing one', () => {
    assert.throws(() => parseRtspResponse(b('RTSP/1.0 200 OK\r\n\r\nx')), /bytes after the response/);
  });

  it('never fails otherwise on any bytes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc.string({ maxLength: 300 }).map((s) => b(`RTSP/1.0 ${s}`)),
        ),
        (bytes) => {
          const buffer = Buffer.from(bytes);
          try {
            const length = rtspResponseLength(buffer);
            if (length !== undefined) {
              assert.ok(length <= buffer.length);
              parseRtspResponse(buffer.subarray(0, length));
            }
          } catch (error) {
            if (!(error instanceof RtspParseError)) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads back any well-formed response it is given, whole or with more behind it (fast-check)', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
    const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.array(fc.tuple(token, value), { maxLength: 10 }),
        fc.uint8Array({ maxLength: 200 }),
        (status, headers, body) => {
          const named = headers.filter(([n]) => n.toLowerCase() !== 'content-length');
          const head = [`RTSP/1.0 ${status} Reason`, ...named.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${body.length}`, '', ''].join(
            '\r\n',
          );
          const message = Buffer.concat([b(head), Buffer.from(body)]);
          assert.equal(rtspResponseLength(Buffer.concat([message, b('RTSP/1.0 200 OK\r\n')])), message.length);
          const parsed = parseRtspResponse(message);
          assert.equal(parsed.status, status);
          assert.deepEqual([...parsed.body], [...body]);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('summarizeSdp', () => {
  it('keeps the media lines and their codecs', () => {
    const sdp = summarizeSdp(
      b('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=Cam\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 x\r\n'),
    );
    assert.deepEqual(sdp, { mediaLines: ['m=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000'], sessionName: 'Cam' });
  });
  for (const [what, text] of [
    ['HTML', '<html>'],
    ['an SDP without media', 'v=0\r\ns=x\r\n'],
    ['an empty body', ''],
  ]) {
    it(`finds no stream in ${what}`, () => assert.equal(summarizeSdp(b(text as string)), undefined));
  }
});

describe('the stream path catalog', () => {
  it('loads, within its cap, with a source for every path and the vendor paths asked first', () => {
    const paths = rtspPaths();
    assert.ok(paths.length <= MAX_RTSP_PATHS);
    assert.ok(paths.every((p) => p.source.length > 10));
    assert.deepEqual(
      paths.slice(0, 2).map((p) => p.path),
      ['/Streaming/Channels/101', '/cam/realmonitor?channel=1&subtype=0'],
    );
  });
  const bad: [string, string, RegExp][] = [
    [
      'a duplicate path',
      'paths:\n  - {id: a, path: /x, title: one, source: src}\n  - {id: b, path: /x, title: two, source: src}\n',
      /listed twice/,
    ],
    ['/ itself', 'paths:\n  - {id: a, path: /, title: one, source: src}\n', /listed twice/],
    ['a dot segment', 'paths:\n  - {id: a, path: /../x, title: one, source: src}\n', /no \. or \.\. segments/],
    ['no source', 'paths:\n  - {id: a, path: /x, title: one}\n', /source/],
  ];
  for (const [what, text, message] of bad)
    it(`refuses ${what}`, () => assert.throws(() => loadRtspPaths('rtsp-paths.yaml', text), message));
});

describe('judgeRtspLogin', () => {
  const cases: [number, Record<string, string>, { accepted: boolean; error?: RegExp }][] = [
    [200, {}, { accepted: true }],
    [404, {}, { accepted: true }],
    [401, { 'www-authenticate': 'Basic realm="x"' }, { accepted: false }],
    [401, { 'www-authenticate': 'Digest realm="x", nonce="n", stale=TRUE' }, { accepted: false, error: /stale/ }],
    [403, {}, { accepted: false, error: /RTSP 403 instead of 401/ }],
    [503, {}, { accepted: false, error: /RTSP 503/ }],
  ];
  for (const [status, headers, expected] of cases) {
    it(`judges ${status} ${headers['www-authenticate'] ?? ''}`.trim(), () => {
      const result = judgeRtspLogin({ status, headers });
      assert.equal(result.accepted, expected.accepted);
      const error = result.accepted ? undefined : result.error;
      if (expected.error) assert.match(error ?? '', expected.error);
      else assert.equal(error, undefined);
    });
  }
});
