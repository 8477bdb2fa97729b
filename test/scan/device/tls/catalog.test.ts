// The two data files behind the TLS prober: the cipher suite registry, checked against this machine's
// OpenSSL so that names and code points cannot drift, and Mozilla's profiles, whose suites must all be
// known to the registry.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputError } from '../../../../src/io/input-error.ts';
import { LEGACY_KINDS, loadCipherSuites, suiteFacts, suitesForVersion } from '../../../../src/scan/device/tls/cipher-suites.ts';
import { loadTlsProfiles } from '../../../../src/scan/device/tls/profiles.ts';
import { makeTempDir } from '../../../helpers/daemon.ts';

const dir = makeTempDir('tls-catalog');
after(() => dir.remove());

describe('tls-cipher-suites.yaml', () => {
  const registry = loadCipherSuites();

  it('holds every suite this OpenSSL knows, under the same code point and names', () => {
    const listing = execFileSync('openssl', ['ciphers', '-stdname', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' });
    let count = 0;
    for (const line of listing.trim().split('\n')) {
      const m = line.trim().match(/^0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)/);
      assert.ok(m, line);
      const entry = registry.byCode.get(Number.parseInt(m[1]! + m[2]!, 16));
      assert.ok(entry, `0x${m[1]}${m[2]} ${m[3]} is missing`);
      assert.equal(entry.iana, m[3]);
      if (m[4] !== m[3]) assert.equal(entry.openssl, m[4]);
      count++;
    }
    assert.ok(count > 100);
  });

  it('describes the suites the probe reports on', () => {
    const des3 = registry.byCode.get(0x000a)!;
    assert.deepEqual(
      [des3.iana, des3.openssl, des3.forwardSecrecy, des3.aead],
      ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA', false, false],
    );
    assert.deepEqual(des3.legacy, ['3des', 'cbc']);
    assert.deepEqual(registry.byCode.get(0x0003)!.legacy, ['export', 'rc4', 'md5']);
    assert.deepEqual(registry.byCode.get(0x0018)!.legacy, ['anon', 'rc4', 'md5']);
    const gcm = registry.byCode.get(0xc02f)!;
    assert.deepEqual([gcm.keyExchange, gcm.authentication, gcm.aead, gcm.forwardSecrecy, gcm.legacy], ['ECDHE', 'RSA', true, true, []]);
    assert.equal(suiteFacts(0xfefe).known, false);
    assert.match(suiteFacts(0xfefe).name, /unknown suite 0xFEFE/);
    for (const kind of LEGACY_KINDS) assert.ok(registry.weaknesses.has(kind), kind);
  });

  it('offers each version only the suites it can carry', () => {
    assert.deepEqual(
      suitesForVersion('TLSv1.3')
        .map((s) => s.iana)
        .sort(),
      [
        'TLS_AES_128_CCM_8_SHA256',
        'TLS_AES_128_CCM_SHA256',
        'TLS_AES_128_GCM_SHA256',
        'TLS_AES_256_GCM_SHA384',
        'TLS_CHACHA20_POLY1305_SHA256',
      ],
    );
    const ssl3 = suitesForVersion('SSLv3');
    assert.ok(ssl3.some((s) => s.iana === 'TLS_RSA_WITH_RC4_128_MD5'));
    assert.ok(!ssl3.some((s) => /GCM|SHA256|SHA384/.test(s.iana)));
    assert.ok(suitesForVersion('TLSv1.2').length > ssl3.length);
    assert.ok(!suitesForVersion('TLSv1.2').some((s) => s.minVersion === 'TLSv1.3'));
  });

  it('rejects a malformed file with its position', () => {
    const path = join(dir.path, 'bad.yaml');
    writeFileSync(path, 'source: test\nweaknesses: []\nsuites:\n  - { code: "0x0001", iana: TLS_X }\n');
    assert.throws(
      () => loadCipherSuites(path),
      (error) => error instanceof InputError && /bad\.yaml:\d+/.test(error.message),
    );
  });
});

describe('tls-profiles.yaml', () => {
  it('has modern and intermediate, every suite known to the registry, authenticated and forward secret', () => {
    const profiles = loadTlsProfiles();
    assert.deepEqual(
      profiles.profiles.map((p) => p.name),
      ['modern', 'intermediate'],
    );
    assert.match(profiles.url, /guidelines\/5\.7\.json$/);
    const byName = new Map(loadCipherSuites().suites.map((s) => [s.iana, s]));
    for (const profile of profiles.profiles) {
      for (const name of [...profile.ciphers, ...profile.ciphersuites]) {
        const entry = byName.get(name);
        assert.ok(entry, `${profile.name}: ${name} is not in the registry`);
        assert.ok(entry.aead && entry.forwardSecrecy, name);
      }
    }
  });
});
