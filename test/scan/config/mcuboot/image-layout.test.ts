// The header and TLV readers on their own, and images with more than one signature.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { flagNames, formatVersion, readImageHeader } from '../../../../src/scan/config/mcuboot/image-header.ts';
import { signatureUnits } from '../../../../src/scan/config/mcuboot/signature.ts';
import { readTlvAreas, tlvName } from '../../../../src/scan/config/mcuboot/tlv-area.ts';
import { buildImage, imgtoolPublicBytes, layout, sharedKey, type SigningKey, TLV_TYPE } from '../../../helpers/mcuboot-image-builder.ts';
import { findingsOf, keyOption, scanImage } from './scan-image.ts';

describe('MCUboot image header', () => {
  it('reads every field little-endian', () => {
    const image = buildImage({
      version: { major: 3, minor: 255, revision: 0x1234, buildNum: 0xdeadbeef },
      loadAddr: 0x20001000,
      flags: 0x10,
      securityCounter: 1,
    });
    const header = readImageHeader(image);
    assert.deepEqual(header, {
      loadAddr: 0x20001000,
      hdrSize: 0x200,
      protectTlvSize: 12,
      imgSize: 4096,
      flags: 0x30,
      version: { major: 3, minor: 255, revision: 0x1234, buildNum: 0xdeadbeef },
    });
    assert.equal(formatVersion(header.version), '3.255.4660+3735928559');
    assert.deepEqual(flagNames(0x30 | 0x4 | 0x8000), ['ENCRYPTED_AES128', 'NON_BOOTABLE', 'RAM_LOAD', '0x8000']);
  });
});

describe('MCUboot TLV areas', () => {
  it('reads protected and unprotected TLVs, 16-bit vendor types included', () => {
    const image = buildImage({
      securityCounter: 2,
      protectedTlvs: [
        { type: 0x00a0, value: Uint8Array.of(1) },
        { type: 0x1234, value: new Uint8Array(0) },
      ],
    });
    const areas = readTlvAreas(image, readImageHeader(image));
    assert.equal(areas.complete, true);
    assert.deepEqual(areas.problems, []);
    assert.deepEqual(
      areas.protectedTlvs.map((t) => [tlvName(t.type), t.value.length, t.protected]),
      [
        ['SEC_CNT', 4, true],
        ['0xa0', 1, true],
        ['0x1234', 0, true],
      ],
    );
    assert.deepEqual(
      areas.tlvs.map((t) => tlvName(t.type)),
      ['SHA256'],
    );
    assert.equal(areas.end, image.length);
  });

  it('stops at the first problem and never reads past the file', () => {
    const image = buildImage();
    for (let cut = 0x200 + 4096; cut < image.length; cut++) {
      const areas = readTlvAreas(image.subarray(0, cut), readImageHeader(image));
      assert.equal(areas.complete, false, `cut at ${cut}`);
      assert.equal(areas.problems[0]?.kind, 'truncated', `cut at ${cut}`);
    }
  });
});

/** An image signed by each key in turn, each signature with its own KEYHASH, as imgtool does with several --key. */
function multiSigned(keys: SigningKey[]): Uint8Array {
  const unsigned = buildImage({ hash: 'sha256' });
  const { tlvStart } = layout(unsigned);
  const region = unsigned.subarray(0, tlvStart);
  const digest = createHash('sha256').update(region).digest();
  const extraTlvs = keys.flatMap((key) => {
    const bytes = imgtoolPublicBytes(createPublicKey(key.publicPem), key.type);
    const signature =
      key.type === 'ed25519'
        ? sign(null, digest, createPrivateKey(key.privatePem))
        : sign('sha256', region, createPrivateKey(key.privatePem));
    return [
      { type: TLV_TYPE.KEYHASH, value: createHash('sha256').update(bytes).digest() },
      { type: key.type === 'ed25519' ? TLV_TYPE.ED25519 : TLV_TYPE.ECDSA_SIG, value: signature },
    ];
  });
  return buildImage({ hash: 'sha256', extraTlvs });
}

describe('MCUboot images with several signatures', () => {
  const a = sharedKey('ed25519');
  const b = sharedKey('ecdsa-p256');
  const image = multiSigned([a, b]);

  it('pairs each signature with the KEYHASH before it, as bootutil does', () => {
    const header = readImageHeader(image);
    const units = signatureUnits(readTlvAreas(image, header).tlvs);
    assert.equal(units.length, 2);
    assert.deepEqual(
      units.map((u) => [u.tlv.type, u.keyHash?.length]),
      [
        [TLV_TYPE.ED25519, 32],
        [TLV_TYPE.ECDSA_SIG, 32],
      ],
    );
  });

  it('passes both when both keys are given', () => {
    const scan = scanImage(image, { keys: [keyOption(a), keyOption(b)] });
    assert.deepEqual(
      findingsOf(scan, 'signature').map((f) => [f.result, f.message]),
      [
        ['pass', 'signature 1 of 2 (Ed25519) is valid with ed25519.pub.pem'],
        ['pass', 'signature 2 of 2 (ECDSA P-256) is valid with ecdsa-p256.pub.pem'],
      ],
    );
    assert.equal(scan.facts['signature algorithm'], 'Ed25519 + ECDSA P-256');
  });

  it('notes, without failing, a signature by a key that was not given when another one is valid', () => {
    const scan = scanImage(image, { keys: [keyOption(b)] });
    assert.deepEqual(
      findingsOf(scan, 'signature').map((f) => f.result),
      ['info', 'pass'],
    );
    assert.match(findingsOf(scan, 'signature')[0]?.message ?? '', /names a key that was not given \(--key\), so it was not checked/);
  });

  it('fails when no signature verifies with the keys given', () => {
    const scan = scanImage(image, { keys: [keyOption(sharedKey('ed25519', 'stranger'))] });
    assert.deepEqual(
      findingsOf(scan, 'signature').map((f) => f.result),
      ['fail', 'fail'],
    );
  });
});
