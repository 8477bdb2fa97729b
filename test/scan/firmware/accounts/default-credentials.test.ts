// The default credential list: it loads, every pair is there once, every source is defined, the whole
// of Mirai's table is in it (decoded here from the obfuscated bytes of scanner.c), and
// candidatePasswords() orders and extends it as documented.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../../src/io/input-error.ts';
import {
  candidatePasswords,
  DEFAULT_CREDENTIALS_PATH,
  loadDefaultCredentials,
} from '../../../../src/scan/firmware/accounts/default-credentials.ts';

/**
 * The 62 add_auth_entry(user, password, weight) calls of scanner_init() in mirai/bot/scanner.c
 * (github.com/jgamblin/Mirai-Source-Code, commit 6a5941be), their strings as the hex of the obfuscated
 * bytes. deobf() XORs each byte with 0xDE, 0xAD, 0xBE and 0xEF: with 0x22.
 */
const MIRAI_AUTH_ENTRIES: [string, string, number][] = [
  ['504d4d56', '5a4111171313', 10],
  ['504d4d56', '544b585a54', 9],
  ['504d4d56', '43464f4b4c', 8],
  ['43464f4b4c', '43464f4b4c', 7],
  ['504d4d56', '1a1a1a1a1a1a', 6],
  ['504d4d56', '5a4f4a464b5241', 5],
  ['504d4d56', '46474443574e56', 5],
  ['504d4d56', '4857434c5647414a', 5],
  ['504d4d56', '131011161714', 5],
  ['504d4d56', '1716111013', 5],
  ['515752524d5056', '515752524d5056', 5],
  ['504d4d56', '', 4],
  ['43464f4b4c', '52435151554d5046', 4],
  ['504d4d56', '504d4d56', 4],
  ['504d4d56', '1310111617', 4],
  ['57514750', '57514750', 3],
  ['43464f4b4c', '', 3],
  ['504d4d56', '52435151', 3],
  ['43464f4b4c', '43464f4b4c13101116', 3],
  ['504d4d56', '13131313', 3],
  ['43464f4b4c', '514f4143464f4b4c', 3],
  ['43464f4b4c', '13131313', 2],
  ['504d4d56', '141414141414', 2],
  ['504d4d56', '52435151554d5046', 2],
  ['504d4d56', '13101116', 2],
  ['504d4d56', '494e54131011', 1],
  ['63464f4b4c4b51565043564d50', '4f474b4c514f', 1],
  ['514750544b4147', '514750544b4147', 1],
  ['5157524750544b514d50', '5157524750544b514d50', 1],
  ['4557475156', '4557475156', 1],
  ['4557475156', '1310111617', 1],
  ['4557475156', '1310111617', 1],
  ['43464f4b4c13', '52435151554d5046', 1],
  ['43464f4b4c4b51565043564d50', '13101116', 1],
  ['141414141414', '141414141414', 1],
  ['1a1a1a1a1a1a', '1a1a1a1a1a1a', 1],
  ['57404c56', '57404c56', 1],
  ['504d4d56', '494e5413101116', 1],
  ['504d4d56', '785647171013', 1],
  ['504d4d56', '4a4b1117131a', 1],
  ['504d4d56', '4854405846', 1],
  ['504d4d56', '434c494d', 4],
  ['504d4d56', '584e5a5a0c', 1],
  ['504d4d56', '1557486f494d12544b585a54', 1],
  ['504d4d56', '1557486f494d1243464f4b4c', 1],
  ['504d4d56', '515b5156474f', 1],
  ['504d4d56', '4b495540', 1],
  ['504d4d56', '465047434f404d5a', 1],
  ['504d4d56', '57514750', 1],
  ['504d4d56', '5047434e564749', 1],
  ['504d4d56', '1212121212121212', 1],
  ['43464f4b4c', '13131313131313', 1],
  ['43464f4b4c', '13101116', 1],
  ['43464f4b4c', '1310111617', 1],
  ['43464f4b4c', '1716111013', 1],
  ['43464f4b4c', '131011161714', 1],
  ['43464f4b4c', '1557486f494d1243464f4b4c', 1],
  ['43464f4b4c', '16111013', 1],
  ['43464f4b4c', '52435151', 1],
  ['43464f4b4c', '4f474b4c514f', 1],
  ['5647414a', '5647414a', 1],
  ['4f4d564a4750', '445741494750', 1],
];

function deobf(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  return Buffer.from(bytes.map((byte) => byte ^ 0xde ^ 0xad ^ 0xbe ^ 0xef)).toString('latin1');
}

