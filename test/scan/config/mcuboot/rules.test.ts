// Every MCUboot rule, RuleTester-style: images built by the test builder with openssl keys (RSA-2048/3072,
// ECDSA P-256/P-384, Ed25519; SHA-256/384/512; protected TLVs), truncated, bit-flipped and signed with the
// wrong key, beside imgtool's own vectors.
import { constants, createPrivateKey, sign } from 'node:crypto';
import { mcubootKind } from '../../../../src/scan/config/mcuboot/index.ts';
import { loadSampleKeys } from '../../../../src/scan/config/mcuboot/sample-keys.ts';
import { configRuleTester, type RuleCase } from '../../../helpers/config-rule-tester.ts';
import {
  buildImage,
  flipBit,
  type KeyType,
  layout,
  sharedKey,
  type SigningKey,
  TLV_TYPE,
  toIntelHex,
} from '../../../helpers/mcuboot-image-builder.ts';
import { fixture, fixtureKey, keyOption } from './scan-image.ts';

const ed25519 = sharedKey('ed25519');
const p256 = sharedKey('ecdsa-p256');
const p384 = sharedKey('ecdsa-p384');
const rsa2048 = sharedKey('rsa-2048');
const rsa3072 = sharedKey('rsa-3072');
const otherEd25519 = sharedKey('ed25519', 'other');
const otherP256 = sharedKey('ecdsa-p256', 'other');

const withKey = (...keys: SigningKey[]) => ({ keys: keys.map((k, i) => keyOption(k, `key-${i}-${k.type}.pub.pem`)) });
const signed = (key: SigningKey, more: Parameters<typeof buildImage>[0] = {}) => buildImage({ key, ...more });

const good = signed(ed25519, { securityCounter: 7 });
const goodLayout = layout(good);
const [goodHashTlv, goodKeyHashTlv, goodSigTlv] = goodLayout.tlvs;

/** A sample key's public half as the signer, with a made-up signature: the KEYHASH alone names it. */
function sampleSigned(name: string, type: KeyType, publicKeyFormat: 'hash' | 'full' = 'hash'): Uint8Array {
  const sample = loadSampleKeys().find((k) => k.name === name);
  if (!sample) throw new Error(`no sample key ${name}`);
  const length = type.startsWith('rsa') ? (type === 'rsa-2048' ? 256 : 384) : type === 'ed25519' ? 64 : 72;
  return buildImage({
    publicKeyFormat,
    fixedSignature: {
      signature: new Uint8Array(length).fill(0x5a),
      publicPem: sample.key.export({ type: 'spki', format: 'pem' }).toString(),
      type,
    },
  });
}

/** An RSA-PSS signature with the largest salt, as imgtool made them long ago; bootutil only takes salt length 32. */
function rsaMaxSaltImage(): Uint8Array {
  const unsigned = buildImage({ hash: 'sha256' });
  const region = unsigned.subarray(0, layout(unsigned).tlvStart);
  const signature = sign('sha256', region, {
    key: createPrivateKey(rsa2048.privatePem),
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN,
  });
  return buildImage({ fixedSignature: { signature, publicPem: rsa2048.publicPem, type: 'rsa-2048' } });
}

/** MCUboot before 1.5 wanted ECDSA P-256 signatures padded with zeros to 72 bytes; imgtool --pad-sig still does it. */
function paddedEcdsaImage(): Uint8Array {
  const unsigned = buildImage({ hash: 'sha256' });
  const region = unsigned.subarray(0, layout(unsigned).tlvStart);
  for (let attempt = 0; attempt < 50; attempt++) {
    const signature = sign('sha256', region, createPrivateKey(p256.privatePem));
    if (signature.length < 72) {
      const padded = new Uint8Array(72);
      padded.set(signature);
      return buildImage({ fixedSignature: { signature: padded, publicPem: p256.publicPem, type: 'ecdsa-p256' } });
    }
  }
  throw new Error('no ECDSA signature shorter than 72 bytes in 50 attempts');
}

/** The good image with the hash TLV's value replaced. */
function withHashBytes(value: Uint8Array): Uint8Array {
  const copy = new Uint8Array(good);
  copy.set(value, goodHashTlv?.offset ?? 0);
  return copy;
}

const case_ = (name: string, bytes: Uint8Array, more: Omit<RuleCase, 'name' | 'bytes'> = {}): RuleCase => ({ name, bytes, ...more });

