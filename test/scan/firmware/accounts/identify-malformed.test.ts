// identifyScheme on every form, and verify() on hashes that are locked, empty, malformed or too costly:
// a verdict or { unverifiable: reason }, never a throw.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { identifyScheme, type Scheme } from '../../../../src/scan/firmware/accounts/crypt/identify.ts';
import { verify } from '../../../../src/scan/firmware/accounts/crypt/verify.ts';
import { fixtureHashes } from './tool-hashes.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const SHA512 = '$6$saltsalt$ZxoUf1bJzACFdk9GZkBGmxXd3Rq8nUoGjgon4GVoI91SlW41Ew2djlh60PmWr4flwags.7ULrKVSSmnCEsIOj1'; // "admin"

describe('identifyScheme', () => {
  const table: [string, Scheme][] = [
    ['', 'no-password'],
    ['!', 'locked'],
    ['!!', 'locked'],
    ['*', 'locked'],
    ['!*', 'locked'],
    ['*LK*', 'locked'],
    ['*NP*', 'locked'],
    [`!${SHA512}`, 'locked'],
    [`!!${SHA512}`, 'locked'],
    [`*LK*${SHA512}`, 'locked'],
    ['x', 'unknown'],
    ['plaintext', 'unknown'],
    ['$9$whatever', 'unknown'],
    ['yonUJuiuQs8XY', 'descrypt'],
    ['_J9..wbWT0VcocHGowcw', 'bsdicrypt'],
    ['$1$KTShbLsO$qBY9dy3LDEXz/1xuMgFTw0', 'md5crypt'],
    ['$apr1$8FsMZi51$8KoehxXVN1TvOv28X1Fem1', 'apr1'],
    ['$5$ZjYcVIUQZkshE8oG$s/a.6btr5IXJFXhRcsmydLQbz6j2sgTTQ4p8AuOKDE1', 'sha256crypt'],
    [SHA512, 'sha512crypt'],
    ['$2b$05$2xPXQA2lPSHqRmR5uzLwt.IMxnXwpASHnBk961RqltPSkXViqm.xm', 'bcrypt'],
    ['$2y$05$mlAeP6W.fnbziDOmMsCyfe74J0smG.V5lZD5p2Pz88B.pAk5gEQ..', 'bcrypt'],
    ['$y$j9T$/V8n/xSrGQG915DOUvX5P0$9UMFIJD4dxXPFIfgx5U5lPd/N8Icv993X.ahzAikVu4', 'yescrypt'],
    ['$gy$j9T$SbxXlXPr/avNvoeoiAKup/$0WFRALT5pl25F/4PoyqL4gHSv0WkNeMVz/ODSobTq7C', 'gost-yescrypt'],
    ['$7$BU..../....2IgGOh2XRNy7XY9Qz.jns/$nzkY07vzE2OIC7Ypox2x2W91mrOjp.n1uerZ3KOmOM5', 'scrypt'],
    ['$sha1$40000$abcdefgh$u9Y4cqwxRyYa7EJDhu3zXThhO6G1', 'sha1crypt'],
    ['$md5,rounds=61552$km436lPk$$FJcxc0fSukZ92U0oCDhBU/', 'sunmd5'],
    ['$md5$abcdefgh$$iExobWJIazoiKIDQnza6r/', 'sunmd5'],
    ['$3$$209c6174da490caeb422f3fa5a7ae634', 'nthash'],
    ['$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$vv9v1KVbZDz/6aFs2h5knrdwW7lPWJ9ZcWwAn/0HFBY', 'argon2'],
    ['{SHA}0DPiKuNIrrVmD8IUCuw1hQxNqZc=', 'ldap-sha'],
    ['{SSHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=', 'ldap-ssha'],
    ['$6$8HG9/viLSURGgj2v$dkpx8mSMDFb7YfGEvtyw9tlx9TCUAUdy6oVBN/+fswUcJliohc67ejcucDAehKud2vkOInuWNhfiHDRiAVB9xQ==', 'mosquitto-sha512'],
    [
      '$7$101$ysy/SdY26XwmBqYY$Zg5zySpzuRm01MeSPZ18M8Gc7DpxPU2TX2L60FYtTRYoX52rAwfYP7gVY9SFCHnPa1yGSIazcgMwW/szf3XOQA==',
      'mosquitto-pbkdf2',
    ],
    // A sha512crypt hash whose 86 characters happen to hold no '.': valid unpadded Base64, still sha512crypt.
    ['$6$T2G1VwWQa6HUr79R$6GEkASwODH1So4NG0aWO2h67uMwOq/Yj1BJho0epe8iHP/VDkDrxTzZWbHigKeQVdqUYY16iJhWCgVuqnJ2sw/', 'sha512crypt'],
  ];
  for (const [hash, scheme] of table)
    it(`${JSON.stringify(hash.slice(0, 24))} is ${scheme}`, () => assert.equal(identifyScheme(hash).scheme, scheme));

  it('names the hash behind a lock marker', () => {
    const id = identifyScheme(`!${SHA512}`);
    assert.equal(id.locked?.hash, SHA512);
    assert.equal(id.locked?.identification.scheme, 'sha512crypt');
    assert.equal(identifyScheme('!').locked, undefined);
  });

  it('identifies every tool-made hash as its scheme', () => {
    for (const entry of fixtureHashes()) assert.equal(identifyScheme(entry.hash).scheme, entry.scheme, entry.hash);
  });
});

