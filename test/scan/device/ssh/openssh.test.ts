// The SSH probe against Debian's real OpenSSH sshd on 127.0.0.1: a modern server that lets a Mirai
// password in, a legacy one with the old algorithms and short host keys, a public-key-only one, and a
// PAM keyboard-interactive one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import type { IdentifiedService, ProbeOutcome } from '../../../../src/scan/device/service.ts';
import { bruteForceFindings, measureBruteForce } from '../../../../src/scan/device/login.ts';
import { sshLoginSurface } from '../../../../src/scan/device/ssh/auth.ts';
import { probeSsh, scanSsh } from '../../../../src/scan/device/ssh/probe-ssh.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { ensureLoginUser } from '../../../helpers/daemon.ts';
import { sha256Fingerprints, type SshServer, startOpenSsh } from '../../../helpers/servers/ssh-servers.ts';

// support/support is the 11th pair of the list (after the root pairs), so twelve logins reach it.
const LIMITS: Partial<ProbeLimits> = { maxLoginAttempts: 12, bruteForceAttempts: 6, readTimeoutMs: 4000 };

function context(login = true): ProbeContext {
  return createProbeContext({ limits: { ...DEFAULT_PROBE_LIMITS, ...LIMITS }, login, credentials: loadDefaultCredentials() });
}

function service(server: SshServer): IdentifiedService {
  return { endpoint: { host: server.host, port: server.port }, protocol: 'ssh', tls: false };
}

function byCheck(outcome: ProbeOutcome, check: string): Finding[] {
  return outcome.findings.filter((f) => f.check === check);
}

const servers: SshServer[] = [];
let modern: SshServer;
let legacy: SshServer;
let publicKeyOnly: SshServer;
let pam: SshServer;
let postQuantumOnly: SshServer;