configRuleTester(mcubootKind, 'config/mcuboot/image-structure', {
  valid: [
    case_('a complete signed image', good, { options: withKey(ed25519) }),
    case_('a complete hash-only image', buildImage()),
    case_('imgtool Intel HEX fixture', fixture('app-ec256.signed.hex'), { path: 'app.hex' }),
    case_('trailing bytes after the TLV area (slot padding) are allowed', new Uint8Array([...good, ...new Uint8Array(64).fill(0xff)])),
  ],
  invalid: [
    case_('cut inside the 32-byte header', good.subarray(0, 20), { message: /^truncated image: the 32-byte image header is cut/ }),
    case_('cut inside the payload', good.subarray(0, goodLayout.headerSize + 100), {
      message: /^truncated image: the header says the payload is 4096 bytes/,
    }),
    case_('cut right after the payload', good.subarray(0, goodLayout.payloadEnd), {
      message: /^truncated image: the TLV area should start at offset 4608/,
    }),
    case_('cut inside the protected TLV area', good.subarray(0, goodLayout.payloadEnd + 6), {
      message: /^truncated image: the protected TLV area is cut/,
    }),
    case_('cut before the TLV info', good.subarray(0, goodLayout.tlvStart + 2), {
      message: /^truncated image: the TLV info \(0x6907\) should be at offset/,
    }),
    case_('cut inside the hash TLV', good.subarray(0, (goodHashTlv?.offset ?? 0) + 10), {
      message: /^truncated image: the TLV area is cut: it should end at offset/,
    }),
    case_('cut inside the KEYHASH TLV', good.subarray(0, (goodKeyHashTlv?.offset ?? 0) + 1), {
      message: /^truncated image: the TLV area is cut/,
    }),
    case_('last signature byte missing', good.subarray(0, good.length - 1), { message: /^truncated image: the TLV area is cut/ }),
    case_('wrong TLV info magic', flipBit(good, goodLayout.tlvStart), {
      message: /^malformed image: offset \d+ holds 0x6906, not the TLV info magic 0x6907/,
    }),
    case_('protected TLV size disagrees with the header', flipBit(good, 10, 2), {
      message: /^malformed image: the protected TLV area says it is 12 bytes, the header says 8/,
    }),
    case_('protected area present, header says none', withoutProtectedSize(), { message: /ih_protect_tlv_size is 0/ }),
    case_('a TLV longer than its area', overrunTlv(), {
      message: /^malformed image: TLV KEYHASH at offset \d+ says it holds \d+ bytes, past the end of the TLV area/,
    }),
    case_('TLV area shorter than its info header', shortTlvArea(), { message: /less than its own 4-byte info header/ }),
    case_('ih_hdr_size below 32', headerSize(16), { message: /^malformed image: ih_hdr_size is 16/ }),
    case_('Intel HEX without its end-of-file record', hexWithoutEof(), { path: 'app.hex', message: /without an end-of-file record/ }),
  ],
});

function withoutProtectedSize(): Uint8Array {
  const copy = new Uint8Array(good);
  copy[10] = 0;
  copy[11] = 0;
  return copy;
}

function overrunTlv(): Uint8Array {
  const copy = new Uint8Array(good);
  const at = (goodKeyHashTlv?.offset ?? 0) - 2;
  new DataView(copy.buffer).setUint16(at, 1000, true);
  return copy;
}

function shortTlvArea(): Uint8Array {
  const copy = new Uint8Array(good);
  new DataView(copy.buffer).setUint16(goodLayout.tlvStart + 2, 2, true);
  return copy;
}

function headerSize(size: number): Uint8Array {
  const copy = new Uint8Array(good);
  new DataView(copy.buffer).setUint16(8, size, true);
  return copy;
}

function hexWithoutEof(): Uint8Array {
  const text = toIntelHex(buildImage({ key: p256 }), 0x8000).replace(/:00000001FF\n$/, '');
  return new TextEncoder().encode(text);
}

