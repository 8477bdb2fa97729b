// The SSH wire parsers: known inputs, cross-checks with ssh-keygen, and fast-check fuzzing with random
// and mutated bytes (a parser may only ever return or throw its own SshParseError).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hostKeyFamily, parseHostKeyBlob } from '../../../../src/scan/device/ssh/host-key.ts';
import { parseSshIdentification } from '../../../../src/scan/device/ssh/identification.ts';
import { chooseKex, hostKeyFromReply, kexMethod } from '../../../../src/scan/device/ssh/key-exchange.ts';
import { encodeKexInit, parseKexInit } from '../../../../src/scan/device/ssh/kexinit.ts';
import {
  bitLength,
  completePacketLength,
  encodePacket,
  mpint,
  parsePacket,
  SshParseError,
  sshString,
} from '../../../../src/scan/device/ssh/wire.ts';
import { makeTempDir } from '../../../helpers/daemon.ts';

describe('SSH identification', () => {
  const cases: [string, Record<string, string | undefined>][] = [
    [
      'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
      { protocolVersion: '2.0', software: 'OpenSSH', family: 'openssh', version: '9.2p1', comment: 'Debian-2+deb12u3' },
    ],
    [
      'SSH-2.0-dropbear_2022.83\r\n',
      { protocolVersion: '2.0', software: 'Dropbear', family: 'dropbear', version: '2022.83', comment: undefined },
    ],
    ['SSH-2.0-dropbear', { software: 'Dropbear', family: 'dropbear', version: undefined }],
    ['SSH-1.99-OpenSSH_3.9p1', { protocolVersion: '1.99', software: 'OpenSSH', version: '3.9p1' }],
    ['SSH-1.5-Cisco-1.25', { protocolVersion: '1.5', software: 'Cisco', family: 'other', version: '1.25' }],
    ['SSH-2.0-OpenSSH_for_Windows_8.1', { software: 'OpenSSH', version: '8.1' }],
    ['SSH-2.0-libssh_0.9.6', { software: 'libssh', family: 'other', version: '0.9.6' }],
    ['SSH-2.0-libssh-0.7.0', { software: 'libssh', version: '0.7.0' }],
    ['SSH-2.0-AsyncSSH_2.13.0', { software: 'AsyncSSH', version: '2.13.0' }],
    ['SSH-2.0-Foo_v1.2', { software: 'Foo', version: '1.2' }],
    ['SSH-2.0-ROSSSH', { software: 'ROSSSH', family: 'other', version: undefined }],
    ['SSH-2.0-mod_sftp', { software: 'mod_sftp', version: undefined }],
  ];
  for (const [line, expected] of cases) {
    it(`parses ${JSON.stringify(line)}`, () => {
      const id = parseSshIdentification(line);
      assert.ok(id);
      for (const [key, value] of Object.entries(expected)) assert.equal(id[key as keyof typeof id], value, key);
    });
  }
  it('refuses what is not an identification', () => {
    for (const line of ['HTTP/1.1 200 OK', 'SSH-2.0-', 'SSH-2.0 OpenSSH', `SSH-2.0-${'x'.repeat(600)}`, '', 'ssh-2.0-lower'])
      assert.equal(parseSshIdentification(line), undefined, line);
  });
  it('never throws on any text, and stays fast on long hostile input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600 }), (s) => void parseSshIdentification(`SSH-2.0-${s}`)));
    const start = performance.now();
    parseSshIdentification(`SSH-2.0-${'a1_'.repeat(160)}`);
    assert.ok(performance.now() - start < 100);
  });
});

const sampleOffer = {
  kex: ['curve25519-sha256', 'diffie-hellman-group14-sha1', 'kex-strict-s-v00@openssh.com'],
  hostKey: ['ssh-ed25519', 'rsa-sha2-512', 'ssh-rsa'],
  ciphers: ['aes128-ctr', 'aes128-cbc'],
  macs: ['hmac-sha2-256', 'hmac-md5'],
  compression: ['none'],
};

