// The hand-written TLS framing: ClientHello construction, and the parsers of what a server sends, which
// must turn any input (random, truncated, mutated) into a result or a TlsParseError, and nothing else.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { buildClientHello } from '../../../../src/scan/device/tls/client-hello.ts';
import { attemptHandshake } from '../../../../src/scan/device/tls/handshake.ts';
import {
  checkRecordHeader,
  completeRecordLength,
  encodeHandshake,
  encodeRecord,
  HandshakeReassembler,
  MAX_RECORD_LENGTH,
  parseAlert,
  parseRecord,
  TlsParseError,
} from '../../../../src/scan/device/tls/records.ts';
import { parseCertificateMessage, parseServerHello, parseServerKeyExchange } from '../../../../src/scan/device/tls/server-hello.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const HRR_RANDOM = Buffer.from('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C', 'hex');

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}

function serverHelloBody(options: { version?: number; suite?: number; random?: Buffer; extensions?: Buffer[] | null } = {}): Buffer {
  const extensions = options.extensions === null ? [] : (options.extensions ?? []);
  return Buffer.concat([
    u16(options.version ?? 0x0303),
    options.random ?? Buffer.alloc(32, 1),
    Buffer.from([32]),
    Buffer.alloc(32, 2),
    u16(options.suite ?? 0xc02f),
    Buffer.from([0]),
    ...(options.extensions === null ? [] : [u16(Buffer.concat(extensions).length), ...extensions]),
  ]);
}

function ext(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(data.length), data]);
}

/** A TLS 1.2 first flight: ServerHello, Certificate (one fake DER blob), ServerHelloDone. */
function flight(): Buffer {
  const der = Buffer.alloc(40, 0x30);
  const certificate = Buffer.concat([Buffer.from([0, 0, 43]), Buffer.from([0, 0, 40]), der]);
  return encodeRecord(
    22,
    0x0303,
    Buffer.concat([encodeHandshake(2, serverHelloBody()), encodeHandshake(11, certificate), encodeHandshake(14, Buffer.alloc(0))]),
  );
}

/** Runs a parser and accepts only a result or a TlsParseError. */
function onlyParseErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof TlsParseError)) throw error;
  }
}