configRuleTester(mcubootKind, 'config/mcuboot/image-hash', {
  valid: [
    case_('SHA-256, Ed25519', good),
    case_('SHA-384, ECDSA P-384', signed(p384)),
    case_('SHA-512, Ed25519', signed(ed25519, { hash: 'sha512' })),
    case_('SHA-512 hash only', buildImage({ hash: 'sha512' })),
    case_(
      'protected SEC_CNT and a custom protected TLV are hashed',
      buildImage({ securityCounter: 3, protectedTlvs: [{ type: 0xa0, value: Uint8Array.of(1, 2, 3) }] }),
    ),
    case_('Intel HEX at 0x8000', new TextEncoder().encode(toIntelHex(buildImage({ hash: 'sha384' }), 0x8000)), { path: 'app.hex' }),
  ],
  invalid: [
    case_('a payload bit flipped', flipBit(good, goodLayout.headerSize + 123, 5), {
      message: /^tampered image: the SHA-256 image hash does not match/,
    }),
    case_('a header bit flipped (version)', flipBit(good, 21), { message: /^tampered image/ }),
    case_('header padding changed', flipBit(good, 100), { message: /^tampered image/ }),
    case_('the protected security counter changed', flipBit(good, goodLayout.payloadEnd + 8), { message: /^tampered image/ }),
    case_('the stored hash changed', withHashBytes(new Uint8Array(32)), { message: /^tampered image/ }),
    case_('SHA-384 payload bit flipped', flipBit(signed(p384), 0x200 + 7), { message: /^tampered image: the SHA-384 image hash/ }),
    case_('SHA-512 payload bit flipped', flipBit(buildImage({ hash: 'sha512' }), 0x200), {
      message: /^tampered image: the SHA-512 image hash/,
    }),
    case_('no hash TLV at all', buildImage({ hash: 'none' }), { message: /^no image hash TLV/ }),
    case_(
      'a SHA256 TLV of the wrong length',
      buildImage({ hash: 'none', extraTlvs: [{ type: TLV_TYPE.SHA256, value: new Uint8Array(31) }] }),
      { message: /holds 31 bytes/ },
    ),
  ],
});

configRuleTester(mcubootKind, 'config/mcuboot/image-hash', {
  valid: [
    case_('an encrypted payload: the hash is left to the device', buildImage({ flags: 0x4 }), {
      result: 'info',
      message: /encrypted \(ENCRYPTED_AES128\)/,
    }),
  ],
  invalid: [],
});

configRuleTester(mcubootKind, 'config/mcuboot/signature', {
  valid: [
    case_('Ed25519 over the SHA-256 digest', good, { options: withKey(ed25519) }),
    case_('Ed25519 over the SHA-512 digest', signed(ed25519, { hash: 'sha512' }), { options: withKey(ed25519) }),
    case_('Ed25519 pure (SIG_PURE)', signed(ed25519, { pure: true }), { options: withKey(ed25519), message: /Ed25519 signature is valid/ }),
    case_('ECDSA P-256', signed(p256), { options: withKey(p256), message: /ECDSA P-256 signature is valid/ }),
    case_('ECDSA P-384 with SHA-384', signed(p384, { securityCounter: 1 }), {
      options: withKey(p384),
      message: /ECDSA P-384 signature is valid/,
    }),
    case_('RSA-2048 PSS', signed(rsa2048), { options: withKey(rsa2048), message: /RSA-2048 PSS signature is valid/ }),
    case_('RSA-3072 PSS', signed(rsa3072, { securityCounter: 9 }), {
      options: withKey(rsa3072),
      message: /RSA-3072 PSS signature is valid/,
    }),
    case_('PUBKEY instead of KEYHASH', signed(p256, { publicKeyFormat: 'full' }), { options: withKey(p256) }),
    case_('the right key among several', signed(rsa3072), { options: withKey(otherP256, ed25519, rsa3072) }),
    case_('a private key PEM is taken for its public half', signed(p384), {
      options: { keys: [{ path: 'p384.pem', pem: p384.privatePem }] },
    }),
    case_('Intel HEX', new TextEncoder().encode(toIntelHex(signed(rsa2048), 0x10000)), { path: 'app.hex', options: withKey(rsa2048) }),
    case_('signed, no key given: authenticity unknown', good, {
      result: 'info',
      message: /no public key was given \(--key\), so its authenticity could not be verified/,
    }),
    case_('ECDSA signature zero-padded to 72 bytes (imgtool --pad-sig)', paddedEcdsaImage(), { options: withKey(p256) }),
    case_('an encrypted payload: the signature covers the plaintext', signed(p256, { flags: 0x8 }), {
      options: withKey(p256),
      result: 'info',
      message: /could not be verified: the payload is encrypted/,
    }),
  ],
  invalid: [
    case_('hash-only image', buildImage(), { message: /^hash-only image: it carries a SHA-256 hash but no signature TLV/ }),
    case_('no signature and no hash', buildImage({ hash: 'none' }), { message: /^unsigned image: no signature TLV and no hash TLV/ }),
    case_('hash-only even with a key given', buildImage({ hash: 'sha384' }), {
      options: withKey(p384),
      message: /^hash-only image: it carries a SHA-384 hash/,
    }),
    case_('signed with another Ed25519 key', good, {
      options: withKey(otherEd25519),
      message: /verifies with none of the keys given \(one key\): the image was signed with another key/,
    }),
    case_('signed with another P-256 key', signed(p256), { options: withKey(otherP256) }),
    case_('key of another type', signed(rsa3072), { options: withKey(rsa2048, p384) }),
    case_('a signature bit flipped', flipBit(good, goodSigTlv?.offset ?? 0, 3), {
      options: withKey(ed25519),
      message: /^bad signature: the KEYHASH names key-0-ed25519\.pub\.pem/,
    }),
    case_('RSA-3072 signature bit flipped', flipBit(signed(rsa3072), layout(signed(rsa3072)).tlvEnd - 1), {
      options: withKey(rsa3072),
      message: /^bad signature/,
    }),
    case_('a payload bit flipped, P-384', flipBit(signed(p384), 0x200 + 1), {
      options: withKey(p384),
      message: /^bad signature: .*\(the image hash does not match either\)/,
    }),
    case_('a header bit flipped, RSA-2048', flipBit(signed(rsa2048), 20), { options: withKey(rsa2048), message: /^bad signature/ }),
    case_('security counter rolled back after signing', flipBit(signed(p256, { securityCounter: 5 }), 0x200 + 4096 + 8), {
      options: withKey(p256),
      message: /^bad signature/,
    }),
    case_('RSA-PSS with a salt longer than 32 bytes', rsaMaxSaltImage(), { options: withKey(rsa2048), message: /^bad signature/ }),
    case_('KEYHASH names another key than the one that signed', keyHashFor(otherEd25519), {
      options: withKey(ed25519, otherEd25519),
      message: /verifies with key-0-ed25519\.pub\.pem, but the KEYHASH names another key/,
    }),
  ],
});

