// A third SSH implementation, ssh2's own server in this process on 127.0.0.1, configured to let
// anyone in with the "none" method: the probe must say so, and must then try no password.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { probeSsh } from '../../../../src/scan/device/ssh/probe-ssh.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';

const { Server, utils } = ssh2;
let server: InstanceType<typeof Server>;
let port = 0;
const usersLetIn: string[] = [];

before(async () => {
  const hostKey = utils.generateKeyPairSync('ed25519').private;
  server = new Server({ hostKeys: [hostKey], ident: 'OpenGate_1.4' }, (client) => {
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'none') return ctx.reject(['password']);
      usersLetIn.push(ctx.username);
      ctx.accept();
    });
    client.on('ready', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('an SSH server that needs no authentication', () => {
  it('fails probe/ssh/no-authentication and tries no credential', async () => {
    const ctx = createProbeContext({
      limits: { ...DEFAULT_PROBE_LIMITS, maxLoginAttempts: 3, bruteForceAttempts: 2 },
      login: true,
      credentials: loadDefaultCredentials(),
    });
    const outcome = await probeSsh({ endpoint: { host: '127.0.0.1', port }, protocol: 'ssh', tls: false }, ctx);
    const of = (check: string) => outcome.findings.filter((f) => f.check === check);
    const [open] = of('probe/ssh/no-authentication');
    assert.equal(open?.result, 'fail');
    assert.equal(open?.severity, 'critical');
    assert.match(open?.message ?? '', /accepted a login as root with no authentication/);
    assert.deepEqual(usersLetIn, ['root']);
    assert.equal(ctx.attempts.length, 0);
    assert.equal(of('probe/default-credentials').length, 0);
    // Read by hand from ssh2's server too: its identification and its Ed25519 host key.
    assert.match(of('probe/ssh/summary')[0]?.message ?? '', /^OpenGate 1\.4/);
    assert.ok(of('probe/ssh/host-key').some((f) => f.result === 'pass' && /ssh-ed25519/.test(f.message)));
    // ssh2's server lists group exchange but refuses every request for it: reported as not measured.
    const [group] = of('probe/ssh/dh-group-size');
    assert.equal(group?.result, 'info');
    assert.match(group?.message ?? '', /not measured: the server disconnected: key exchange failed \(code 3\)/);
    assert.deepEqual(
      outcome.incomplete.map((i) => i.part.replace(/^ssh [\d.:]+: /, '')),
      ['DH group exchange size'],
    );
  });
});
