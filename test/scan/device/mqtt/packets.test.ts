// The packet layer: framing, decoding, CONNACK recognition and payload redaction, including a fuzz run
// over random and mutated bytes that must only ever end in a packet or a ProbeError.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { generate, type Packet } from 'mqtt-packet';
import { Connection, ProbeError } from '../../../../src/scan/device/connection.ts';
import {
  connackMeaning,
  decodePacket,
  encodeConnect,
  encodeSubscribe,
  frameLength,
  isAuthRejection,
  isMqttConnack,
  readPacket,
} from '../../../../src/scan/device/mqtt/packets.ts';
import { redactedExcerpt } from '../../../../src/scan/device/mqtt/listen.ts';

const bytes = (...b: number[]) => Buffer.from(b);

describe('frameLength', () => {
  const cases: [string, Buffer, number | undefined][] = [
    ['a PINGRESP', bytes(0xd0, 0x00), 2],
    ['a 3.1.1 CONNACK with more behind it', bytes(0x20, 0x02, 0x00, 0x00, 0x30), 4],
    ['a header alone', bytes(0x20), undefined],
    ['a length still coming', bytes(0x30, 0x80), undefined],
    ['a body still coming', bytes(0x30, 0x05, 0x00), undefined],
    ['a two-byte length (128)', Buffer.concat([bytes(0x30, 0x80, 0x01), Buffer.alloc(128)]), 131],
  ];
  for (const [name, buffer, expected] of cases) it(name, () => assert.equal(frameLength(buffer, 1024), expected));

  it('refuses a length field longer than four bytes', () => {
    assert.throws(() => frameLength(bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), 1 << 30), { name: 'ProbeError', kind: 'protocol' });
  });
  it('refuses a packet over the cap before its body arrives', () => {
    assert.throws(() => frameLength(bytes(0x30, 0xff, 0xff, 0xff, 0x7f), 1024), {
      name: 'ProbeError',
      kind: 'too-large',
      message: /268435460 bytes/,
    });
  });
});

describe('decodePacket', () => {
  it('decodes a 3.1.1 CONNACK', () => {
    const packet = decodePacket(bytes(0x20, 0x02, 0x00, 0x05), 4);
    assert.equal(packet.cmd, 'connack');
    assert.equal(packet.cmd === 'connack' && packet.returnCode, 5);
  });
  it('decodes an MQTT 5 CONNACK with a reason string', () => {
    const frame = generate(
      { cmd: 'connack', reasonCode: 0x87, sessionPresent: false, properties: { reasonString: 'no' } },
      { protocolVersion: 5 },
    );
    const packet = decodePacket(frame, 5);
    assert.equal(packet.cmd === 'connack' && packet.reasonCode, 0x87);
  });
  it('turns a bad packet into a protocol ProbeError', () => {
    assert.throws(() => decodePacket(bytes(0x20, 0x03, 0x00, 0x00, 0x00), 4), { name: 'ProbeError', kind: 'protocol' });
    assert.throws(() => decodePacket(bytes(0x00, 0x00), 4), { name: 'ProbeError', kind: 'protocol' });
  });
  it('round-trips what the probe sends', () => {
    const connect = decodePacket(encodeConnect({ version: 4, clientId: 'baselineabc', username: 'u', password: 'p' }), 4);
    assert.equal(connect.cmd, 'connect');
    assert.equal(connect.cmd === 'connect' && connect.will, undefined);
    assert.equal(connect.cmd === 'connect' && connect.clean, true);
    const subscribe = decodePacket(encodeSubscribe(5, 1, ['#', '$SYS/#']), 5);
    assert.deepEqual(subscribe.cmd === 'subscribe' && subscribe.subscriptions.map((s) => [s.topic, s.qos]), [
      ['#', 0],
      ['$SYS/#', 0],
    ]);
  });
});

describe('isMqttConnack', () => {
  const cases: [string, Buffer, boolean][] = [
    ['3.1.1 accepted', bytes(0x20, 0x02, 0x00, 0x00), true],
    ['3.1.1 not authorised, session present', bytes(0x20, 0x02, 0x01, 0x05), true],
    ['5.0 bad user name or password', generate({ cmd: 'connack', reasonCode: 0x86, sessionPresent: false }, { protocolVersion: 5 }), true],
    ['an unknown 3.1.1 return code', bytes(0x20, 0x02, 0x00, 0x09), false],
    ['bad acknowledge flags', bytes(0x20, 0x02, 0x02, 0x00), false],
    ['an HTTP reply', Buffer.from('HTTP/1.1 400 Bad Request\r\n'), false],
    ['an SSH banner', Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'), false],
    ['too short', bytes(0x20, 0x02, 0x00), false],
    ['a PUBLISH', bytes(0x30, 0x03, 0x00, 0x01, 0x61), false],
  ];
  for (const [name, buffer, expected] of cases) it(name, () => assert.equal(isMqttConnack(buffer), expected));
});

describe('CONNACK codes', () => {
  it('treats 4, 5, 0x86 and 0x87 as credential refusals, nothing else', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 0x80, 0x86, 0x87, 0x8a, 0x9f].filter(isAuthRejection), [4, 5, 0x86, 0x87]);
    assert.equal(connackMeaning(0x9f), 'connection rate exceeded');
    assert.equal(connackMeaning(0x42), 'code 0x42');
  });
});