describe('binary packets and KEXINIT', () => {
  it('round-trips a KEXINIT through a padded packet', () => {
    const packet = encodePacket(encodeKexInit(sampleOffer));
    assert.equal(packet.length % 8, 0);
    assert.equal(completePacketLength(Buffer.concat([packet, Buffer.from('extra')])), packet.length);
    assert.equal(completePacketLength(packet.subarray(0, packet.length - 1)), undefined);
    const kexinit = parseKexInit(parsePacket(packet));
    assert.deepEqual(kexinit.kex, sampleOffer.kex);
    assert.deepEqual(kexinit.hostKey, sampleOffer.hostKey);
    assert.deepEqual(kexinit.ciphersServerToClient, sampleOffer.ciphers);
    assert.deepEqual(kexinit.macsClientToServer, sampleOffer.macs);
    assert.equal(kexinit.firstKexPacketFollows, false);
  });
  it('refuses a length field beyond the cap at once, before the bytes arrive', () => {
    const header = Buffer.from([0xff, 0xff, 0xff, 0xf0, 4]);
    assert.throws(() => completePacketLength(header), SshParseError);
  });
  it('encodes mpints with a sign byte and measures bits', () => {
    assert.deepEqual(mpint(Buffer.from([0x80, 0x01])), Buffer.from([0, 0, 0, 3, 0, 0x80, 0x01]));
    assert.deepEqual(mpint(Buffer.from([0, 0, 0x7f])), Buffer.from([0, 0, 0, 1, 0x7f]));
    assert.equal(bitLength(Buffer.from([0, 0x01, 0])), 9);
    assert.equal(bitLength(Buffer.alloc(3)), 0);
  });
  it('knows which key exchanges it can perform and picks the cheapest', () => {
    assert.equal(kexMethod('sntrup761x25519-sha512@openssh.com'), undefined);
    assert.deepEqual(kexMethod('diffie-hellman-group1-sha1'), { kind: 'dh', name: 'diffie-hellman-group1-sha1', group: 'modp2' });
    assert.equal(chooseKex(['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1'])?.name, 'diffie-hellman-group14-sha1');
    assert.equal(
      chooseKex(['sntrup761x25519-sha512@openssh.com', 'diffie-hellman-group-exchange-sha256', 'curve25519-sha256'])?.name,
      'curve25519-sha256',
    );
    assert.equal(chooseKex(['mlkem768x25519-sha256']), undefined);
  });
  it('groups host key algorithms by the key they use', () => {
    assert.equal(hostKeyFamily('rsa-sha2-512'), hostKeyFamily('ssh-rsa'));
    assert.equal(hostKeyFamily('ssh-ed25519-cert-v01@openssh.com'), undefined);
    assert.equal(hostKeyFamily('ecdsa-sha2-nistp256'), 'ecdsa-sha2-nistp256');
  });
});

