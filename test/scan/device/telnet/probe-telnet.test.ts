// probeTelnet against a real busybox telnetd on 127.0.0.1: running Debian's /bin/login (a default account,
// support/support from Mirai's list, and PAM's delay after failures) and running a shell with no login.
// Debian's login waits about 3 s after each wrong password, so the credential list and brute-force run
// are kept small here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { probeTelnet } from '../../../../src/scan/device/telnet/index.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { type Daemon, ensureLoginUser } from '../../../helpers/daemon.ts';
import { startTelnetd } from '../../../helpers/servers/telnetd.ts';

const fullList = loadDefaultCredentials();
/** Two pairs of the real list, in its order: one the machine rejects, then Mirai's support/support. */
const credentials = {
  ...fullList,
  credentials: fullList.credentials.filter((c) => ['root/xc3511', 'support/support'].includes(`${c.username}/${c.password}`)),
};

function context(limits: Partial<ProbeLimits> = {}, login = true): ProbeContext {
  return createProbeContext({ limits: { ...DEFAULT_PROBE_LIMITS, bruteForceAttempts: 0, ...limits }, login, credentials });
}

const service = (daemon: Daemon) => ({ endpoint: { host: daemon.host, port: daemon.port }, protocol: 'telnet' as const, tls: false });

function only(findings: Finding[], check: string): Finding {
  const matching = findings.filter((f) => f.check === check);
  assert.equal(
    matching.length,
    1,
    `${check}: ${JSON.stringify(
      findings.map((f) => [f.check, f.result, f.message]),
      null,
      1,
    )}`,
  );
  return matching[0] as Finding;
}

describe('probeTelnet against busybox telnetd', () => {
  const daemons: Daemon[] = [];
  let login: Daemon;
  let shell: Daemon;
  before(async () => {
    ensureLoginUser('support', 'support');
    [login, shell] = await Promise.all([startTelnetd({ program: '/bin/login' }), startTelnetd({ program: '/bin/sh' })]);
    daemons.push(login, shell);
  });
  after(() => Promise.all(daemons.map((d) => d.stop())));

  it('fails telnet itself, finds support/support, and measures the PAM delay as protection', async () => {
    assert.ok(credentials.credentials.length === 2);
    const ctx = context({ bruteForceAttempts: 2 });
    const { findings, incomplete } = await probeTelnet(service(login), ctx);
    assert.deepEqual(incomplete, []);

    const plaintext = only(findings, 'probe/telnet/plaintext-remote-access');
    assert.equal(plaintext.result, 'fail');
    assert.equal(plaintext.severity, 'high');
    assert.deepEqual(plaintext.provisions, ['5.5-1', '5.5-7', '5.6-1']);
    assert.match(plaintext.message, /stopped at a login prompt/);

    assert.equal(only(findings, 'probe/telnet/unauthenticated-shell').result, 'pass');
    const banner = only(findings, 'probe/telnet/banner-disclosure');
    assert.equal(banner.result, 'fail');
    assert.match(banner.message, /Debian GNU\/Linux 12/);
    assert.match(only(findings, 'probe/telnet/summary').message, /option requests refused, login prompt ".* login:"/);

    const defaults = only(findings, 'probe/default-credentials');
    assert.equal(defaults.result, 'fail');
    assert.match(defaults.message, /telnet login accepted support \/ s\*+ from the default credential list/);
    assert.deepEqual(
      // Tried a few at a time: recorded in the order they finish.
      ctx.attempts
        .filter((a) => a.purpose === 'default-credentials')
        .map((a) => [a.username, a.accepted, a.error])
        .sort(),
      [
        ['root', false, undefined],
        ['support', true, undefined],
      ],
    );

    const bruteForce = only(findings, 'probe/brute-force-protection');
    assert.equal(bruteForce.result, 'pass', bruteForce.message);
    assert.match(bruteForce.message, /failed logins are delayed/);
    assert.match(bruteForce.evidence ?? '', /^2 failed telnet logins as support/);
  });

  it('fails critical when telnetd starts a shell with no login, confirmed by a command', async () => {
    const ctx = context();
    const { findings } = await probeTelnet(service(shell), ctx);
    const unauthenticated = only(findings, 'probe/telnet/unauthenticated-shell');
    assert.equal(unauthenticated.result, 'fail');
    assert.equal(unauthenticated.severity, 'critical');
    assert.match(unauthenticated.message, /shell with no login, and a command ran in it \(prompt "#"\)/);
    assert.match(unauthenticated.evidence ?? '', /baseline-probe-42-done/);
    assert.equal(ctx.attempts.length, 0, 'no credential is sent to a shell');
  });

  it('sends no credential with --no-login', async () => {
    const ctx = context({}, false);
    const { findings, incomplete } = await probeTelnet(service(login), ctx);
    assert.equal(ctx.attempts.length, 0);
    assert.equal(only(findings, 'probe/telnet/plaintext-remote-access').result, 'fail');
    assert.match(incomplete[0]?.reason ?? '', /--no-login/);
  });
});
