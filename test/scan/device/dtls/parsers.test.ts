// DTLS framing: the ClientHello the prober sends (its cookie field, versions and size), and the readers
// of what a server sends (records, fragmented handshake messages, HelloVerifyRequest), which must turn
// any input into a result or a TlsParseError and keep reassembly bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DtlsReassembler,
  encodeDtlsHandshake,
  encodeDtlsRecord,
  HELLO_VERIFY_REQUEST,
  parseDtlsDatagram,
  parseHandshakeFragments,
  parseHelloVerifyRequest,
} from '../../../../src/scan/device/dtls/records.ts';
import { allDtlsSuites, dtlsSuites } from '../../../../src/scan/device/dtls/scan-dtls.ts';
import { buildDtlsClientHelloBody } from '../../../../src/scan/device/tls/client-hello.ts';
import { HANDSHAKE_TYPE, Reader, TlsParseError } from '../../../../src/scan/device/tls/records.ts';
import { dtlsVersionLabel, dtlsWireVersion, versionOfDtlsWire } from '../../../../src/scan/device/tls/versions.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Splits a handshake message into DTLS fragments of at most `size` bytes, as a server under a small MTU does. */
function fragments(type: number, seq: number, body: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length || (at === 0 && body.length === 0); at += size) {
    const part = body.subarray(at, at + size);
    const header = Buffer.alloc(12);
    header[0] = type;
    header.writeUIntBE(body.length, 1, 3);
    header.writeUInt16BE(seq, 4);
    header.writeUIntBE(at, 6, 3);
    header.writeUIntBE(part.length, 9, 3);
    out.push(Buffer.concat([header, part]));
    if (body.length === 0) break;
  }
  return out;
}

describe('the DTLS ClientHello', () => {
  it('is a TLS 1.2 hello body with a cookie after the session id, and fits one datagram', () => {
    const random = Buffer.alloc(32, 7);
    const cookie = Buffer.from('c00k1e');
    const body = buildDtlsClientHelloBody({ versions: ['TLSv1.2', 'TLSv1.1'], suites: allDtlsSuites() }, { random, cookie });
    const r = new Reader(body, 'hello');
    assert.equal(r.uint16(), 0xfefd);
    assert.ok(r.bytesOf(32).equals(random));
    assert.equal(r.vector(1).length, 0);
    assert.ok(r.vector(1).equals(cookie));
    assert.equal(r.vector(2).length / 2, allDtlsSuites().length + 1); // and the renegotiation SCSV
    const record = encodeDtlsRecord(22, 0xfeff, 0, encodeDtlsHandshake(HANDSHAKE_TYPE.clientHello, 0, body));
    assert.ok(record.length < 1200, `${record.length} bytes`);
  });

  it('offers no RC4 suite (RFC 6347 section 4.1.2.2) and DTLS 1.0 only TLS 1.1-era suites', () => {
    assert.ok(dtlsSuites('TLSv1.2').every((s) => !s.legacy.includes('rc4')));
    assert.ok(dtlsSuites('TLSv1.1').every((s) => s.minVersion !== 'TLSv1.2'));
  });

  it('names DTLS versions by the TLS versions they are built on', () => {
    assert.equal(dtlsWireVersion('TLSv1.2'), 0xfefd);
    assert.equal(dtlsWireVersion('TLSv1.1'), 0xfeff);
    assert.equal(versionOfDtlsWire(0xfeff), 'TLSv1.1');
    assert.equal(versionOfDtlsWire(0x0303), undefined);
    assert.equal(dtlsVersionLabel('TLSv1.1'), 'DTLS 1.0');
    assert.throws(() => dtlsWireVersion('TLSv1.0'));
  });
});