describe('default credential list', () => {
  const list = loadDefaultCredentials();

  it('loads with every source defined', () => {
    assert.ok(list.credentials.length >= 80);
    for (const c of list.credentials) assert.ok(Object.hasOwn(list.sources, c.source), c.source);
  });

  it('has no (username, password) pair twice', () => {
    const pairs = list.credentials.map((c) => JSON.stringify([c.username, c.password]));
    assert.equal(new Set(pairs).size, pairs.length);
  });

  it("has all of Mirai's table: 62 entries, 61 distinct pairs, each with source mirai", () => {
    assert.equal(MIRAI_AUTH_ENTRIES.length, 62);
    const decoded = MIRAI_AUTH_ENTRIES.map(([user, password]) => JSON.stringify([deobf(user), deobf(password)]));
    const distinct = new Set(decoded);
    assert.equal(distinct.size, 61);
    const mirai = list.credentials.filter((c) => c.source === 'mirai').map((c) => JSON.stringify([c.username, c.password]));
    assert.deepEqual(mirai, [...distinct], 'the mirai entries, in the source order');
    // The decoding is right: the source's own comments for the first entries.
    assert.equal(decoded[0], JSON.stringify(['root', 'xc3511']));
    assert.equal(decoded[1], JSON.stringify(['root', 'vizxv']));
    assert.ok(decoded.includes(JSON.stringify(['root', ''])));
  });

  it('notes each Mirai weight as in the source', () => {
    const firstWeight = new Map<string, number>();
    for (const [user, password, weight] of MIRAI_AUTH_ENTRIES) {
      const key = JSON.stringify([deobf(user), deobf(password)]);
      if (!firstWeight.has(key)) firstWeight.set(key, weight);
    }
    for (const c of list.credentials.filter((c) => c.source === 'mirai')) {
      assert.match(
        c.notes ?? '',
        new RegExp(`^Mirai weight ${firstWeight.get(JSON.stringify([c.username, c.password]))}(;|$)`),
        c.username,
      );
    }
  });

  it('has the common vendor defaults the scanner must find', () => {
    const pairs = new Set(list.credentials.map((c) => `${c.username}/${c.password}`));
    for (const pair of [
      'root/root',
      'admin/admin',
      'admin/1234',
      'admin/password',
      'root/raspberry',
      'pi/raspberry',
      'ubnt/ubnt',
      'support/support',
      'user/user',
      'guest/guest',
      'root/toor',
      'root/12345',
      'root/vizxv',
      'root/xc3511',
      'admin/',
      'root/',
    ]) {
      assert.ok(pairs.has(pair), pair);
    }
  });

  it('refuses a pair listed twice, a source not defined, and a bare number as password', () => {
    const header = 'sources:\n  s:\n    title: t\n    url: https://example.com/\ncredentials:\n';
    assert.throws(
      () =>
        loadDefaultCredentials(
          'twice.yaml',
          `${header}  - { username: a, password: b, source: s }\n  - { username: a, password: b, source: s }\n`,
        ),
      (error) => error instanceof InputError && /twice\.yaml:7:.*a\/b is listed twice/.test(error.message),
    );
    assert.throws(
      () => loadDefaultCredentials('source.yaml', `${header}  - { username: a, password: b, source: nope }\n`),
      (error) => error instanceof InputError && /source "nope" is not one of sources/.test(error.message),
    );
    assert.throws(() => loadDefaultCredentials('number.yaml', `${header}  - { username: a, password: 1234, source: s }\n`), InputError);
  });

  it('is the file the loader reads by default', () => {
    assert.match(DEFAULT_CREDENTIALS_PATH, /catalog\/credentials\/default-credentials\.yaml$/);
  });
});

describe('candidatePasswords', () => {
  it('lists every password of the list once, Mirai first, the empty password included', () => {
    const candidates = candidatePasswords();
    assert.equal(new Set(candidates).size, candidates.length);
    assert.deepEqual(candidates.slice(0, 3), ['xc3511', 'vizxv', 'admin']);
    assert.ok(candidates.includes(''));
    assert.ok(candidates.includes('raspberry'));
  });

  it("adds the product's name and model in a few spellings", () => {
    const candidates = candidatePasswords({ name: 'Acme Smart-Plug', model: 'SP 200' });
    for (const spelling of [
      'Acme Smart-Plug',
      'acme smart-plug',
      'ACME SMART-PLUG',
      'Acme smart-plug',
      'acmesmartplug',
      'SP 200',
      'sp 200',
      'sp200',
    ]) {
      assert.ok(candidates.includes(spelling), spelling);
    }
    assert.equal(new Set(candidates).size, candidates.length);
  });

  it("puts the account's own passwords and its name first", () => {
    const candidates = candidatePasswords(undefined, { username: 'pi' });
    assert.deepEqual(candidates.slice(0, 2), ['raspberry', 'pi']);
    assert.equal(candidatePasswords(undefined, { username: 'ubnt' })[0], 'ubnt');
  });
});
