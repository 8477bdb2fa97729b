// The building blocks against published reference values: DES against OpenSSL, Blowfish's constants
// against the digits of pi, and the test vectors of the SHA-crypt specification and of crypt_blowfish.
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { bcrypt, blowfishInitialState } from '../../../../src/scan/firmware/accounts/crypt/bcrypt.ts';
import { desEncryptBlock } from '../../../../src/scan/firmware/accounts/crypt/des.ts';
import { bcryptDecode, bcryptEncode, decodeBase64 } from '../../../../src/scan/firmware/accounts/crypt/encoding.ts';
import { shaCrypt } from '../../../../src/scan/firmware/accounts/crypt/sha-crypt.ts';
import { DEFAULT_LIMITS } from '../../../../src/scan/firmware/accounts/crypt/types.ts';
import { verify } from '../../../../src/scan/firmware/accounts/crypt/verify.ts';

describe('DES', () => {
  it('encrypts the FIPS 46 worked example', () => {
    const out = desEncryptBlock(Buffer.from('133457799BBCDFF1', 'hex'), Buffer.from('0123456789ABCDEF', 'hex'));
    assert.equal(Buffer.from(out).toString('hex'), '85e813540f0ab405');
  });

  it('agrees with OpenSSL (two-key triple DES with equal keys is single DES) on random blocks', () => {
    for (let i = 0; i < 200; i++) {
      const key = randomBytes(8);
      const block = randomBytes(8);
      const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
      cipher.setAutoPadding(false);
      assert.deepEqual(Buffer.from(desEncryptBlock(key, block)), cipher.update(block), `key ${key.toString('hex')}`);
    }
  });
});

describe('Blowfish initial state from pi', () => {
  it('starts, turns into the S-boxes, and ends where Schneier’s tables do', () => {
    const state = blowfishInitialState();
    assert.equal(state.length, 18 + 1024);
    assert.equal(state[0], 0x243f6a88); // P[0]
    assert.equal(state[17], 0x8979fb1b); // P[17]
    assert.equal(state[18], 0xd1310ba6); // S0[0]
    assert.equal(state[18 + 256], 0x4b7a70e9); // S1[0]
    assert.equal(state[18 + 1023], 0x3ac372e6); // S3[255]
  });
});

describe('SHA-crypt specification test vectors (Drepper)', () => {
  const vectors: [string, string, string][] = [
    ['$5$saltstring', 'Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    [
      '$5$rounds=10000$saltstringsaltstring',
      'Hello world!',
      '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA',
    ],
    [
      '$6$saltstring',
      'Hello world!',
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    ],
    [
      '$6$rounds=10000$saltstringsaltstring',
      'Hello world!',
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    ],
  ];
  for (const [setting, password, expected] of vectors) {
    it(`${setting} ${password}`, () => {
      assert.equal(shaCrypt(Buffer.from(password), setting, DEFAULT_LIMITS), expected);
      assert.equal(verify(password, expected), 'match');
    });
  }
});

describe('crypt_blowfish test vectors', () => {
  const vectors: [string, Buffer][] = [
    ['$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', Buffer.from('U*U')],
    // 8-bit bytes: $2x$ reproduces the old sign-extension bug, $2a$ carries the countermeasure, $2y$ is correct.
    ['$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e', Buffer.from([0xff, 0xff, 0xa3])],
    ['$2y$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e', Buffer.from([0xff, 0xff, 0xa3])],
    ['$2a$05$/OK.fbVrR/bpIqNJ5ianF.nqd1wy.pTMdcvrRWxyiGL2eMz.2a85.', Buffer.from([0xff, 0xff, 0xa3])],
    ['$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e', Buffer.from([0xff, 0xff, 0xa3])],
  ];
  for (const [hash, password] of vectors) {
    it(`${hash.slice(0, 7)} ${password.toString('hex')}`, () => assert.equal(bcrypt(password, hash, DEFAULT_LIMITS), hash));
  }
});

describe('encodings', () => {
  it('bcrypt Base64 round-trips', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = randomBytes(n);
      assert.deepEqual(Buffer.from(bcryptDecode(bcryptEncode(bytes), n)!), bytes);
    }
  });

  it('standard Base64 is strict', () => {
    assert.deepEqual(decodeBase64('YWJj'), Buffer.from('abc'));
    assert.deepEqual(decodeBase64('YWI='), Buffer.from('ab'));
    assert.deepEqual(decodeBase64('YWI'), Buffer.from('ab'));
    assert.equal(decodeBase64('YW=I'), undefined);
    assert.equal(decodeBase64('Y'), undefined);
    assert.equal(decodeBase64('YW*I'), undefined);
  });
});
