// probeHttp against real Debian web servers on 127.0.0.1: nginx with Basic authentication (a default
// and a strong password, plain and TLS, and a catch-all that answers 200 to every path), and lighttpd
// with Digest authentication (MD5 and SHA-256) from an htdigest file.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { probeHttp } from '../../../../src/scan/device/http/index.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import type { Daemon } from '../../../helpers/daemon.ts';
import { startLighttpd, startNginx } from '../../../helpers/servers/web-servers.ts';

const credentials = loadDefaultCredentials();

function context(limits: Partial<ProbeLimits> = {}, login = true): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 3000, bruteForceAttempts: 0, ...limits },
    login,
    credentials,
  });
}

const service = (daemon: Daemon, tls = false) => ({ endpoint: { host: daemon.host, port: daemon.port }, protocol: 'http' as const, tls });

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

describe('probeHttp against nginx with Basic authentication', () => {
  const daemons: Daemon[] = [];
  let weak: Daemon;
  let strong: Daemon;
  let tls: Daemon;
  let catchAll: Daemon;
  before(async () => {
    [weak, strong, tls, catchAll] = await Promise.all([
      startNginx({ admin: { username: 'admin', password: 'admin' } }),
      startNginx({ admin: { username: 'admin', password: 'vq7-Ztr4-pW2x-Lm9k' } }),
      startNginx({ admin: { username: 'admin', password: 'admin' }, tls: true }),
      startNginx({ admin: { username: 'admin', password: 'admin' }, catchAll: true }),
    ]);
    daemons.push(weak, strong, tls, catchAll);
  });
  after(() => Promise.all(daemons.map((d) => d.stop())));

  it('reports the version, the plaintext Basic login, the open config, the default password and no brute-force protection', async () => {
    const ctx = context({ bruteForceAttempts: 6 });
    const { findings, incomplete } = await probeHttp(service(weak), ctx);
    assert.deepEqual(incomplete, []);

    const disclosure = only(findings, 'probe/http/software-disclosure');
    assert.equal(disclosure.result, 'fail');
    assert.match(disclosure.message, /nginx\/1\.22\.1 \(Server header\)/);
    assert.deepEqual(disclosure.provisions, ['5.6-2']);

    const cleartext = only(findings, 'probe/http/cleartext-login');
    assert.equal(cleartext.result, 'fail');
    assert.equal(cleartext.severity, 'high');
    assert.match(cleartext.message, /HTTP Basic authentication at \/admin\/ \(realm "Router Admin"\) over plain HTTP/);

    const endpoint = only(findings, 'probe/http/unauthenticated-endpoint');
    assert.equal(endpoint.result, 'fail');
    assert.match(endpoint.message, /GET \/json\/cfg returned the WLED configuration/);
    assert.match(endpoint.evidence ?? '', /"ssid":"HomeNetwork"/);
    assert.doesNotMatch(endpoint.evidence ?? '', /hunter2-wifi-secret/);

    const defaults = only(findings, 'probe/default-credentials');
    assert.equal(defaults.result, 'fail');
    assert.match(defaults.message, /HTTP Basic login accepted admin \/ a\*+ from the default credential list/);
    assert.doesNotMatch(JSON.stringify(findings), /"admin:admin"|password=admin\b/);

    const bruteForce = only(findings, 'probe/brute-force-protection');
    assert.equal(bruteForce.result, 'fail', bruteForce.message);
    assert.match(bruteForce.evidence ?? '', /^6 failed HTTP Basic logins as admin/);

    const logins = ctx.attempts.filter((a) => a.purpose === 'default-credentials');
    assert.ok(logins.every((a) => a.protocol === 'HTTP Basic' && a.error === undefined));
    assert.deepEqual(
      logins.filter((a) => a.accepted).map((a) => a.username),
      ['admin'],
    );
    assert.equal(ctx.attempts.filter((a) => a.purpose === 'brute-force' && !a.accepted).length, 6);
  });

  it('passes the default-credential check against a strong password and says the budget ran out', async () => {
    const ctx = context({ maxLoginAttempts: 5 });
    const { findings, incomplete } = await probeHttp(service(strong), ctx);
    const defaults = only(findings, 'probe/default-credentials');
    assert.equal(defaults.result, 'pass');
    assert.match(defaults.message, /none of 5 default credentials tried was accepted/);
    assert.equal(ctx.attempts.length, 5);
    assert.ok(
      ctx.attempts.every((a) => !a.accepted && a.error === undefined),
      'a plain 401 is a rejection, not an error',
    );
    assert.match(incomplete.map((i) => i.reason).join('\n'), /login budget of 5 attempts was spent/);
  });

  it('notes the login as info over TLS and still finds the default password', async () => {
    const { findings } = await probeHttp(service(tls, true), context({ maxLoginAttempts: 6 }));
    const cleartext = only(findings, 'probe/http/cleartext-login');
    assert.equal(cleartext.result, 'info');
    assert.match(cleartext.message, /served over TLS/);
    assert.match(only(findings, 'probe/http/summary').message, /^HTTPS on 127\.0\.0\.1:\d+: GET \/ → 200/);
    assert.equal(only(findings, 'probe/default-credentials').result, 'fail');
  });

  it('reports no endpoint of a device that answers 200 to every path', async () => {
    const ctx = context();
    const { findings } = await probeHttp(service(catchAll), ctx);
    const endpoint = only(findings, 'probe/http/unauthenticated-endpoint');
    assert.equal(endpoint.result, 'pass');
    assert.match(endpoint.message, /none of 15 .*answers 200 to any path/);
    assert.equal(findings.filter((f) => f.check === 'probe/http/cleartext-login').length, 0);
    assert.match(only(findings, 'probe/http/summary').message, /unknown paths → 200, no login interface found/);
    assert.equal(ctx.attempts.length, 0);
  });

  it('sends no credential with --no-login and says what it skipped', async () => {
    const ctx = context({}, false);
    const { findings, incomplete } = await probeHttp(service(weak), ctx);
    assert.equal(ctx.attempts.length, 0);
    assert.equal(findings.filter((f) => f.check === 'probe/default-credentials').length, 0);
    assert.match(incomplete.map((i) => i.reason).join('\n'), /--no-login/);
    assert.equal(only(findings, 'probe/http/cleartext-login').result, 'fail');
  });
});

