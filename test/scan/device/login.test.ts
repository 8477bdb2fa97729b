// The shared login logic: which pairs are tried in what order, the budget, and how trials and timings
// become findings. The protocols' own tests run the same code against real servers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PROBE_LIMITS } from '../../../src/scan/device/limits.ts';
import {
  bruteForceFindings,
  type BruteForceMeasurement,
  credentialPairs,
  defaultCredentialFindings,
  LOGIN_PARALLELISM,
  type LoginSurface,
  measureBruteForce,
  tryDefaultCredentials,
} from '../../../src/scan/device/login.ts';
import { createProbeContext } from '../../../src/scan/device/probe-context.ts';
import { loadDefaultCredentials } from '../../../src/scan/firmware/accounts/default-credentials.ts';

const endpoint = { host: '127.0.0.1', port: 2222 };
const service = { endpoint, protocol: 'ssh' as const, tls: false };

function context(overrides: Partial<typeof DEFAULT_PROBE_LIMITS> = {}, login = true) {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, ...overrides },
    login,
    credentials: loadDefaultCredentials(),
    product: { name: 'Acme Hub', model: 'AH-200' },
  });
}

/** A device whose accounts are the given pairs: it answers each login by looking them up. */
function device(
  accounts: Record<string, string>,
  behaviour: { failAfter?: number; delay?: (n: number) => number } = {},
): LoginSurface & { calls: number } {
  const surface = {
    service,
    method: 'test login',
    calls: 0,
    async login(username: string, password: string) {
      surface.calls++;
      if (behaviour.delay) await new Promise((r) => setTimeout(r, behaviour.delay!(surface.calls)));
      if (behaviour.failAfter !== undefined && surface.calls > behaviour.failAfter)
        return { accepted: false as const, error: 'connection refused' };
      return accounts[username] === password ? { accepted: true as const } : { accepted: false as const };
    },
  };
  return surface;
}

describe('credentialPairs', () => {
  it('starts with the list in its order and ends with the product name and model', () => {
    const pairs = credentialPairs(context());
    assert.deepEqual(pairs[0], { username: 'root', password: 'xc3511' });
    assert.ok(pairs.some((p) => p.username === 'admin' && p.password === 'acmehub'));
    assert.ok(pairs.some((p) => p.username === 'root' && p.password === 'AH-200'));
    assert.equal(new Set(pairs.map((p) => `${p.username}\0${p.password}`)).size, pairs.length);
  });
});

describe('tryDefaultCredentials', () => {
  it('stops at the first accepted pair and reports it redacted', async () => {
    const ctx = context();
    const trial = await tryDefaultCredentials(device({ admin: 'admin' }), ctx);
    assert.deepEqual(trial.accepted, [{ username: 'admin', password: 'admin' }]);
    const [finding] = defaultCredentialFindings(trial);
    assert.equal(finding?.result, 'fail');
    assert.equal(finding?.check, 'probe/default-credentials');
    assert.deepEqual(finding?.provisions, ['5.1-1']);
    assert.match(finding?.message ?? '', /admin \/ a\*\*\*\*/);
    assert.doesNotMatch(JSON.stringify(finding), /admin\/admin|password=admin\b/);
    assert.equal(ctx.attempts.length, trial.tried);
  });

  it('finds the product name used as a password', async () => {
    const trial = await tryDefaultCredentials(device({ admin: 'acmehub' }), context({ maxLoginAttempts: 1000 }));
    assert.deepEqual(trial.accepted, [{ username: 'admin', password: 'acmehub' }]);
  });

  it('keeps to the login budget and says it stopped there', async () => {
    const surface = device({});
    const trial = await tryDefaultCredentials(surface, context({ maxLoginAttempts: 5 }));
    assert.equal(surface.calls, 5);
    assert.match(trial.stopped ?? '', /budget of 5/);
    const [finding] = defaultCredentialFindings(trial);
    assert.equal(finding?.result, 'pass');
    assert.match(finding?.message ?? '', /none of 5 default credentials/);
  });

  it('gives up on a service that stops answering, without calling it a pass', async () => {
    const trial = await tryDefaultCredentials(device({}, { failAfter: 2 }), context());
    // Three unjudged answers in a row stop it; logins already in flight still finish.
    assert.ok(trial.tried >= 5 && trial.tried <= 5 + LOGIN_PARALLELISM - 1, `tried ${trial.tried}`);
    const [finding] = defaultCredentialFindings(trial);
    assert.equal(finding?.result, 'info');
    assert.match(finding?.message ?? '', /could not be judged/);
  });

  it('tries nothing with --no-login', async () => {
    const surface = device({ admin: 'admin' });
    const trial = await tryDefaultCredentials(surface, context({}, false));
    assert.equal(surface.calls, 0);
    assert.deepEqual(defaultCredentialFindings(trial), []);
  });
});

describe('measureBruteForce', () => {
  it('measures a service that answers fast and never locks out as unprotected', async () => {
    const m = await measureBruteForce(device({}), context({ bruteForceAttempts: 8 }), 'root');
    assert.equal(m.durations.length, 8);
    const [finding] = bruteForceFindings(m);
    assert.equal(finding?.result, 'fail');
    assert.deepEqual(finding?.provisions, ['5.1-5']);
    assert.match(finding?.message ?? '', /8 failed logins in a row/);
  });

  it('sees a lockout', async () => {
    const m = await measureBruteForce(device({}, { failAfter: 3 }), context({ bruteForceAttempts: 8 }), 'root');
    assert.equal(m.lockedOutAfter, 4);
    const [finding] = bruteForceFindings(m);
    assert.equal(finding?.result, 'pass');
    assert.match(finding?.message ?? '', /after 4 failed logins/);
  });

  it('sees a growing delay', async () => {
    const m = await measureBruteForce(device({}, { delay: (n) => 5 * 2 ** n }), context({ bruteForceAttempts: 6 }), 'root');
    assert.ok(m.delayGrowth > 2);
    assert.equal(bruteForceFindings(m)[0]?.result, 'pass');
  });
});

describe('bruteForceCheck', () => {
  const base: BruteForceMeasurement = {
    surface: device({}),
    username: 'root',
    durations: [10, 10, 10, 10],
    attemptsPerSecond: 100,
    delayGrowth: 1,
  };
  const cases: [string, Partial<BruteForceMeasurement>, string, RegExp][] = [
    ['fast and unlimited', {}, 'fail', /no lockout and no growing delay/],
    ['slow throughout', { durations: [2000, 2000, 2000, 2000], attemptsPerSecond: 0.5 }, 'pass', /0\.50 attempts\/s/],
    ['growing', { delayGrowth: 3 }, 'pass', /slow down/],
    ['locked out', { lockedOutAfter: 3, lockoutReason: 'connection reset' }, 'pass', /after 3 failed logins \(connection reset\)/],
    ['unjudgeable from the start', { lockedOutAfter: 1, lockoutReason: 'timeout', durations: [5000] }, 'info', /not measured/],
    ['not measured', { durations: [], attemptsPerSecond: 0 }, 'info', /not measured/],
  ];
  for (const [name, change, result, message] of cases) {
    it(name, () => {
      const [finding] = bruteForceFindings({ ...base, ...change });
      assert.equal(finding?.result, result);
      assert.match(finding?.message ?? '', message);
    });
  }
});