describe('host key blobs', () => {
  const blobs = () => {
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'jwk' });
    const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64url');
    return {
      ed25519: Buffer.concat([sshString('ssh-ed25519'), sshString(b(ed.x))]),
      rsa: Buffer.concat([sshString('ssh-rsa'), mpint(b(rsa.e)), mpint(b(rsa.n))]),
      ecdsa: Buffer.concat([
        sshString('ecdsa-sha2-nistp384'),
        sshString('nistp384'),
        sshString(Buffer.concat([Buffer.from([4]), b(ec.x), b(ec.y)])),
      ]),
    };
  };
  it('reads type and size, with the fingerprint ssh-keygen prints', () => {
    const dir = makeTempDir('ssh-blob');
    try {
      const expected = { ed25519: ['ssh-ed25519', 256], rsa: ['ssh-rsa', 1024], ecdsa: ['ecdsa-sha2-nistp384', 384] } as const;
      for (const [name, blob] of Object.entries(blobs())) {
        const key = parseHostKeyBlob(blob, 'test');
        const [type, bits] = expected[name as keyof typeof expected];
        assert.equal(key.type, type);
        assert.equal(key.bits, bits);
        const file = join(dir.path, `${name}.pub`);
        writeFileSync(file, `${type} ${blob.toString('base64')} test\n`);
        const keygen = execFileSync('ssh-keygen', ['-l', '-f', file]).toString();
        assert.ok(keygen.includes(key.fingerprint), `${keygen} vs ${key.fingerprint}`);
        assert.ok(keygen.startsWith(`${bits} `));
      }
    } finally {
      dir.remove();
    }
  });
  it('keeps unknown key types without a size', () => {
    const key = parseHostKeyBlob(Buffer.concat([sshString('x509v3-sign-rsa'), Buffer.from('whatever')]), 'x509v3-sign-rsa');
    assert.equal(key.type, 'x509v3-sign-rsa');
    assert.equal(key.bits, undefined);
  });
  it('refuses truncated and mislabelled blobs', () => {
    const { rsa, ed25519 } = blobs();
    assert.throws(() => parseHostKeyBlob(rsa.subarray(0, rsa.length - 10), 'ssh-rsa'), SshParseError);
    assert.throws(() => parseHostKeyBlob(ed25519.subarray(0, 40), 'ssh-ed25519'), SshParseError);
    assert.throws(() => parseHostKeyBlob(Buffer.concat([sshString('\x01\x02'), Buffer.alloc(4)]), 'x'), SshParseError);
  });
});

describe('parsers fuzzed with random and mutated bytes', () => {
  const onlyOwnErrors = (parse: () => unknown) => {
    try {
      parse();
    } catch (error) {
      if (!(error instanceof SshParseError)) throw error;
    }
  };
  const validPacket = encodePacket(encodeKexInit(sampleOffer));
  const mutated = fc
    .tuple(
      fc.array(fc.tuple(fc.nat(validPacket.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(validPacket.length),
    )
    .map(([flips, cut]) => {
      const copy = Buffer.from(validPacket);
      for (const [at, value] of flips) copy[at] = value;
      return copy.subarray(0, Math.max(cut, 1));
    });
  const bytes = fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a));

  it('parsePacket, parseKexInit and completePacketLength', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, mutated), (input) => {
        onlyOwnErrors(() => completePacketLength(input));
        onlyOwnErrors(() => parsePacket(input));
        onlyOwnErrors(() => parseKexInit(input));
        onlyOwnErrors(() => parseKexInit(parsePacket(input)));
      }),
      { numRuns: 2000 },
    );
  });
  it('a KEXINIT payload with bytes changed either parses or fails cleanly', () => {
    const payload = encodeKexInit(sampleOffer);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(payload.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (flips) => {
          const copy = Buffer.from(payload);
          for (const [at, value] of flips) copy[at] = value;
          onlyOwnErrors(() => {
            const k = parseKexInit(copy);
            for (const list of [k.kex, k.hostKey, k.ciphersClientToServer]) assert.ok(list.length <= 128);
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('host key blobs and key exchange replies', () => {
    const typed = fc
      .tuple(
        fc.constantFrom('ssh-rsa', 'ssh-dss', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa-cert-v01@openssh.com', 'ssh-ed448'),
        bytes,
      )
      .map(([type, rest]) => Buffer.concat([sshString(type), rest]));
    fc.assert(
      fc.property(fc.oneof(bytes, typed), (input) => {
        onlyOwnErrors(() => parseHostKeyBlob(input, 'fuzz'));
        onlyOwnErrors(() => hostKeyFromReply(Buffer.concat([Buffer.from([31]), input]), 31));
        onlyOwnErrors(() => hostKeyFromReply(input, 33));
      }),
      { numRuns: 2000 },
    );
  });
});
