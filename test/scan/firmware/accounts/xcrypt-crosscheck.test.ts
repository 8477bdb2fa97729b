// The TypeScript verifiers against the system's libxcrypt, through the N-API binding
// (scripts/build-xcrypt.sh): for random passwords and settings of every scheme both implement, the same
// hash string; and verify() accepts libxcrypt's hash for the password and refuses it for another.
// Skipped when the binding is not built, unless BASELINE_REQUIRE_XCRYPT=1 (then its absence fails).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bcrypt } from '../../../../src/scan/firmware/accounts/crypt/bcrypt.ts';
import { bsdiCrypt, desCrypt } from '../../../../src/scan/firmware/accounts/crypt/des.ts';
import { BCRYPT64, ITOA64, passwordBytes } from '../../../../src/scan/firmware/accounts/crypt/encoding.ts';
import { md5crypt } from '../../../../src/scan/firmware/accounts/crypt/md5crypt.ts';
import { scryptCrypt } from '../../../../src/scan/firmware/accounts/crypt/scrypt.ts';
import { sha1crypt } from '../../../../src/scan/firmware/accounts/crypt/sha1crypt.ts';
import { shaCrypt } from '../../../../src/scan/firmware/accounts/crypt/sha-crypt.ts';
import { DEFAULT_LIMITS } from '../../../../src/scan/firmware/accounts/crypt/types.ts';
import { verify } from '../../../../src/scan/firmware/accounts/crypt/verify.ts';
import { xcryptBinding, xcryptBindingProblem } from '../../../../src/scan/firmware/accounts/crypt/xcrypt-binding.ts';

const binding = xcryptBinding();
const required = process.env.BASELINE_REQUIRE_XCRYPT === '1';
const skip = binding || required ? false : xcryptBindingProblem();
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

const crypt64 = (min: number, max: number) =>
  fc.array(fc.constantFrom(...ITOA64), { minLength: min, maxLength: max }).map((a) => a.join(''));
const fixed64 = (n: number) => crypt64(n, n);
/** Passwords of every kind: ASCII, any code point (lone surrogates and NUL included), graphemes; below libxcrypt's 512-byte limit. */
const password = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** Another password whose bytes differ from the first one's in the first byte (so DES, which keeps 8 bytes of 7 bits, differs too). */
function other(p: string): string {
  return (passwordBytes(p)[0] ?? 0) === 0x78 ? `y${p}` : `x${p}`;
}

interface Scheme {
  name: string;
  prefix: string;
  setting: fc.Arbitrary<string>;
  ours(password: Uint8Array, setting: string): string;
}

