// Logins over the network, shared by every protocol that authenticates (SSH, telnet, FTP, HTTP, MQTT):
// trying the default credential list (5.1-1) and measuring brute-force protection (5.1-5). A protocol
// supplies one function that makes one login; this module decides what to try, counts every attempt
// against the budget, and turns what it saw into findings.
import { randomBytes } from 'node:crypto';
import type { Check } from '../check.ts';
import { runCheck } from '../check.ts';
import type { Finding } from '../../findings/schema.ts';
import type { ProbeContext } from './probe-context.ts';
import { at, type IdentifiedService, redactPassword } from './service.ts';
import { endpointText } from './target.ts';

export type LoginResult = { accepted: true } | { accepted: false; error?: string };

export interface LoginSurface {
  service: IdentifiedService;
  /** How the login is made, for messages: "SSH password", "HTTP Basic", "MQTT CONNECT". */
  method: string;
  /** Makes one login; resolves whether it was accepted, or the error that kept it from being judged. */
  login(username: string, password: string): Promise<LoginResult>;
  /** Usernames this surface has no use for (e.g. a service that has no user names) are skipped. */
  acceptsUsername?(username: string): boolean;
}

export interface Credential {
  username: string;
  password: string;
}

export interface DefaultCredentialTrial {
  surface: LoginSurface;
  tried: number;
  accepted: Credential[];
  /** Why trying stopped before the list ran out, if it did. */
  stopped?: string;
}