describe('DTLS records and handshake reassembly', () => {
  it('reads several records from one datagram', () => {
    const datagram = Buffer.concat([
      encodeDtlsRecord(22, 0xfefd, 5, Buffer.from([1, 2])),
      encodeDtlsRecord(21, 0xfefd, 6, Buffer.from([2, 40])),
    ]);
    const records = parseDtlsDatagram(datagram);
    assert.deepEqual(
      records.map((r) => [r.type, r.sequence, r.fragment.length]),
      [
        [22, 5, 2],
        [21, 6, 2],
      ],
    );
  });

  it('refuses a TLS record, a truncated record and an unknown content type', () => {
    assert.throws(() => parseDtlsDatagram(Buffer.from('160303000100', 'hex')), TlsParseError);
    assert.throws(() => parseDtlsDatagram(encodeDtlsRecord(22, 0xfefd, 0, Buffer.alloc(10)).subarray(0, 20)), TlsParseError);
    assert.throws(() => parseDtlsDatagram(encodeDtlsRecord(99, 0xfefd, 0, Buffer.alloc(1))), TlsParseError);
  });

  it('reassembles a fragmented flight in message_seq order, from the ServerHello on', () => {
    const hello = Buffer.alloc(70, 1);
    const certificate = Buffer.alloc(1000, 2);
    const reassembler = new DtlsReassembler();
    const pieces = [...fragments(11, 2, certificate, 300), ...fragments(2, 1, hello, 40), ...fragments(14, 3, Buffer.alloc(0), 10)];
    // Out of order and with a duplicate: the certificate's pieces come first.
    const out = [...pieces, pieces[0]!].flatMap((p) => reassembler.push(p));
    assert.deepEqual(
      out.map((m) => [m.type, m.body.length]),
      [
        [2, 70],
        [11, 1000],
        [14, 0],
      ],
    );
    assert.ok(out[1]!.body.equals(certificate));
  });

  it('refuses fragments that disagree or overrun, and bounds what it holds', () => {
    const r = new DtlsReassembler();
    r.push(fragments(11, 2, Buffer.alloc(100), 50)[0]!);
    assert.throws(() => r.push(fragments(11, 2, Buffer.alloc(120), 50)[1]!), /disagree/);
    const overrun = fragments(2, 1, Buffer.alloc(10), 10)[0]!;
    overrun.writeUIntBE(5, 6, 3); // offset 5 + 10 bytes in a 10-byte message
    assert.throws(() => new DtlsReassembler().push(overrun), /runs past/);
    const many = new DtlsReassembler();
    assert.throws(() => {
      for (let seq = 10; seq < 40; seq++) many.push(fragments(11, seq, Buffer.alloc(200_000), 10)[0]!);
    }, /pending/);
  });

  it('reads a HelloVerifyRequest', () => {
    assert.deepEqual(parseHelloVerifyRequest(Buffer.from('feff03616263', 'hex')), { version: 0xfeff, cookie: Buffer.from('abc') });
    assert.throws(() => parseHelloVerifyRequest(Buffer.from('feff0561', 'hex')), TlsParseError);
    const r = new DtlsReassembler();
    assert.deepEqual(
      r.push(fragments(HELLO_VERIFY_REQUEST, 0, Buffer.from('feff0100', 'hex'), 100)[0]!).map((m) => m.type),
      [HELLO_VERIFY_REQUEST],
    );
  });

  it('turns any datagram and any record fragment into a result or a TlsParseError (fuzzed)', () => {
    const handshakeRecord = fc
      .record({
        type: fc.integer({ min: 0, max: 20 }),
        seq: fc.integer({ min: 0, max: 5 }),
        size: fc.integer({ min: 1, max: 64 }),
        body: fc.uint8Array({ maxLength: 200 }),
      })
      .map(({ type, seq, size, body }) => fragments(type, seq, Buffer.from(body), size));
    const mutate = (bytes: Buffer, flips: { at: number; value: number }[]) => {
      const copy = Buffer.from(bytes);
      for (const f of flips) if (copy.length > 0) copy[f.at % copy.length] = f.value;
      return copy;
    };
    const flips = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 });
    fc.assert(
      fc.property(fc.array(handshakeRecord, { maxLength: 6 }), flips, fc.uint8Array({ maxLength: 300 }), (records, changes, random) => {
        const reassembler = new DtlsReassembler();
        for (const piece of records.flat()) {
          try {
            for (const m of reassembler.push(mutate(piece, changes))) assert.ok(m.body.length <= 256 * 1024);
          } catch (error) {
            assert.ok(error instanceof TlsParseError, String(error));
          }
        }
        for (const input of [Buffer.from(random), mutate(encodeDtlsRecord(22, 0xfefd, 1, Buffer.from(random)), changes)]) {
          try {
            parseDtlsDatagram(input);
            parseHandshakeFragments(input);
            parseHelloVerifyRequest(input);
          } catch (error) {
            assert.ok(error instanceof TlsParseError, String(error));
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
