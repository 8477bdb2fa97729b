// `baseline probe` against two cameras made of GStreamer's RTSP server on 127.0.0.1: one that streams to
// anyone, one behind RTSP Digest with admin/admin. Both on ports that are not 554, so the RTSP server is
// told by what it answers (it also answers an HTTP GET, for RTSP-over-HTTP tunnelling).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resultsSchema, type Finding, type Results } from '../../src/findings/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { type Daemon, makeTempDir } from '../helpers/daemon.ts';
import { startGstRtsp } from '../helpers/servers/rtsp.ts';

describe('baseline probe, RTSP cameras', () => {
  const temp = makeTempDir('probe-rtsp-cli');
  let open: Daemon;
  let digest: Daemon;
  let results: Results;
  let human: string;

  before(async () => {
    [open, digest] = await Promise.all([
      startGstRtsp({ mount: '/live' }),
      startGstRtsp({ mount: '/Streaming/Channels/101', auth: 'digest' }),
    ]);
    const out = join(temp.path, 'probe.json');
    const args = ['probe', '127.0.0.1', '--ports', `${open.port},${digest.port}`, '--no-udp', '--brute-force-attempts', '3'];
    const r = runCli([...args, '--json', '--out', out]);
    assert.equal(r.status, 1, r.stderr);
    results = resultsSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    human = runCli(args).stdout;
  });
  after(async () => {
    await Promise.all([open, digest].map((d) => d?.stop()));
    temp.remove();
  });

  const on = (daemon: Daemon, check: string): Finding[] =>
    results.findings.filter((f) => f.location.port === daemon.port && f.check === check);

  it('identifies both as RTSP', () => {
    for (const d of [open, digest]) assert.match(on(d, 'probe/services/open-service')[0]?.message ?? '', /open: rtsp/);
  });

  it('fails the open stream and plaintext video, with the SDP media lines as evidence', () => {
    const stream = on(open, 'probe/rtsp/unauthenticated-stream')[0];
    assert.equal(stream?.result, 'fail');
    assert.match(stream?.evidence ?? '', /^m=video 0 RTP\/AVP 26$/m);
    assert.equal(on(open, 'probe/rtsp/plaintext-stream')[0]?.result, 'fail');
  });

  it('finds the default Digest credential, redacted, and counts the logins', () => {
    const accepted = on(digest, 'probe/default-credentials')[0];
    assert.equal(accepted?.result, 'fail');
    assert.match(accepted?.message ?? '', /^RTSP Digest login accepted admin \/ a\*\*\*\* /);
    assert.equal(on(digest, 'probe/brute-force-protection')[0]?.result, 'fail');
    assert.match(results.findings.find((f) => f.check === 'probe/login-attempts')?.message ?? '', /RTSP Digest/);
    assert.doesNotMatch(JSON.stringify(results), /"admin \/ admin"|password=admin\b/);
  });

  it('prints the RTSP failures in the human summary', () => {
    assert.match(human, /^FAIL high +probe\/rtsp\/unauthenticated-stream +127\.0\.0\.1:\d+: DESCRIBE \/live without credentials/m);
    assert.match(human, /^FAIL critical probe\/default-credentials +127\.0\.0\.1:\d+: RTSP Digest login accepted/m);
  });

  it('sends no credential with --no-login', () => {
    const r = runCli(['probe', `127.0.0.1:${digest.port}`, '--no-login', '--json']);
    const parsed = resultsSchema.parse(JSON.parse(r.stdout));
    assert.match(parsed.findings.find((f) => f.check === 'probe/login-attempts')?.message ?? '', /no login attempted \(--no-login\)/);
    assert.ok(parsed.incomplete.some((i) => /--no-login/.test(i.reason)));
  });

  it('lists the RTSP checks in baseline checks', () => {
    const r = runCli(['checks', '--source', 'probe']);
    assert.match(r.stdout, /^probe +probe\/rtsp\/unauthenticated-stream +5\.5-4 5\.6-2 +high /m);
    assert.match(r.stdout, /^probe +probe\/rtsp\/plaintext-stream +5\.8-1 +high /m);
    assert.match(r.stdout, /^probe +probe\/rtsp\/software-disclosure +5\.6-2 +low /m);
    assert.match(r.stdout, /^probe +probe\/rtsp\/summary +5\.6-1 +info /m);
  });
});
