// Fuzzing identifyScheme and verify: arbitrary strings, strings that start like every scheme, and
// mutations of real hashes, as hash and as password. Each call returns a verdict or a reason (never a
// throw, never an "internal error"), and finishes in bounded time because costs are capped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { identifyScheme } from '../../../../src/scan/firmware/accounts/crypt/identify.ts';
import type { VerifyResult } from '../../../../src/scan/firmware/accounts/crypt/types.ts';
import { verify } from '../../../../src/scan/firmware/accounts/crypt/verify.ts';
import { fixtureHashes } from './tool-hashes.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** The dearest verification the default limits allow is about a second on a slow machine; a hang blows through this. */
const SLOW_MS = 8000;

const PREFIXES = [
  '',
  '_',
  '!',
  '*',
  '$1$',
  '$apr1$',
  '$5$',
  '$5$rounds=',
  '$6$',
  '$6$rounds=',
  '$2a$',
  '$2b$0',
  '$2y$1',
  '$2x$05$',
  '$y$',
  '$y$j9T$',
  '$gy$',
  '$7$',
  '$7$C',
  '$sha1$',
  '$md5$',
  '$md5,rounds=',
  '$3$$',
  '$argon2id$v=19$m=',
  '$argon2i$',
  '{SHA}',
  '{SSHA}',
];

const samples = fixtureHashes().map((f) => f.hash);

/** A real hash with one character replaced, inserted or deleted. */
const mutated = fc
  .tuple(
    fc.constantFrom(...samples),
    fc.nat(),
    fc.constantFrom('replace', 'insert', 'delete'),
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
  )
  .map(([hash, at, how, ch]) => {
    const i = at % (hash.length + 1);
    if (how === 'insert') return hash.slice(0, i) + ch + hash.slice(i);
    if (how === 'delete') return hash.slice(0, i) + hash.slice(i + 1);
    return hash.slice(0, i) + ch + hash.slice(i + 1);
  });

const hashLike = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.tuple(fc.constantFrom(...PREFIXES), fc.string({ unit: 'binary-ascii', maxLength: 100 })).map(([p, rest]) => p + rest),
  fc.tuple(fc.constantFrom(...PREFIXES), fc.stringMatching(/^[0-9$./A-Za-z=,+]{0,100}$/)).map(([p, rest]) => p + rest),
  mutated,
);

const passwordLike = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('', 'admin', '\0', 'a\0b', '\uD800'));

function checkResult(result: VerifyResult): void {
  if (result === 'match' || result === 'no-match') return;
  assert.equal(typeof result.unverifiable, 'string');
  assert.ok(result.unverifiable.length > 0);
  assert.ok(!result.unverifiable.startsWith('internal error'), result.unverifiable);
}

describe('verify fuzz', () => {
  it('never throws, never reports an internal error, never hangs', () => {
    fc.assert(
      fc.property(hashLike, passwordLike, (hash, password) => {
        const started = cpuClock();
        const identification = identifyScheme(hash);
        assert.equal(typeof identification.scheme, 'string');
        checkResult(verify(password, hash));
        assert.ok(started() < SLOW_MS, `took too long: ${JSON.stringify(hash)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('a mutated real hash does not match its password unless the mutation kept the hash intact', () => {
    const fixture = fixtureHashes();
    fc.assert(
      fc.property(fc.constantFrom(...fixture), fc.nat(), (entry, at) => {
        // Not the last 3 characters: a Base64 digest's last character has unused bits that decoders ignore.
        const i = at % (entry.hash.length - 3);
        const replacement = entry.hash[i] === 'A' ? 'B' : 'A';
        const hash = entry.hash.slice(0, i) + replacement + entry.hash.slice(i + 1);
        const result = verify(entry.password, hash);
        checkResult(result);
        // Changing any character changes the parameters, the salt or the digest: never the same password.
        assert.notEqual(result, 'match', `${entry.hash} → ${hash}`);
      }),
      { numRuns: Math.min(RUNS, 150) },
    );
  });
});
