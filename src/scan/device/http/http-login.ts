// Logins over HTTP Basic (RFC 7617) and Digest (RFC 7616) on the path that asked for them, as a
// LoginSurface for the shared default-credential trial and brute-force measurement.
import type { Endpoint } from '../connection.ts';
import { httpRequest, type HttpResponse } from '../http-client.ts';
import type { LoginResult, LoginSurface } from '../login.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { IdentifiedService } from '../service.ts';
import { digestAuthorization, digestUnsupported } from './digest.ts';
import { type Challenge, challengesIn, schemeIs } from './www-authenticate.ts';

export type HttpAuthScheme = 'basic' | 'digest';

export interface HttpLoginTarget {
  path: string;
  scheme: HttpAuthScheme;
  realm?: string;
  /** For Basic: the charset parameter, when the server named one. */
  charset?: string;
}

/** The scheme to log in with among a 401's challenges: Digest when it can be answered, else Basic. */
export function chooseLoginTarget(path: string, challenges: Challenge[]): HttpLoginTarget | undefined {
  const digest = challenges.find((c) => schemeIs(c, 'digest') && digestUnsupported(c) === undefined);
  if (digest) return { path, scheme: 'digest', ...(digest.params.realm !== undefined ? { realm: digest.params.realm } : {}) };
  const basic = challenges.find((c) => schemeIs(c, 'basic'));
  if (basic) {
    return {
      path,
      scheme: 'basic',
      ...(basic.params.realm !== undefined ? { realm: basic.params.realm } : {}),
      ...(basic.params.charset !== undefined ? { charset: basic.params.charset } : {}),
    };
  }
  return undefined;
}

/** Judges the answer to a request that carried credentials, against the 401 the same request got without. */
export function judgeAuthenticatedResponse(response: Pick<HttpResponse, 'status' | 'headers'>): LoginResult {
  const { status } = response;
  if ((status >= 200 && status < 400) || status === 404) return { accepted: true };
  if (status === 401 || status === 407) {
    const stale = challengesIn(response.headers['www-authenticate']).some(
      (c) => schemeIs(c, 'digest') && c.params.stale?.toLowerCase() === 'true',
    );
    return stale ? { accepted: false, error: 'the server called the Digest nonce stale' } : { accepted: false };
  }
  // 403, 429 and 5xx after credentials: the device refuses to judge this attempt (locked out, rate limited, broken).
  return { accepted: false, error: `HTTP ${status} instead of 401 after credentials` };
}

export function httpLoginSurface(context: ProbeContext, service: IdentifiedService, target: HttpLoginTarget): LoginSurface {
  const endpoint: Endpoint = service.endpoint;
  const get = (headers: Record<string, string>) =>
    httpRequest(context, endpoint, { path: target.path, tls: service.tls, headers, maxBody: 16 * 1024 });
  return {
    service,
    method: target.scheme === 'basic' ? 'HTTP Basic' : 'HTTP Digest',
    // Basic carries user:pass, so a colon in the user name cannot be sent.
    acceptsUsername: (username) => !username.includes(':') && /^[\x20-\x7e]*$/.test(username),
    async login(username, password): Promise<LoginResult> {
      if (!/^[\x20-\x7e]*$/.test(password)) return { accepted: false, error: 'password has characters a header cannot carry' };
      try {
        let authorization: string;
        if (target.scheme === 'basic') {
          authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
        } else {
          // Each attempt answers a fresh nonce, as a client would after a failure.
          const first = await get({});
          if (first.status !== 401) return { accepted: false, error: `HTTP ${first.status} instead of a Digest challenge` };
          const challenge = challengesIn(first.headers['www-authenticate']).find(
            (c) => schemeIs(c, 'digest') && digestUnsupported(c) === undefined,
          );
          if (!challenge) return { accepted: false, error: 'the 401 carried no Digest challenge this probe can answer' };
          authorization = digestAuthorization(challenge, { method: 'GET', uri: target.path, username, password });
        }
        return judgeAuthenticatedResponse(await get({ authorization }));
      } catch (error) {
        return { accepted: false, error: (error as Error).message };
      }
    },
  };
}