describe('verify on locked, empty and unknown hashes', () => {
  it('no password: only the empty password matches', () => {
    assert.equal(verify('', ''), 'match');
    assert.equal(verify('admin', ''), 'no-match');
  });
  it('a bare lock marker matches nothing', () => {
    for (const hash of ['!', '!!', '*', '*LK*', '!*']) {
      assert.equal(verify('', hash), 'no-match');
      assert.equal(verify('admin', hash), 'no-match');
    }
  });
  it('a locked hash still tells its password', () => {
    assert.equal(verify('admin', `!${SHA512}`), 'match');
    assert.equal(verify('root', `!${SHA512}`), 'no-match');
  });
  it('{SSHA} as slappasswd writes it: Base64 of SHA-1(password + salt) + salt', () => {
    const salt = Buffer.from('a1b2c3d4', 'hex');
    const digest = createHash('sha1').update('admin').update(salt).digest();
    const hash = `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
    assert.equal(identifyScheme(hash).scheme, 'ldap-ssha');
    assert.equal(verify('admin', hash), 'match');
    assert.equal(verify('admin1', hash), 'no-match');
  });

  it('an unknown form is unverifiable', () => {
    assert.deepEqual(verify('admin', 'x'), { unverifiable: 'unrecognised hash format' });
    assert.deepEqual(verify('admin', '$9$abc$def'), { unverifiable: 'unrecognised hash format' });
  });
});

describe('malformed hashes are unverifiable with a reason', () => {
  const malformed: [string, string, RegExp][] = [
    ['bsdicrypt count 0', '_....abcdTZ/33djMPto', /count 0/],
    ['md5crypt short digest', '$1$KTShbLsO$qBY9dy3LDEXz/1xuMgFTw', /well-formed md5crypt/],
    ['md5crypt salt of 9', '$1$KTShbLsOx$qBY9dy3LDEXz/1xuMgFTw0', /well-formed md5crypt/],
    ['apr1 bad character', '$apr1$8FsMZi51$8KoehxXVN1TvOv28X1Fem!', /well-formed Apache MD5/],
    ['sha256crypt long digest', '$5$ZjYcVIUQZkshE8oG$s/a.6btr5IXJFXhRcsmydLQbz6j2sgTTQ4p8AuOKDE1x', /well-formed sha256crypt/],
    ['sha512crypt rounds=999', `$6$rounds=999$saltsalt$${'a'.repeat(86)}`, /rounds=999 is outside 1000/],
    ['sha512crypt rounds=0100', `$6$rounds=0100$saltsalt$${'a'.repeat(86)}`, /not a number of rounds/],
    ['sha512crypt rounds=abc', `$6$rounds=abc$saltsalt$${'a'.repeat(86)}`, /not a number of rounds/],
    ['sha512crypt rounds above the maximum', `$6$rounds=1000000000$saltsalt$${'a'.repeat(86)}`, /outside 1000/],
    ['bcrypt cost 03', `$2b$03$${'a'.repeat(53)}`, /cost 3 is outside 4–31/],
    ['bcrypt truncated', '$2b$05$2xPXQA2lPSHqRmR5uzLwt.IMxnXwpASHnBk961RqltPSkXViqm.x', /well-formed bcrypt/],
    ['bcrypt $2c$', `$2c$05$${'a'.repeat(53)}`, /unrecognised/],
    ['scrypt short', '$7$BU..../....2IgGOh2XRNy7XY9Qz.jns/$nzkY07vzE2OIC7Ypox2x2W91mrOjp.n1uerZ3KOmOM', /well-formed scrypt/],
    ['scrypt N=1', `$7$.U..../....abc$${'a'.repeat(43)}`, /at least/],
    ['sha1crypt no salt', '$sha1$5$$u9Y4cqwxRyYa7EJDhu3zXThhO6G1', /well-formed NetBSD sha1crypt/],
    ['yescrypt short', '$y$j9T$/V8n/xSrGQG915DOUvX5P0$9UMFIJD4dxXPFIfgx5U5lPd/N8Icv993X.ahzAikVu', /well-formed yescrypt/],
    ['{SHA} wrong length', '{SHA}0DPiKuNIrrVmD8IUCuw1hQxNqZ==', /20-byte/],
    ['{SHA} not Base64', '{SHA}0DPiKuNIrrVmD8IUCuw1hQ*NqZc=', /20-byte/],
    ['{SSHA} without salt', '{SSHA}0DPiKuNIrrVmD8IUCuw1hQxNqZc=', /salt/],
    ['argon2 version 16', '$argon2id$v=16$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$vv9v1KVbZDz/6aFs2h5knrdwW7lPWJ9ZcWwAn/0HFBY', /version 16/],
    ['argon2 no params', '$argon2id$v=19$c2FsdHNhbHRzYWx0$vv9v1KVbZDz/6aFs2h5knrdwW7lPWJ9ZcWwAn/0HFBY', /argon2id\$v=19\$m=/],
    ['argon2 m below 8p', '$argon2id$v=19$m=4,t=3,p=1$c2FsdHNhbHRzYWx0$vv9v1KVbZDz/6aFs2h5knrdwW7lPWJ9ZcWwAn/0HFBY', /out of range/],
    ['nthash upper-case', '$3$$209C6174DA490CAEB422F3FA5A7AE634', /well-formed NT hash/],
  ];
  for (const [name, hash, reason] of malformed) {
    it(name, () => {
      const result = verify('admin', hash);
      assert.equal(typeof result, 'object', `${hash}: ${JSON.stringify(result)}`);
      assert.match((result as { unverifiable: string }).unverifiable, reason);
    });
  }

  it('a $6$ that is neither sha512crypt nor Mosquitto (bad Base64 digest) is a malformed sha512crypt', () => {
    const result = verify(
      'admin',
      '$6$8HG9/viLSURGgj2v$dkpx8mSMDFb7YfGEvtyw9tlx9TCUAUdy6oVBN/+fswUcJliohc67ejcucDAehKud2vkOInuWNhfiHDRiAVB9x*==',
    );
    assert.match((result as { unverifiable: string }).unverifiable, /well-formed sha512crypt/);
  });
});

describe('costs above the limits are unverifiable, not computed', () => {
  const cases: [string, string, RegExp][] = [
    ['sha512crypt rounds=999999999', `$6$rounds=999999999$saltsalt$${'a'.repeat(86)}`, /above the limit/],
    ['bcrypt cost 31', `$2b$31$${'a'.repeat(53)}`, /cost 31 is above the limit of 12/],
    ['extended DES count 2^24-1', '_zzzzabcdTZ/33djMPto', /count 16777215 is above the limit/],
    ['scrypt N=2^30', `$7$CU..../....abc$${'a'.repeat(43)}`.replace('$7$C', '$7$S'), /above the limit/],
    ['sha1crypt 4e9 iterations', '$sha1$4000000000$abcdefgh$u9Y4cqwxRyYa7EJDhu3zXThhO6G1', /above the limit/],
    [
      'Mosquitto PBKDF2 2e9 iterations',
      '$7$2000000000$ysy/SdY26XwmBqYY$Zg5zySpzuRm01MeSPZ18M8Gc7DpxPU2TX2L60FYtTRYoX52rAwfYP7gVY9SFCHnPa1yGSIazcgMwW/szf3XOQA==',
      /above the limit/,
    ],
    ['argon2 4 GiB', '$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHRzYWx0$vv9v1KVbZDz/6aFs2h5knrdwW7lPWJ9ZcWwAn/0HFBY', /above the limit/],
    ['yescrypt N=2^20', '$y$jFT$/V8n/xSrGQG915DOUvX5P0$9UMFIJD4dxXPFIfgx5U5lPd/N8Icv993X.ahzAikVu4', /above the limit|binding not built/],
    ['Sun MD5 rounds=4000000', '$md5,rounds=4000000$km436lPk$$FJcxc0fSukZ92U0oCDhBU/', /above the limit|binding not built/],
  ];
  for (const [name, hash, reason] of cases) {
    it(name, () => {
      const started = cpuClock();
      const result = verify('admin', hash);
      assert.match((result as { unverifiable: string }).unverifiable, reason, JSON.stringify(result));
      assert.ok(started() < 1000, 'took too long: the cost was computed');
    });
  }

  it('a lower limit given in the options applies', () => {
    assert.match(
      (verify('admin', SHA512, { limits: { maxShaCryptRounds: 1000 } }) as { unverifiable: string }).unverifiable,
      /rounds=5000/,
    );
  });
});