/** The pairs to try, most likely first: the list's pairs in order, then the product's name and model as passwords for root and admin. */
export function credentialPairs(context: ProbeContext): Credential[] {
  const pairs: Credential[] = context.credentials.credentials.map(({ username, password }) => ({ username, password }));
  const product = context.product;
  for (const word of [product?.name, product?.model]) {
    if (!word) continue;
    for (const variant of new Set([word, word.toLowerCase(), word.toLowerCase().replace(/[\s_-]+/g, '')])) {
      for (const username of ['admin', 'root']) pairs.push({ username, password: variant });
    }
  }
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const key = `${p.username}\0${p.password}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const MAX_CONSECUTIVE_ERRORS = 3;
/**
 * Default-credential logins in flight at once on one service. Devices that delay each failure by seconds
 * (PAM's delay behind telnet and FTP logins) would otherwise make the list take minutes; a few at a time
 * is still far below what a botnet sends.
 */
export const LOGIN_PARALLELISM = 3;

/** Tries default pairs until one is accepted, the budget is spent, or the service stops answering. */
export async function tryDefaultCredentials(surface: LoginSurface, context: ProbeContext): Promise<DefaultCredentialTrial> {
  const trial: DefaultCredentialTrial = { surface, tried: 0, accepted: [] };
  const { endpoint } = surface.service;
  const pairs = credentialPairs(context).filter((p) => !surface.acceptsUsername || surface.acceptsUsername(p.username));
  let budget = context.loginsLeft(endpoint);
  let next = 0;
  let errors = 0;
  const stop = (reason: string) => {
    trial.stopped ??= reason;
  };
  const worker = async () => {
    while (trial.accepted.length === 0 && trial.stopped === undefined && next < pairs.length) {
      if (context.signal.aborted) return stop('the probe was aborted');
      if (budget <= 0) return stop(`the login budget of ${context.limits.maxLoginAttempts} attempts was spent`);
      budget--;
      const pair = pairs[next++] as Credential;
      const result = await surface.login(pair.username, pair.password);
      trial.tried++;
      context.record({
        endpoint,
        protocol: surface.method,
        username: pair.username,
        accepted: result.accepted,
        ...(!result.accepted && result.error ? { error: result.error } : {}),
        purpose: 'default-credentials',
      });
      if (result.accepted) {
        trial.accepted.push(pair);
        return;
      }
      errors = result.error ? errors + 1 : 0;
      if (errors >= MAX_CONSECUTIVE_ERRORS)
        return stop(`${MAX_CONSECUTIVE_ERRORS} attempts in a row could not be judged (last: ${result.error})`);
    }
  };
  if (!context.login) return trial;
  await Promise.all(Array.from({ length: LOGIN_PARALLELISM }, worker));
  // The budget ran out exactly as the list did: say so only if pairs were left untried.
  if (trial.stopped === undefined && trial.accepted.length === 0 && next < pairs.length && budget <= 0) {
    stop(`the login budget of ${context.limits.maxLoginAttempts} attempts was spent`);
  }
  return trial;
}

export const defaultCredentialsCheck: Check<DefaultCredentialTrial> = {
  id: 'probe/default-credentials',
  title: 'The device accepts a default credential',
  provisions: ['5.1-1'],
  severity: 'critical',
  rationale:
    'A password from the public default lists (the ones Mirai tried, vendor defaults, the product name) that the running device accepts is a universal default password: the PSTI forbids it and EN 303 645 5.1-1 requires unique or user-defined passwords.',
  remediation:
    'Give every unit a unique password (printed on the device or generated at first setup), or require the user to set one before the service can be used.',
  *run(trial) {
    const where = at(trial.surface.service.endpoint);
    const method = trial.surface.method;
    for (const c of trial.accepted) {
      yield {
        result: 'fail',
        location: where,
        message: `${method} login accepted ${c.username || '(no user name)'} / ${redactPassword(c.password)} from the default credential list`,
        evidence: `username=${c.username} password=${redactPassword(c.password)}`,
      };
    }
    if (trial.accepted.length > 0) return;
    if (trial.tried === 0) return;
    const stopped = trial.stopped ? `; stopped early: ${trial.stopped}` : '';
    yield {
      result: trial.stopped && /judged/.test(trial.stopped) ? 'info' : 'pass',
      location: where,
      message: `${method}: none of ${trial.tried} default credentials tried was accepted${stopped}`,
    };
  },
};

export function defaultCredentialFindings(trial: DefaultCredentialTrial): Finding[] {
  return runCheck(defaultCredentialsCheck, trial);
}

export interface BruteForceMeasurement {
  surface: LoginSurface;
  username: string;
  /** Milliseconds each deliberate failure took, in order; errors included. */
  durations: number[];
  /** Index (1-based) of the first attempt the device refused to judge (locked out, dropped, refused), if any. */
  lockedOutAfter?: number;
  lockoutReason?: string;
  /** Attempts per second over the whole run. */
  attemptsPerSecond: number;
  /** Mean duration of the last three attempts over that of the first three. */
  delayGrowth: number;
}

/** One failure a second or slower, sustained, is the rate ETSI's examples of time delays reach. */
export const MAX_UNPROTECTED_RATE = 1;
/** Failures timed before a clearly slow service is taken as delaying (see measureBruteForce). */
export const MIN_ATTEMPTS_BEFORE_SETTLED = 4;
/** A service whose failures get this much slower over the run is delaying on purpose. */
export const MIN_DELAY_GROWTH = 2;

/**
 * Makes `bruteForceAttempts` logins with a random password that no list contains, timing each, and
 * stops early once the device refuses (a lockout is what is being measured).
 */
export async function measureBruteForce(surface: LoginSurface, context: ProbeContext, username: string): Promise<BruteForceMeasurement> {
  const durations: number[] = [];
  let lockedOutAfter: number | undefined;
  let lockoutReason: string | undefined;
  const started = performance.now();
  for (let i = 1; i <= context.limits.bruteForceAttempts && !context.signal.aborted; i++) {
    const password = `baseline-${randomBytes(9).toString('base64url')}`;
    const t0 = performance.now();
    const result = await surface.login(username, password);
    durations.push(performance.now() - t0);
    context.record({
      endpoint: surface.service.endpoint,
      protocol: surface.method,
      username,
      accepted: result.accepted,
      ...(!result.accepted && result.error ? { error: result.error } : {}),
      purpose: 'brute-force',
    });
    if (!result.accepted && result.error) {
      lockedOutAfter = i;
      lockoutReason = result.error;
      break;
    }
    // Once every failure has taken seconds, more attempts can only add a lockout, which is a pass too.
    const sustained = i / ((performance.now() - started) / 1000);
    if (i >= MIN_ATTEMPTS_BEFORE_SETTLED && sustained <= MAX_UNPROTECTED_RATE / 2) break;
  }
  const elapsed = (performance.now() - started) / 1000;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const head = mean(durations.slice(0, 3));
  const tail = mean(durations.slice(-3));
  return {
    surface,
    username,
    durations,
    ...(lockedOutAfter !== undefined ? { lockedOutAfter, lockoutReason } : {}),
    attemptsPerSecond: durations.length / Math.max(elapsed, 1e-3),
    delayGrowth: head > 0 ? tail / head : 1,
  };
}

export const bruteForceCheck: Check<BruteForceMeasurement> = {
  id: 'probe/brute-force-protection',
  title: 'Repeated failed logins are slowed, limited or locked out',
  provisions: ['5.1-5'],
  severity: 'high',
  rationale:
    'EN 303 645 5.1-5 asks for a mechanism that makes brute-force attacks over network interfaces impracticable, such as growing delays, a limit on attempts or a lockout. A service that answers wrong passwords quickly and without limit lets an attacker try the whole default list in seconds.',
  remediation:
    'Delay each failed login (and grow the delay), cap failed attempts per source and per account, or lock the account or source out for a while.',
  *run(m) {
    const where = at(m.surface.service.endpoint);
    const n = m.durations.length;
    const figures = `${n} failed ${m.surface.method} logins as ${m.username}: ${m.attemptsPerSecond.toFixed(2)} attempts/s, delay growth ×${m.delayGrowth.toFixed(2)}, durations ${m.durations.map((d) => Math.round(d)).join('/')} ms`;
    if (n === 0) {
      yield {
        result: 'info',
        location: where,
        message: `brute-force protection of ${m.surface.method} not measured: no deliberate failures were allowed`,
      };
    } else if (m.lockedOutAfter === 1) {
      yield {
        result: 'info',
        location: where,
        message: `brute-force protection not measured: the first login could not be judged (${m.lockoutReason})`,
      };
    } else if (m.lockedOutAfter !== undefined) {
      yield {
        result: 'pass',
        location: where,
        message: `refused to go on after ${m.lockedOutAfter} failed logins (${m.lockoutReason})`,
        evidence: figures,
      };
    } else if (m.delayGrowth >= MIN_DELAY_GROWTH) {
      yield {
        result: 'pass',
        location: where,
        message: `failed logins slow down (×${m.delayGrowth.toFixed(1)} over ${n} attempts)`,
        evidence: figures,
      };
    } else if (m.attemptsPerSecond <= MAX_UNPROTECTED_RATE) {
      yield {
        result: 'pass',
        location: where,
        message: `failed logins are delayed: ${m.attemptsPerSecond.toFixed(2)} attempts/s sustained`,
        evidence: figures,
      };
    } else {
      yield {
        result: 'fail',
        location: where,
        message: `${n} failed logins in a row were answered at ${m.attemptsPerSecond.toFixed(1)} attempts/s with no lockout and no growing delay`,
        evidence: figures,
      };
    }
  },
};

export function bruteForceFindings(m: BruteForceMeasurement): Finding[] {
  return runCheck(bruteForceCheck, m);
}

/** For messages: "ssh on 127.0.0.1:22". */
export function surfaceName(surface: LoginSurface): string {
  const { host, port } = surface.service.endpoint;
  return `${surface.method} on ${endpointText(host, port)}`;
}