/** Reads the fields of our own ClientHello back, independently of the prober's code. */
function readClientHello(bytes: Buffer) {
  assert.equal(bytes[0], 22, 'handshake record');
  const recordVersion = bytes.readUInt16BE(1);
  const body = bytes.subarray(9, 5 + bytes.readUInt16BE(3));
  assert.equal(bytes[5], 1, 'ClientHello');
  const version = body.readUInt16BE(0);
  let at = 34;
  const sessionId = body[at]!;
  at += 1 + sessionId;
  const suiteLength = body.readUInt16BE(at);
  const suites: number[] = [];
  for (let i = 0; i < suiteLength; i += 2) suites.push(body.readUInt16BE(at + 2 + i));
  at += 2 + suiteLength;
  at += 1 + body[at]!;
  const extensions = new Map<number, Buffer>();
  if (at < body.length) {
    const end = at + 2 + body.readUInt16BE(at);
    at += 2;
    while (at < end) {
      const type = body.readUInt16BE(at);
      const length = body.readUInt16BE(at + 2);
      extensions.set(type, body.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
  }
  return { recordVersion, version, sessionId, suites, extensions };
}

describe('ClientHello', () => {
  it('asks for TLS 1.2 in the version field, with SNI for a name and the suites in the order given', () => {
    const hello = readClientHello(buildClientHello({ versions: ['TLSv1.2'], suites: [0x000a, 0xc02f], serverName: 'device.test' }));
    assert.equal(hello.recordVersion, 0x0301);
    assert.equal(hello.version, 0x0303);
    assert.deepEqual(hello.suites, [0x000a, 0xc02f, 0x00ff]);
    assert.match(hello.extensions.get(0)!.toString('latin1'), /device\.test/);
    assert.ok(hello.extensions.has(13), 'signature_algorithms');
    assert.ok(!hello.extensions.has(43), 'no supported_versions');
  });

  it('asks for TLS 1.3 through supported_versions with a 32-byte X25519 key share, and sends no SNI for an address', () => {
    const hello = readClientHello(buildClientHello({ versions: ['TLSv1.3'], suites: [0x1301], serverName: '127.0.0.1' }));
    assert.equal(hello.version, 0x0303);
    assert.equal(hello.sessionId, 32);
    assert.deepEqual([...hello.extensions.get(43)!], [2, 0x03, 0x04]);
    const share = hello.extensions.get(51)!;
    assert.equal(share.readUInt16BE(2), 29, 'X25519');
    assert.equal(share.readUInt16BE(4), 32);
    assert.ok(!hello.extensions.has(0));
  });

  it('sends an SSL 3.0 hello without extensions, and a TLS 1.0 one without signature_algorithms', () => {
    const ssl3 = readClientHello(buildClientHello({ versions: ['SSLv3'], suites: [0x0005] }));
    assert.equal(ssl3.recordVersion, 0x0300);
    assert.equal(ssl3.version, 0x0300);
    assert.equal(ssl3.extensions.size, 0);
    const tls10 = readClientHello(buildClientHello({ versions: ['TLSv1.0'], suites: [0x002f] }));
    assert.equal(tls10.version, 0x0301);
    assert.ok(!tls10.extensions.has(13));
  });
});

describe('server message parsers', () => {
  it('reads a TLS 1.2 ServerHello, and the version and key share of a TLS 1.3 one', () => {
    const tls12 = parseServerHello(serverHelloBody({ extensions: [ext(0xff01, Buffer.from([0]))] }));
    assert.equal(tls12.version, 'TLSv1.2');
    assert.equal(tls12.cipherSuite, 0xc02f);
    assert.equal(tls12.helloRetryRequest, false);
    const tls13 = parseServerHello(
      serverHelloBody({ suite: 0x1302, extensions: [ext(43, u16(0x0304)), ext(51, Buffer.concat([u16(29), u16(32), Buffer.alloc(32)]))] }),
    );
    assert.equal(tls13.version, 'TLSv1.3');
    assert.equal(tls13.keyShareGroup, 29);
  });

  it('tells a HelloRetryRequest by its random, and reads an SSL 3.0 hello without extensions', () => {
    const retry = parseServerHello(
      serverHelloBody({ suite: 0x1301, random: HRR_RANDOM, extensions: [ext(43, u16(0x0304)), ext(51, u16(23))] }),
    );
    assert.equal(retry.helloRetryRequest, true);
    assert.equal(retry.keyShareGroup, 23);
    const ssl3 = parseServerHello(serverHelloBody({ version: 0x0300, suite: 0x0005, extensions: null }));
    assert.equal(ssl3.version, 'SSLv3');
    assert.deepEqual(ssl3.extensions, []);
  });

  it('rejects truncated and over-long hellos and repeated extensions', () => {
    const body = serverHelloBody();
    assert.throws(() => parseServerHello(body.subarray(0, 40)), TlsParseError);
    assert.throws(() => parseServerHello(Buffer.concat([body, Buffer.from([1])])), TlsParseError);
    assert.throws(
      () => parseServerHello(serverHelloBody({ extensions: [ext(5, Buffer.alloc(0)), ext(5, Buffer.alloc(0))] })),
      TlsParseError,
    );
  });

  it('reads certificate lists and DH and ECDH parameters', () => {
    const certs = parseCertificateMessage(
      Buffer.concat([Buffer.from([0, 0, 10]), Buffer.from([0, 0, 3, 1, 2, 3]), Buffer.from([0, 0, 1, 9])]),
    );
    assert.deepEqual(
      certs.map((c) => [...c]),
      [[1, 2, 3], [9]],
    );
    const prime = Buffer.concat([Buffer.from([0x00, 0x80]), Buffer.alloc(127, 0xff)]); // a leading zero byte, then 1024 bits
    const dh = Buffer.concat([u16(prime.length), prime, u16(1), Buffer.from([2]), u16(1), Buffer.from([5])]);
    assert.deepEqual(parseServerKeyExchange(dh, 'DHE'), { kind: 'dh', primeBits: 1024 });
    const pskDh = Buffer.concat([u16(2), Buffer.from('id'), dh]);
    assert.deepEqual(parseServerKeyExchange(pskDh, 'DHE-PSK'), { kind: 'dh', primeBits: 1024 });
    assert.deepEqual(parseServerKeyExchange(Buffer.from([3, 0, 29, 32]), 'ECDHE'), { kind: 'ecdh', namedGroup: 29 });
    assert.equal(parseServerKeyExchange(Buffer.alloc(4), 'RSA'), undefined);
  });

  it('checks record headers: content type, version, length', () => {
    assert.deepEqual(checkRecordHeader(Buffer.from([22, 3, 3, 0, 10])), { type: 22, version: 0x0303, length: 10 });
    assert.throws(() => checkRecordHeader(Buffer.from('HTTP/1.1 400')), TlsParseError);
    assert.throws(() => checkRecordHeader(Buffer.from([22, 2, 0, 0, 10])), TlsParseError);
    assert.throws(() => checkRecordHeader(Buffer.from([22, 3, 3, 0xff, 0xff])), /beyond the TLS maximum/);
    assert.equal(completeRecordLength(Buffer.from([22, 3, 3, 0, 2, 1])), undefined);
    assert.equal(completeRecordLength(Buffer.from([22, 3, 3, 0, 2, 1, 2, 3])), 7);
    assert.ok(MAX_RECORD_LENGTH < 0xffff);
  });

  it('reassembles handshake messages split across records and several in one', () => {
    const hello = encodeHandshake(2, serverHelloBody());
    const done = encodeHandshake(14, Buffer.alloc(0));
    const joined = Buffer.concat([hello, done]);
    const reassembler = new HandshakeReassembler();
    assert.deepEqual(reassembler.push(joined.subarray(0, 10)), []);
    assert.equal(reassembler.partial, true);
    const messages = reassembler.push(joined.subarray(10));
    assert.deepEqual(
      messages.map((m) => m.type),
      [2, 14],
    );
    assert.equal(reassembler.partial, false);
    assert.throws(() => new HandshakeReassembler().push(Buffer.from([11, 0x7f, 0xff, 0xff])), /beyond any real server/);
  });
});

describe('fuzzing the parsers', () => {
  const parsers: [string, (bytes: Buffer) => unknown][] = [
    ['ServerHello', parseServerHello],
    ['Certificate', parseCertificateMessage],
    ['ServerKeyExchange (DHE)', (b) => parseServerKeyExchange(b, 'DHE')],
    ['ServerKeyExchange (ECDHE-PSK)', (b) => parseServerKeyExchange(b, 'ECDHE-PSK')],
    ['record', parseRecord],
    ['record header', checkRecordHeader],
    ['record length', completeRecordLength],
    ['alert', parseAlert],
    ['handshake reassembly', (b) => new HandshakeReassembler().push(b)],
  ];

  for (const [name, parse] of parsers) {
    it(`${name}: random bytes give a result or a TlsParseError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyParseErrors(() => parse(Buffer.from(bytes)))),
        { numRuns: RUNS },
      );
    });
  }

  /** A valid input with bytes overwritten, cut short, or padded. */
  const mutated = (valid: Buffer) =>
    fc
      .tuple(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        fc.boolean(),
        fc.uint8Array({ maxLength: 8 }),
      )
      .map(([edits, cut, shorten, tail]) => {
        const copy = Buffer.from(valid);
        for (const [at, value] of edits) copy[at % copy.length] = value;
        const cutAt = cut % (copy.length + 1);
        return shorten ? copy.subarray(0, cutAt) : Buffer.concat([copy, Buffer.from(tail)]);
      });

  it('mutated ServerHellos give a result or a TlsParseError', () => {
    const valid = serverHelloBody({
      suite: 0x1302,
      extensions: [ext(43, u16(0x0304)), ext(51, Buffer.concat([u16(29), u16(32), Buffer.alloc(32)]))],
    });
    fc.assert(
      fc.property(mutated(valid), (bytes) => onlyParseErrors(() => parseServerHello(bytes))),
      { numRuns: RUNS },
    );
  });

  it('mutated first flights, record by record, give a result or a TlsParseError', () => {
    fc.assert(
      fc.property(mutated(flight()), (bytes) =>
        onlyParseErrors(() => {
          const length = completeRecordLength(bytes);
          if (length === undefined) return;
          const record = parseRecord(bytes.subarray(0, length));
          for (const message of new HandshakeReassembler().push(record.fragment)) {
            if (message.type === 2) parseServerHello(message.body);
            if (message.type === 11) parseCertificateMessage(message.body);
          }
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('a handshake against a server sending mutated flights always settles on an outcome', async () => {
    const context = createProbeContext({
      limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 300, connectionsPerSecond: 1000 },
      login: false,
      credentials: loadDefaultCredentials(),
    });
    let reply = flight();
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end(reply));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await fc.assert(
        fc.asyncProperty(mutated(flight()), async (bytes) => {
          reply = bytes;
          const outcome = await attemptHandshake(context, { host: '127.0.0.1', port }, { versions: ['TLSv1.2'], suites: [0xc02f] });
          assert.ok(['accepted', 'refused', 'failed'].includes(outcome.kind));
        }),
        { numRuns: Math.min(RUNS, 60) },
      );
    } finally {
      server.close();
    }
  });
});