describe('redactedExcerpt', () => {
  const cases: [string, string | Buffer, string][] = [
    ['plain telemetry', '21.5', '21.5'],
    ['a JSON password', '{"user":"bob","password":"hunter2"}', '{"user":"bob","password":***}'],
    ['a key=value token', 'token=abc123&x=1', 'token=***&x=1'],
    ['a long opaque value', 'id eyJhbGciOiJIUzI1NiJ9xyzxyz end', 'id eyJh… end'],
    ['an e-mail address', 'owner alice@example.com', 'owner ***@example.com'],
    ['binary data', Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]), '(8 bytes of binary data)'],
    ['an empty payload', '', '(empty)'],
    ['a long text, cut short', 'a'.repeat(10) + ' ' + 'b '.repeat(100), `${'a'.repeat(10)} ${'b '.repeat(18)}b…`],
  ];
  for (const [name, payload, expected] of cases) {
    it(name, () => assert.equal(redactedExcerpt(typeof payload === 'string' ? Buffer.from(payload) : payload), expected));
  }
});

/** Every packet readable from `input` until the first failure, which must be a ProbeError. */
async function readAll(input: Buffer, version: 4 | 5): Promise<{ packets: Packet[]; error: unknown }> {
  const stream = new PassThrough();
  const connection = new Connection(stream, 64 * 1024);
  stream.end(input);
  const packets: Packet[] = [];
  try {
    for (;;) packets.push(await readPacket(connection, version, 1000, 4096));
  } catch (error) {
    return { packets, error };
  } finally {
    connection.close();
  }
}

const validPackets: Buffer[] = [
  generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }),
  generate({ cmd: 'suback', messageId: 1, granted: [0, 128] }),
  generate({ cmd: 'publish', topic: 'home/temp', payload: Buffer.from('21.5'), qos: 0, dup: false, retain: true }),
  generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('x'), qos: 1, messageId: 7, dup: false, retain: false }),
  generate({ cmd: 'pingresp' }),
  generate({ cmd: 'disconnect' }),
  generate(
    { cmd: 'connack', reasonCode: 0x87, sessionPresent: false, properties: { reasonString: 'go away', userProperties: { a: 'b' } } },
    { protocolVersion: 5 },
  ),
  generate(
    {
      cmd: 'publish',
      topic: 't',
      payload: Buffer.from('y'),
      qos: 0,
      dup: false,
      retain: false,
      properties: { contentType: 'text/plain', userProperties: { k: 'v' } },
    },
    { protocolVersion: 5 },
  ),
  generate({ cmd: 'suback', messageId: 1, granted: [0, 0x87] }, { protocolVersion: 5 }),
];

const mutated = fc
  .record({
    base: fc.array(fc.constantFrom(...validPackets), { minLength: 1, maxLength: 4 }),
    flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
    cut: fc.option(fc.nat()),
    tail: fc.uint8Array({ maxLength: 16 }),
  })
  .map(({ base, flips, cut, tail }) => {
    const joined = Buffer.concat([...base, Buffer.from(tail)]);
    for (const { at, value } of flips) joined[at % joined.length] = value;
    return cut === null ? joined : joined.subarray(0, cut % (joined.length + 1));
  });

describe('packet reading under fuzz', () => {
  for (const version of [4, 5] as const) {
    it(
      `MQTT ${version === 4 ? '3.1.1' : '5.0'}: random and mutated bytes end in packets or a ProbeError, never a crash or hang`,
      { timeout: 30_000 },
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(
              fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
              mutated,
            ),
            async (input) => {
              const { packets, error } = await readAll(input, version);
              assert.ok(error instanceof ProbeError, `expected a ProbeError, got ${String(error)}`);
              assert.ok(['closed', 'protocol', 'too-large'].includes(error.kind), error.kind);
              assert.ok(packets.length <= input.length / 2);
              // Sync entry points agree: never anything but a boolean or a ProbeError.
              assert.equal(typeof isMqttConnack(input), 'boolean');
            },
          ),
          { numRuns: 400 },
        );
      },
    );
  }
  it('reads every packet of a valid stream, then reports the close', async () => {
    const { packets, error } = await readAll(Buffer.concat(validPackets.slice(0, 6)), 4);
    assert.deepEqual(
      packets.map((p) => p.cmd),
      ['connack', 'suback', 'publish', 'publish', 'pingresp', 'disconnect'],
    );
    assert.ok(error instanceof ProbeError && error.kind === 'closed');
  });
});
