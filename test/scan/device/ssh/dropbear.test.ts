// The SSH probe against Debian's real Dropbear on 127.0.0.1, with a Mirai password account.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { probeSsh } from '../../../../src/scan/device/ssh/probe-ssh.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { ensureLoginUser } from '../../../helpers/daemon.ts';
import { sha256Fingerprints, type SshServer, startDropbear } from '../../../helpers/servers/ssh-servers.ts';

let dropbear: SshServer;

before(async () => {
  ensureLoginUser('support', 'support');
  dropbear = await startDropbear([{ type: 'ed25519' }, { type: 'ecdsa', bits: 384 }, { type: 'rsa', bits: 2048 }]);
});

after(async () => {
  await dropbear?.stop();
});

describe('Dropbear', () => {
  it('is recognised as Dropbear, graded with Dropbear build options, and lets the Mirai password in', async (t) => {
    const ctx = createProbeContext({
      limits: { ...DEFAULT_PROBE_LIMITS, maxLoginAttempts: 12, bruteForceAttempts: 6 },
      login: true,
      credentials: loadDefaultCredentials(),
    });
    const outcome = await probeSsh({ endpoint: { host: dropbear.host, port: dropbear.port }, protocol: 'ssh', tls: false }, ctx);
    const of = (check: string) => outcome.findings.filter((f) => f.check === check);

    assert.match(of('probe/ssh/summary')[0]?.message ?? '', /^Dropbear 20\d\d\.\d+, protocol 2\.0/);
    const [disclosure] = of('probe/ssh/version-disclosure');
    assert.equal(disclosure?.result, 'fail');
    assert.match(disclosure?.evidence ?? '', /^SSH-2\.0-dropbear_20\d\d\.\d+$/);

    // Dropbear's stock build still offers SHA-1 in three places; each is named with the build option that removes it.
    const weak = of('probe/ssh/weak-algorithms').filter((f) => f.result === 'fail');
    const expectations: [string, RegExp][] = [
      ['diffie-hellman-group14-sha1', /DROPBEAR_DH_GROUP14_SHA1/],
      ['ssh-rsa', /DROPBEAR_RSA_SHA1/],
      ['hmac-sha1', /DROPBEAR_SHA1_HMAC/],
    ];
    for (const [name, option] of expectations) {
      const finding = weak.find((f) => f.message.includes(` ${name}:`));
      assert.ok(finding, `${name}: ${weak.map((f) => f.message).join('\n')}`);
      assert.match(finding.evidence ?? '', option);
    }

    const hostKeys = of('probe/ssh/host-key');
    assert.equal(hostKeys.length, 3);
    for (const fingerprint of sha256Fingerprints(dropbear.keyFingerprints))
      assert.ok(
        hostKeys.some((f) => f.message.includes(fingerprint)),
        fingerprint,
      );
    const rsa = hostKeys.find((f) => /RSA/.test(f.message));
    assert.equal(rsa?.result, 'info');
    assert.match(rsa?.message ?? '', /2048-bit RSA host key: acceptable today, but 3072 bits are recommended/);
    assert.ok(hostKeys.some((f) => f.result === 'pass' && /384-bit ecdsa-sha2-nistp384/.test(f.message)));
    // Dropbear has no group exchange: nothing to measure.
    assert.equal(of('probe/ssh/dh-group-size').length, 0);

    const [credentials] = of('probe/default-credentials');
    assert.equal(credentials?.result, 'fail');
    assert.match(credentials?.message ?? '', /accepted support \/ s\*+/);
    const [bruteForce] = of('probe/brute-force-protection');
    assert.match(bruteForce?.evidence ?? '', /6 failed SSH password logins as support: [\d.]+ attempts\/s/);
    t.diagnostic(`Dropbear brute force: ${bruteForce?.result}: ${bruteForce?.evidence}`);
    assert.deepEqual(outcome.incomplete, []);
  });
});
