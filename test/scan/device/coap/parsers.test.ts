// The hand-written CoAP codec and the CoRE Link Format reader: tables of messages read and refused, and
// fast-check on both, which must turn any input (random, truncated, mutated) into a result or a
// CoapParseError (the link reader into a result, always), and read back what the encoder writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseLinkFormat } from '../../../../src/scan/device/coap/link-format.ts';
import {
  blockSize,
  COAP_CODE,
  COAP_OPTION,
  COAP_TYPE,
  type CoapMessage,
  CoapParseError,
  codeText,
  encodeBlockOption,
  encodeCoapMessage,
  parseBlockOption,
  parseCoapMessage,
  uintOption,
} from '../../../../src/scan/device/coap/message.ts';
import { pathSegments, sensitiveResources } from '../../../../src/scan/device/coap/scan-coap.ts';
import { loadCoapResourceCatalog } from '../../../../src/scan/device/coap/resource-catalog.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('CoAP messages', () => {
  const readable: { name: string; bytes: Buffer; expect: Partial<CoapMessage> & { optionNumbers?: number[]; payloadText?: string } }[] = [
    { name: 'a ping (empty confirmable)', bytes: hex('40 00 12 34'), expect: { type: COAP_TYPE.confirmable, code: 0, messageId: 0x1234 } },
    { name: 'a reset', bytes: hex('70 00 ab cd'), expect: { type: COAP_TYPE.reset, code: 0, messageId: 0xabcd } },
    {
      name: 'a piggybacked 2.05 with a token, Content-Format 40 and a payload',
      bytes: hex('62 45 00 07 aa bb c1 28 ff 3c 2f 3e'),
      expect: { type: COAP_TYPE.acknowledgement, code: COAP_CODE.content, messageId: 7, optionNumbers: [12], payloadText: '</>' },
    },
    {
      name: 'an option with a one-byte extended delta (Block2 = 23)',
      bytes: hex('60 45 00 01 d1 0a 16'),
      expect: { optionNumbers: [23] },
    },
    {
      name: 'an option with a two-byte extended delta (No-Response = 258 is 13 + 245)',
      bytes: hex('60 45 00 01 d0 f5'),
      expect: { optionNumbers: [258] },
    },
    {
      name: 'an option with a two-byte extended length (300 bytes)',
      bytes: Buffer.concat([hex('60 45 00 01 3e 00 1f'), Buffer.alloc(300, 0x61)]),
      expect: { optionNumbers: [3] },
    },
    { name: 'options with no payload marker', bytes: hex('60 45 00 01 b1 61 01 62'), expect: { optionNumbers: [11, 11], payloadText: '' } },
  ];
  for (const c of readable) {
    it(`reads ${c.name}`, () => {
      const m = parseCoapMessage(c.bytes);
      for (const [key, value] of Object.entries(c.expect)) {
        if (key === 'optionNumbers')
          assert.deepEqual(
            m.options.map((o) => o.number),
            value,
          );
        else if (key === 'payloadText') assert.equal(m.payload.toString(), value);
        else assert.deepEqual(m[key as keyof CoapMessage], value, key);
      }
    });
  }

  const refused: { name: string; bytes: Buffer; reason: RegExp }[] = [
    { name: 'fewer than 4 bytes', bytes: hex('40 01'), reason: /4-byte header/ },
    { name: 'version 2', bytes: hex('80 01 00 01'), reason: /version 2/ },
    { name: 'a reserved token length (9)', bytes: hex('49 01 00 01 00 00 00 00 00 00 00 00 00'), reason: /reserved/ },
    { name: 'an empty message with a token', bytes: hex('41 00 00 01 aa'), reason: /empty message/ },
    { name: 'an empty message with bytes after it', bytes: hex('40 00 00 01 ff'), reason: /empty message/ },
    { name: 'a token past the end', bytes: hex('44 45 00 01 aa bb'), reason: /token runs past/ },
    { name: 'a payload marker with no payload', bytes: hex('60 45 00 01 ff'), reason: /no payload/ },
    { name: 'option delta 15 that is not the payload marker', bytes: hex('60 45 00 01 f1 00'), reason: /reserved value 15/ },
    { name: 'option length 15', bytes: hex('60 45 00 01 1f'), reason: /reserved value 15/ },
    { name: 'an option value past the end', bytes: hex('60 45 00 01 b5 61 62'), reason: /runs past/ },
    { name: 'a truncated extended delta', bytes: hex('60 45 00 01 e1 00'), reason: /truncated/ },
    { name: 'an option number beyond 65535', bytes: hex('60 45 00 01 e0 ff ff e0 ff ff'), reason: /beyond 65535/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () => parseCoapMessage(c.bytes),
        (error) => error instanceof CoapParseError && c.reason.test(error.message),
      );
    });
  }

  it('names codes as RFC 7252 writes them', () => {
    assert.equal(codeText(COAP_CODE.content), '2.05');
    assert.equal(codeText(COAP_CODE.unauthorized), '4.01');
    assert.equal(codeText(COAP_CODE.get), '0.01');
  });

  it('reads and writes Block2 options (RFC 7959)', () => {
    assert.deepEqual(parseBlockOption(hex('0a')), { num: 0, more: true, szx: 2 });
    assert.deepEqual(parseBlockOption(hex('')), { num: 0, more: false, szx: 0 });
    assert.deepEqual(parseBlockOption(encodeBlockOption({ num: 70000, more: true, szx: 6 })), { num: 70000, more: true, szx: 6 });
    assert.equal(blockSize(0), 16);
    assert.equal(blockSize(6), 1024);
    assert.throws(() => parseBlockOption(hex('07')), CoapParseError);
    assert.throws(() => parseBlockOption(hex('00000000')), CoapParseError);
    assert.throws(() => uintOption(hex('0102030405')), CoapParseError);
  });

  const option = fc.record({
    number: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 2000 })),
    value: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  });
  const message = fc.record({
    type: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<CoapMessage['type']>,
    code: fc.integer({ min: 1, max: 255 }),
    messageId: fc.integer({ min: 0, max: 0xffff }),
    token: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
    options: fc.array(option, { maxLength: 8 }),
    payload: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  });

  it('reads back every message it writes (fuzzed)', () => {
    fc.assert(
      fc.property(message, (m) => {
        const parsed = parseCoapMessage(encodeCoapMessage(m));
        assert.equal(parsed.type, m.type);
        assert.equal(parsed.code, m.code);
        assert.equal(parsed.messageId, m.messageId);
        assert.ok(parsed.token.equals(m.token));
        const sorted = [...m.options].sort((a, b) => a.number - b.number);
        assert.deepEqual(
          parsed.options.map((o) => [o.number, o.value.toString('hex')]),
          sorted.map((o) => [o.number, o.value.toString('hex')]),
        );
        assert.ok(parsed.payload.equals(m.payload));
      }),
      { numRuns: RUNS },
    );
  });

  it('turns random, cut and mutated datagrams into a message or a CoapParseError, nothing else (fuzzed)', () => {
    const mutated = fc
      .record({
        base: message,
        flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
        cut: fc.option(fc.nat()),
      })
      .map(({ base, flips, cut }) => {
        const bytes = Buffer.from(encodeCoapMessage(base));
        for (const f of flips) if (bytes.length > 0) bytes[f.at % bytes.length] = f.value;
        return cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
      });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
          mutated,
        ),
        (bytes) => {
          try {
            const m = parseCoapMessage(bytes);
            assert.ok(m.token.length <= 8);
            assert.ok(m.options.length <= 64);
            for (const o of m.options) assert.ok(o.value.length <= bytes.length);
          } catch (error) {
            assert.ok(error instanceof CoapParseError, String(error));
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('writes a GET for /.well-known/core as coap-client does', () => {
    const bytes = encodeCoapMessage({
      type: COAP_TYPE.confirmable,
      code: COAP_CODE.get,
      messageId: 0x1234,
      token: hex('aabb'),
      options: [
        { number: COAP_OPTION.uriPath, value: Buffer.from('.well-known') },
        { number: COAP_OPTION.uriPath, value: Buffer.from('core') },
      ],
      payload: Buffer.alloc(0),
    });
    assert.equal(
      bytes.toString('hex'),
      `42011234aabbbb${Buffer.from('.well-known').toString('hex')}04${Buffer.from('core').toString('hex')}`,
    );
  });
});

describe('the CoRE Link Format (RFC 6690)', () => {
  it("reads libcoap's answer: targets, quoted and bare values, flags", () => {
    const { links, more, malformed } = parseLinkFormat(
      '</>;title="General Info";ct=0,</time>;if="clock";rt="ticks";title="Internal Clock";ct=0;obs,</async>;ct=0',
    );
    assert.deepEqual(
      links.map((l) => l.target),
      ['/', '/time', '/async'],
    );
    assert.deepEqual(links[1]?.params, [
      { name: 'if', value: 'clock' },
      { name: 'rt', value: 'ticks' },
      { name: 'title', value: 'Internal Clock' },
      { name: 'ct', value: '0' },
      { name: 'obs' },
    ]);
    assert.equal(more, 0);
    assert.equal(malformed, 0);
  });

  it('keeps commas and semicolons inside quotes, and unescapes', () => {
    const { links } = parseLinkFormat('</a>;title="x, y; \\"z\\"",</b>');
    assert.deepEqual(links[0]?.params, [{ name: 'title', value: 'x, y; "z"' }]);
    assert.equal(links[1]?.target, '/b');
  });

  it('skips what it cannot read and goes on with the next link', () => {
    const { links, malformed } = parseLinkFormat('garbage,</ok>, <no-close ,</bad>;="x",</fine>;rt="unterminated');
    assert.deepEqual(
      links.map((l) => l.target),
      ['/ok'],
    );
    assert.equal(malformed, 4);
  });

  it('bounds the links it keeps', () => {
    const text = Array.from({ length: 300 }, (_, i) => `</r${i}>`).join(',');
    const result = parseLinkFormat(text, 256);
    assert.equal(result.links.length, 256);
    assert.equal(result.more, 44);
  });

  it('never throws and stays bounded on any text (fuzzed)', () => {
    const piece = fc.constantFrom('<', '>', ',', ';', '=', '"', '\\', '/', 'a', ' ', 'rt', '</x>', ';ct=40', ';title="t"');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.array(piece, { maxLength: 200 }).map((p) => p.join('')),
        ),
        (text) => {
          const result = parseLinkFormat(text);
          assert.ok(result.links.length <= 256);
          for (const link of result.links) {
            assert.ok(link.target.length <= 1024);
            assert.ok(link.params.length <= 32);
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('reads a long hostile list in linear time', () => {
    const started = Date.now();
    parseLinkFormat('<,'.repeat(32 * 1024));
    parseLinkFormat(`</a>;t="${'x'.repeat(60_000)}`);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('which listed resources are fetched', () => {
  const links = (targets: string[]) => parseLinkFormat(targets.map((t) => `<${t}>`).join(',')).links;

  it('picks catalog matches, most severe first, never /.well-known/core itself', () => {
    const found = sensitiveResources(links(['/time', '/config', '/0/0', '/fw/update', '/.well-known/core', '/sensors/temp', '/wifi']));
    assert.deepEqual(
      found.map((f) => [f.path, f.entry.id]),
      [
        ['/0/0', 'lwm2m-security-object'],
        ['/config', 'configuration'],
        ['/fw/update', 'firmware'],
        ['/wifi', 'network-settings'],
      ],
    );
  });

  it('never fetches another host, a query or a fragment', () => {
    assert.equal(pathSegments('coap://192.0.2.1/config'), undefined);
    assert.equal(pathSegments('//evil/config'), undefined);
    assert.equal(pathSegments('/config?reset=1'), undefined);
    assert.equal(pathSegments('config'), undefined);
    assert.deepEqual(pathSegments('/a%20b/c'), ['a b', 'c']);
    assert.equal(pathSegments('/%zz'), undefined);
    const found = sensitiveResources(links(['/config?reset=1']));
    assert.equal(found[0]?.segments, undefined);
  });

  it('loads the shipped catalog and refuses a broken one with its line', () => {
    assert.ok(loadCoapResourceCatalog().length >= 5);
    assert.throws(
      () =>
        loadCoapResourceCatalog(
          'broken.yaml',
          'resources:\n  - { id: a, match: "(ab", title: abc, kind: debug, severity: high, rationale: "0123456789", source: src }\n',
        ),
      /broken\.yaml:2:.*not a regular expression/,
    );
  });
});
