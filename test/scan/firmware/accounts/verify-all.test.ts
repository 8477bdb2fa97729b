// verifyAll on worker threads against verifyAllSync in-process: the same verdicts, whatever the threads
// and chunk sizes. The times are printed, not asserted (on a 2-core machine shared by CI they vary).
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { verifyAll, verifyAllSync } from '../../../../src/scan/firmware/accounts/crypt/verify-all.ts';
import { xcryptBinding } from '../../../../src/scan/firmware/accounts/crypt/xcrypt-binding.ts';
import { fixtureHashes } from './tool-hashes.ts';

const fixture = fixtureHashes();
const byName = (name: string, password = 'admin') => fixture.find((f) => f.name === name && f.password === password)!.hash;

const PASSWORDS = [...Array.from({ length: 40 }, (_, i) => `candidate${i}`), 'admin', 'toor', 'longerpassword', 'longerpa'];
const HASHES = [
  byName('mkpasswd -m sha-512'),
  byName('mkpasswd -m bcrypt'),
  byName('mkpasswd -m md5'),
  byName('mosquitto_passwd -b'),
  byName('htpasswd -nbs'),
  byName('mkpasswd -m des', 'longerpassword'),
  byName('mkpasswd -m sha-512'), // the same hash twice: computed once, reported for both
  '!',
  '',
  'not a hash',
  `$6$rounds=999$saltsalt$${'a'.repeat(86)}`,
  '$1$nosuchpw$qBY9dy3LDEXz/1xuMgFTw0',
];

describe('verifyAll', () => {
  it('gives the same verdicts on worker threads as in-process (timings printed)', async () => {
    let started = performance.now();
    const sync = verifyAllSync(HASHES, PASSWORDS);
    const syncMs = performance.now() - started;
    started = performance.now();
    const threaded = await verifyAll(HASHES, PASSWORDS, { chunkSize: 8 });
    const threadedMs = performance.now() - started;
    console.log(
      `verifyAll: ${HASHES.length} hashes × ${PASSWORDS.length} passwords: in-process ${syncMs.toFixed(0)} ms, ` +
        `${availableParallelism()} worker threads ${threadedMs.toFixed(0)} ms`,
    );
    assert.deepEqual(threaded, sync);
  });

  it('reports per hash the first matching password, none, or why it cannot tell', () => {
    const outcomes = verifyAllSync(HASHES, PASSWORDS).map((v) => v.outcome);
    assert.deepEqual(outcomes, [
      { status: 'match', password: 'admin' },
      { status: 'match', password: 'admin' },
      { status: 'match', password: 'admin' },
      { status: 'match', password: 'admin' },
      { status: 'match', password: 'admin' },
      // DES keeps 8 characters: "longerpassword" and "longerpa" both match; the first in the list is reported.
      { status: 'match', password: 'longerpassword' },
      { status: 'match', password: 'admin' },
      { status: 'no-match' },
      { status: 'no-match' },
      { status: 'unverifiable', reason: 'unrecognised hash format' },
      { status: 'unverifiable', reason: 'rounds=999 is outside 1000–999999999' },
      { status: 'no-match' },
    ]);
  });

  it('agrees with the in-process path for any thread count and chunk size', async () => {
    const hashes = HASHES.slice(2);
    const expected = verifyAllSync(hashes, PASSWORDS);
    for (const [threads, chunkSize] of [
      [1, 1],
      [2, 3],
      [3, 100],
    ] as const) {
      assert.deepEqual(await verifyAll(hashes, PASSWORDS, { threads, chunkSize }), expected, `threads ${threads}, chunk ${chunkSize}`);
    }
  });

  it('handles no hashes and no passwords', async () => {
    assert.deepEqual(await verifyAll([], PASSWORDS), []);
    const none = await verifyAll(['', '!', byName('mkpasswd -m md5')], []);
    assert.deepEqual(
      none.map((v) => v.outcome),
      [{ status: 'no-match' }, { status: 'no-match' }, { status: 'no-match' }],
    );
  });

  it('reports libxcrypt schemes unverifiable when told not to use the binding', async () => {
    const [verdict] = await verifyAll([byName('mkpasswd -m yescrypt')], ['admin'], { useXcrypt: false, threads: 1 });
    assert.deepEqual(verdict!.outcome, { status: 'unverifiable', reason: 'libxcrypt binding not built' });
    assert.equal(verdict!.identification.scheme, 'yescrypt');
  });

  it(
    'loads the libxcrypt binding in the worker threads too (N-API, context-aware)',
    { skip: xcryptBinding() ? false : 'libxcrypt binding not built' },
    async () => {
      const hashes = [byName('mkpasswd -m yescrypt'), byName('mkpasswd -m gost-yescrypt'), byName('mkpasswd -m sunmd5')];
      const verdicts = await verifyAll(hashes, ['root', 'admin'], { threads: 2, chunkSize: 1 });
      assert.deepEqual(
        verdicts.map((v) => v.outcome),
        hashes.map(() => ({ status: 'match', password: 'admin' })),
      );
    },
  );
});