const schemes: Scheme[] = [
  { name: 'DES crypt', prefix: '', setting: fixed64(2), ours: (p, s) => desCrypt(p, s) },
  {
    name: 'extended BSDi DES',
    prefix: '_',
    setting: fc.tuple(fc.integer({ min: 1, max: 3000 }), fixed64(4)).map(([count, salt]) => {
      let c = '';
      for (let i = 0; i < 4; i++) c += ITOA64[(count >> (6 * i)) & 0x3f];
      return `_${c}${salt}`;
    }),
    ours: (p, s) => bsdiCrypt(p, s, DEFAULT_LIMITS),
  },
  { name: 'md5crypt', prefix: '$1$', setting: crypt64(0, 8).map((salt) => `$1$${salt}$`), ours: (p, s) => md5crypt(p, s, '$1$') },
  {
    name: 'sha256crypt',
    prefix: '$5$',
    setting: fc
      .tuple(fc.option(fc.integer({ min: 1000, max: 3000 })), crypt64(0, 16))
      .map(([rounds, salt]) => `$5$${rounds === null ? '' : `rounds=${rounds}$`}${salt}$`),
    ours: (p, s) => shaCrypt(p, s, DEFAULT_LIMITS),
  },
  {
    name: 'sha512crypt',
    prefix: '$6$',
    setting: fc
      .tuple(fc.option(fc.integer({ min: 1000, max: 3000 })), crypt64(0, 16))
      .map(([rounds, salt]) => `$6$${rounds === null ? '' : `rounds=${rounds}$`}${salt}$`),
    ours: (p, s) => shaCrypt(p, s, DEFAULT_LIMITS),
  },
  {
    name: 'bcrypt',
    prefix: '$2b$',
    setting: fc
      .tuple(
        fc.constantFrom('a', 'b', 'y'),
        fc.integer({ min: 4, max: 5 }),
        fc.array(fc.constantFrom(...BCRYPT64), { minLength: 22, maxLength: 22 }),
      )
      .map(([subtype, cost, salt]) => `$2${subtype}$0${cost}$${salt.join('')}`),
    ours: (p, s) => bcrypt(p, s, DEFAULT_LIMITS),
  },
  {
    name: 'scrypt',
    prefix: '$7$',
    setting: fc
      .tuple(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 2 }), crypt64(0, 20))
      .map(([log2N, r, p, salt]) => `$7$${ITOA64[log2N]}${ITOA64[r]}....${ITOA64[p]}....${salt}`),
    ours: (p, s) => scryptCrypt(p, s, DEFAULT_LIMITS),
  },
  {
    name: 'sha1crypt',
    prefix: '$sha1$',
    setting: fc.tuple(fc.integer({ min: 1, max: 3000 }), crypt64(1, 64)).map(([iterations, salt]) => `$sha1$${iterations}$${salt}$`),
    ours: (p, s) => sha1crypt(p, s, DEFAULT_LIMITS),
  },
];

describe('TypeScript verifiers agree with libxcrypt', { skip }, () => {
  it('the binding is built', () => assert.ok(binding, xcryptBindingProblem()));

  for (const scheme of schemes) {
    it(`${scheme.name}: same hash, and verify() matches exactly the right password`, () => {
      assert.ok(binding!.supports(scheme.prefix), `libxcrypt here has no ${scheme.name}`);
      fc.assert(
        fc.property(password, scheme.setting, (p, setting) => {
          const reference = binding!.crypt(p, setting);
          assert.notEqual(reference, null, `libxcrypt refused ${JSON.stringify(setting)}`);
          assert.equal(scheme.ours(passwordBytes(p), setting), reference, `${JSON.stringify(p)} with ${setting}`);
          assert.equal(verify(p, reference!), 'match');
          assert.equal(verify(other(p), reference!), 'no-match');
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('libxcrypt-only schemes (yescrypt, gost-yescrypt, Sun MD5, NT hash) verify through the binding', () => {
    const settings = ['$y$j9T$', '$y$j7T$', '$gy$j9T$', '$md5,rounds=1000$', '$3$'];
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), fc.constantFrom(...settings), (p, prefix) => {
        // libxcrypt's own salt: a setting with a random salt made by crypt of a marker phrase.
        const setting =
          prefix === '$3$'
            ? '$3$'
            : binding!.crypt('salt', `${prefix}${prefix.startsWith('$md5') ? 'abcdefgh$' : 'abcdefghijklmnopqrstuv$'}`);
        const reference = binding!.crypt(p, setting ?? prefix);
        if (reference === null) return;
        assert.equal(verify(p, reference), 'match', `${JSON.stringify(p)} ${reference}`);
        assert.equal(verify(other(p), reference), 'no-match');
      }),
      { numRuns: 20 },
    );
  });

  it('refuses the same malformed settings where both have rules: rounds out of range, short salts, bad cost', () => {
    for (const hash of [
      `$5$rounds=999$abc$${'a'.repeat(43)}`,
      `$6$rounds=1000000000$abc$${'a'.repeat(86)}`,
      `$2b$03$${'a'.repeat(53)}`,
      `$2b$32$${'a'.repeat(53)}`,
    ]) {
      assert.equal(binding!.crypt('admin', hash), null, hash);
      assert.equal(typeof verify('admin', hash), 'object', hash);
    }
  });
});