/** The good image with its KEYHASH replaced by another key's. */
function keyHashFor(key: SigningKey): Uint8Array {
  const other = layout(signed(key)).tlvs.find((t) => t.type === TLV_TYPE.KEYHASH);
  const copy = new Uint8Array(good);
  copy.set(other?.value ?? new Uint8Array(32), goodKeyHashTlv?.offset ?? 0);
  return copy;
}

configRuleTester(mcubootKind, 'config/mcuboot/sample-key', {
  valid: [
    case_('own Ed25519 key', good, { options: withKey(ed25519), message: /KEYHASH names none of MCUboot's 6 published sample keys/ }),
    case_('own key, no --key given', signed(rsa3072)),
    case_('own key as PUBKEY', signed(p384, { publicKeyFormat: 'full' })),
    case_('own key, no KEYHASH: the signature verifies with no sample key', signed(p256, { publicKeyFormat: 'none' }), {
      message: /verifies with none of MCUboot's 6 published sample keys/,
    }),
    case_('unsigned image: nothing to compare', buildImage(), { result: 'not-applicable' }),
  ],
  invalid: [
    case_('imgtool fixture signed with root-ec-p256.pem', fixture('app-ec256-samplekey.signed.bin'), {
      options: { keys: [fixtureKey('sample-keys/root-ec-p256.pub.pem')] },
      message: /root-ec-p256\.pem/,
    }),
    case_('KEYHASH of root-ed25519.pem', sampleSigned('root-ed25519.pem', 'ed25519'), { message: /root-ed25519\.pem/ }),
    case_('KEYHASH (SHA-384) of root-ec-p384.pem', sampleSigned('root-ec-p384.pem', 'ecdsa-p384'), { message: /root-ec-p384\.pem/ }),
    case_('KEYHASH of root-rsa-2048.pem', sampleSigned('root-rsa-2048.pem', 'rsa-2048'), { message: /root-rsa-2048\.pem/ }),
    case_('PUBKEY of root-rsa-3072.pem', sampleSigned('root-rsa-3072.pem', 'rsa-3072', 'full'), { message: /root-rsa-3072\.pem/ }),
    case_('KEYHASH of root-ed25519-unknown.pem', sampleSigned('root-ed25519-unknown.pem', 'ed25519'), {
      message: /root-ed25519-unknown\.pem/,
    }),
    case_('sample-key image in Intel HEX', new TextEncoder().encode(toIntelHex(fixture('app-ec256-samplekey.signed.bin'), 0x20000)), {
      path: 'app.hex',
    }),
  ],
});