before(async () => {
  ensureLoginUser('support', 'support');
  [modern, legacy, publicKeyOnly, pam, postQuantumOnly] = await Promise.all([
    startOpenSsh({
      hostKeys: [{ type: 'ed25519' }, { type: 'rsa', bits: 3072 }, { type: 'ecdsa' }],
      extra: ['PasswordAuthentication yes', 'KbdInteractiveAuthentication no'],
    }),
    startOpenSsh({
      hostKeys: [{ type: 'rsa', bits: 1024 }, { type: 'dsa' }],
      extra: [
        'KexAlgorithms diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1',
        'HostKeyAlgorithms ssh-rsa,ssh-dss',
        'Ciphers aes128-cbc,3des-cbc,aes128-ctr',
        'MACs hmac-sha1,hmac-md5',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'AllowUsers nobodyhere',
      ],
    }),
    startOpenSsh({ hostKeys: [{ type: 'ed25519' }], extra: ['PasswordAuthentication no', 'KbdInteractiveAuthentication no'] }),
    startOpenSsh({
      hostKeys: [{ type: 'ed25519' }],
      extra: ['UsePAM yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication yes'],
    }),
    startOpenSsh({ hostKeys: [{ type: 'ed25519' }], extra: ['KexAlgorithms sntrup761x25519-sha512@openssh.com'] }),
  ]);
  servers.push(modern, legacy, publicKeyOnly, pam, postQuantumOnly);
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('OpenSSH, modern defaults with a Mirai password account', () => {
  it('identifies, grades, fetches every host key, and finds the default password', async (t) => {
    const ctx = context();
    const outcome = await probeSsh(service(modern), ctx);
    const [summary] = byCheck(outcome, 'probe/ssh/summary');
    assert.match(summary?.message ?? '', /^OpenSSH \d+\.\d+p\d/);
    assert.match(summary?.message ?? '', /auth methods: publickey,password/);
    // The host keys read from the key exchange are the ones ssh-keygen reports for the files.
    const hostKeys = byCheck(outcome, 'probe/ssh/host-key');
    assert.equal(hostKeys.length, 3);
    for (const fingerprint of sha256Fingerprints(modern.keyFingerprints))
      assert.ok(
        hostKeys.some((f) => f.result === 'pass' && f.message.includes(fingerprint)),
        fingerprint,
      );
    assert.ok(hostKeys.some((f) => /3072-bit RSA/.test(f.message)));
    // Debian's defaults: nothing worse than the low-severity SHA-1 and 64-bit-tag MACs.
    const weak = byCheck(outcome, 'probe/ssh/weak-algorithms').filter((f) => f.result === 'fail');
    assert.ok(
      weak.every((f) => f.severity === 'low' && /offers MAC (hmac-sha1|umac-64)/.test(f.message)),
      JSON.stringify(weak.map((f) => f.message)),
    );
    const [group] = byCheck(outcome, 'probe/ssh/dh-group-size');
    assert.equal(group?.result, 'pass');
    assert.match(group?.message ?? '', /(2048|3072|4096|6144|7680|8192)-bit prime/);
    assert.equal(byCheck(outcome, 'probe/ssh/terrapin')[0]?.result, 'pass');
    assert.equal(byCheck(outcome, 'probe/ssh/no-authentication')[0]?.result, 'pass');
    assert.equal(byCheck(outcome, 'probe/ssh/version-disclosure')[0]?.result, 'fail');

    const [credentials] = byCheck(outcome, 'probe/default-credentials');
    assert.equal(credentials?.result, 'fail');
    assert.match(credentials?.message ?? '', /SSH password login accepted support \/ s\*+/);
    assert.ok(!JSON.stringify(outcome).includes('support / support'));
    const logins = ctx.attempts.filter((a) => a.purpose === 'default-credentials');
    assert.ok(logins.length <= 12);
    assert.deepEqual(
      logins.filter((a) => a.accepted).map((a) => a.username),
      ['support'],
    );
    assert.ok(
      logins.every((a) => a.error === undefined),
      'plain rejections are not errors',
    );

    const [bruteForce] = byCheck(outcome, 'probe/brute-force-protection');
    assert.ok(bruteForce);
    assert.match(bruteForce.evidence ?? '', /6 failed SSH password logins as support: [\d.]+ attempts\/s/);
    t.diagnostic(`OpenSSH brute force: ${bruteForce.result}: ${bruteForce.evidence}`);
    assert.deepEqual(outcome.incomplete, []);
  });
});

describe('OpenSSH, legacy algorithms and short host keys', () => {
  it('finds each weak algorithm and key, measures the group, and finds no default password', async () => {
    const ctx = context();
    const outcome = await probeSsh(service(legacy), ctx);
    const weak = byCheck(outcome, 'probe/ssh/weak-algorithms').filter((f) => f.result === 'fail');
    const named = (name: string) => weak.find((f) => f.message.includes(` ${name}:`));
    for (const name of [
      'diffie-hellman-group1-sha1',
      'diffie-hellman-group14-sha1',
      'aes128-cbc',
      '3des-cbc',
      'hmac-sha1',
      'hmac-md5',
      'ssh-rsa',
      'ssh-dss',
    ])
      assert.ok(named(name), `${name} not reported: ${weak.map((f) => f.message).join('\n')}`);
    assert.equal(named('diffie-hellman-group1-sha1')?.severity, 'high');
    assert.match(named('aes128-cbc')?.evidence ?? '', /Ciphers in sshd_config/);
    assert.equal(named('aes128-ctr'), undefined);

    const hostKeys = byCheck(outcome, 'probe/ssh/host-key');
    assert.ok(hostKeys.some((f) => f.result === 'fail' && f.severity === 'high' && /1024-bit RSA host key/.test(f.message)));
    assert.ok(hostKeys.some((f) => f.result === 'fail' && f.severity === 'high' && /DSA host key/.test(f.message)));
    for (const fingerprint of sha256Fingerprints(legacy.keyFingerprints)) assert.ok(hostKeys.some((f) => f.message.includes(fingerprint)));

    const [group] = byCheck(outcome, 'probe/ssh/dh-group-size');
    assert.equal(group?.result, 'pass', group?.message);
    assert.match(group?.evidence ?? '', /diffie-hellman-group-exchange-sha1/);

    // Password logins are offered, but AllowUsers lets no listed user in.
    const [credentials] = byCheck(outcome, 'probe/default-credentials');
    assert.equal(credentials?.result, 'pass');
    assert.match(credentials?.message ?? '', /none of 12 default credentials tried was accepted/);
    assert.ok(ctx.attempts.every((a) => !a.accepted && a.error === undefined));
    assert.deepEqual(outcome.incomplete, []);
  });
});

describe('OpenSSH, public keys only', () => {
  it('reports that no password login is offered and tries none', async () => {
    const ctx = context();
    const outcome = await probeSsh(service(publicKeyOnly), ctx);
    const [password] = byCheck(outcome, 'probe/ssh/password-auth');
    assert.equal(password?.result, 'pass');
    assert.match(password?.message ?? '', /no password login \(methods: publickey\)/);
    assert.equal(byCheck(outcome, 'probe/default-credentials').length, 0);
    assert.equal(byCheck(outcome, 'probe/brute-force-protection').length, 0);
    assert.equal(ctx.attempts.length, 0);
  });
});

describe('OpenSSH with PAM keyboard-interactive only', () => {
  it('lists keyboard-interactive, and sends no password when logins are disabled', async () => {
    const ctx = context(false);
    const observation = await scanSsh(ctx, service(pam).endpoint);
    assert.deepEqual(observation.auth?.methods, ['publickey', 'keyboard-interactive']);
    assert.equal(ctx.attempts.length, 0);
    assert.match(
      observation.incomplete.map((i) => `${i.part}: ${i.reason}`).join('\n'),
      /keyboard-interactive logins: logins are disabled/,
    );
  });
  it('logs in by answering the PAM prompt, and a wrong answer is a plain rejection', async () => {
    const surface = sshLoginSurface(service(pam), context(), 'keyboard-interactive');
    assert.deepEqual(await surface.login('support', 'support'), { accepted: true });
    assert.deepEqual(await surface.login('support', 'not-the-password'), { accepted: false });
  });
  it('PAM delays each failure: brute-force protection is measured as a delay', async (t) => {
    const ctx = createProbeContext({
      limits: { ...DEFAULT_PROBE_LIMITS, ...LIMITS, bruteForceAttempts: 3 },
      login: true,
      credentials: loadDefaultCredentials(),
    });
    const measurement = await measureBruteForce(sshLoginSurface(service(pam), ctx, 'keyboard-interactive'), ctx, 'support');
    const [finding] = bruteForceFindings(measurement);
    t.diagnostic(`OpenSSH+PAM brute force: ${finding?.result}: ${finding?.evidence}`);
    assert.equal(measurement.durations.length, 3);
    assert.ok(
      measurement.durations.every((d) => d > 1000),
      `PAM's failure delay: ${measurement.durations.join('/')}`,
    );
    assert.equal(finding?.result, 'pass');
    assert.match(finding?.message ?? '', /failed logins are delayed/);
  });
});

describe('OpenSSH with only a key exchange neither this probe nor ssh2 speaks', () => {
  it('still grades the KEXINIT, and says why host keys and logins were not examined', async () => {
    const ctx = context();
    const outcome = await probeSsh(service(postQuantumOnly), ctx);
    const reasons = outcome.incomplete.map((i) => `${i.part}: ${i.reason}`).join('\n');
    assert.match(
      reasons,
      /host keys: none of the offered key exchanges \(sntrup761x25519-sha512@openssh.com.*\) is one this probe performs/,
    );
    assert.match(reasons, /SSH authentication: the SSH client library could not negotiate with this server/);
    assert.equal(
      outcome.findings.find((f) => f.check === 'probe/ssh/weak-algorithms' && f.result === 'fail' && f.severity !== 'low'),
      undefined,
    );
    assert.match(outcome.findings.find((f) => f.check === 'probe/ssh/summary')?.message ?? '', /kex: sntrup761x25519-sha512@openssh.com/);
    assert.equal(ctx.attempts.length, 0);
  });
});
