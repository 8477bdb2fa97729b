// Keeps the TypeScript image builder honest: given the fixtures' payload (and, for signed images, their
// signature, as imgtool's --fix-sig takes one), it must rebuild imgtool 2.4.0's output byte for byte. The
// verifier is then tested on builder images that imgtool would have made the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIntelHex } from '../../../../src/scan/config/mcuboot/intel-hex.ts';
import { buildImage, type KeyType, layout, TLV_TYPE, toIntelHex } from '../../../helpers/mcuboot-image-builder.ts';
import { fixture, fixtureKey } from './scan-image.ts';

/** imgtool sign -v 1.2.3 -H 0x200 --pad-header: the payload starts at 0x200. */
function payloadOf(image: Uint8Array): Uint8Array {
  const { headerSize, payloadEnd } = layout(image);
  return image.subarray(headerSize, payloadEnd);
}

function signatureOf(image: Uint8Array, type: number): Uint8Array {
  const tlv = layout(image).tlvs.find((t) => t.type === type);
  assert.ok(tlv, `no TLV 0x${type.toString(16)}`);
  return tlv.value;
}

const SIGNED: Array<[string, string, KeyType, number]> = [
  ['app-ed25519.signed.bin', 'own-ed25519.pub.pem', 'ed25519', TLV_TYPE.ED25519],
  ['app-rsa2048.signed.bin', 'own-rsa2048.pub.pem', 'rsa-2048', TLV_TYPE.RSA2048_PSS],
  ['app-ec256-samplekey.signed.bin', 'sample-keys/root-ec-p256.pub.pem', 'ecdsa-p256', TLV_TYPE.ECDSA_SIG],
];

describe('the MCUboot image builder against imgtool', () => {
  it('rebuilds app-hash-only.bin byte for byte', () => {
    const original = fixture('app-hash-only.bin');
    const rebuilt = buildImage({
      payload: payloadOf(original),
      version: { major: 1, minor: 2, revision: 3, buildNum: 0 },
      headerSize: 0x200,
    });
    assert.equal(Buffer.compare(rebuilt, original), 0);
  });

  for (const [name, key, type, sigType] of SIGNED) {
    it(`rebuilds ${name} byte for byte around its signature (header, hash, KEYHASH, TLV layout)`, () => {
      const original = fixture(name);
      const rebuilt = buildImage({
        payload: payloadOf(original),
        fixedSignature: { signature: signatureOf(original, sigType), publicPem: fixtureKey(key).pem, type },
      });
      assert.equal(Buffer.compare(rebuilt, original), 0);
    });
  }

  it('rebuilds app-ec256.signed.hex: the image at 0x10000 and the HEX text itself', () => {
    const text = Buffer.from(fixture('app-ec256.signed.hex')).toString('utf8');
    const hex = parseIntelHex(text, 'app-ec256.signed.hex');
    assert.equal(hex.base, 0x10000);
    assert.equal(hex.missingEof, false);
    const rebuilt = buildImage({
      payload: payloadOf(hex.data),
      fixedSignature: {
        signature: signatureOf(hex.data, TLV_TYPE.ECDSA_SIG),
        publicPem: fixtureKey('own-ec256.pub.pem').pem,
        type: 'ecdsa-p256',
      },
    });
    assert.equal(Buffer.compare(rebuilt, hex.data), 0);
    assert.equal(toIntelHex(rebuilt, 0x10000), text);
  });

  it('writes the protected area as imgtool does: SEC_CNT under magic 0x6908, counted in ih_protect_tlv_size', () => {
    const image = buildImage({ securityCounter: 0x01020003 });
    const { payloadEnd, tlvStart } = layout(image);
    const view = new DataView(image.buffer);
    assert.equal(view.getUint16(10, true), 12);
    assert.equal(tlvStart - payloadEnd, 12);
    assert.equal(view.getUint16(payloadEnd, true), 0x6908);
    assert.equal(view.getUint16(payloadEnd + 2, true), 12);
    assert.equal(view.getUint16(payloadEnd + 4, true), TLV_TYPE.SEC_CNT);
    assert.equal(view.getUint32(payloadEnd + 8, true), 0x01020003);
  });

  it('refuses the key and hash pairs imgtool refuses', () => {
    const key = { type: 'ecdsa-p256' as const, privatePem: '', publicPem: '' };
    assert.throws(() => buildImage({ key, hash: 'sha384' }), /refuses a ecdsa-p256 key with --sha 384/);
    assert.throws(() => buildImage({ key, pure: true }), /pure only with Ed25519/);
  });
});