describe('probeHttp against lighttpd with Digest authentication', () => {
  const daemons: Daemon[] = [];
  let md5: Daemon;
  let sha256: Daemon;
  before(async () => {
    [md5, sha256] = await Promise.all([
      startLighttpd({ realm: 'IP Camera', account: { username: 'admin', password: 'admin' } }),
      startLighttpd({ realm: 'IP Camera', account: { username: 'admin', password: 'admin' }, algorithm: 'SHA-256' }),
    ]);
    daemons.push(md5, sha256);
  });
  after(() => Promise.all(daemons.map((d) => d.stop())));

  it('logs in with MD5 Digest, and measures lighttpd’s delay on failures as protection', async () => {
    const ctx = context({ bruteForceAttempts: 3 });
    const { findings } = await probeHttp(service(md5), ctx);
    const cleartext = only(findings, 'probe/http/cleartext-login');
    assert.equal(cleartext.severity, 'medium');
    assert.match(cleartext.message, /Digest authentication at \/admin\/ \(realm "IP Camera"\)/);
    assert.match(only(findings, 'probe/default-credentials').message, /HTTP Digest login accepted admin/);
    const bruteForce = only(findings, 'probe/brute-force-protection');
    assert.equal(bruteForce.result, 'pass', bruteForce.message);
    assert.match(bruteForce.message, /delayed/);
    assert.ok(ctx.attempts.every((a) => a.protocol === 'HTTP Digest' && a.error === undefined));
  });

  it('answers a SHA-256 Digest challenge correctly', async () => {
    const ctx = context({ maxLoginAttempts: 4 });
    const { findings } = await probeHttp(service(sha256), ctx);
    assert.equal(only(findings, 'probe/default-credentials').result, 'fail');
    // Logins run three at a time and are recorded as they finish, so the order is not fixed.
    assert.deepEqual(ctx.attempts.map((a) => [a.username, a.accepted]).sort(), [
      ['admin', true],
      ['root', false],
      ['root', false],
      ['root', false],
    ]);
  });
});
