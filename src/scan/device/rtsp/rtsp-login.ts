// Logins over RTSP Basic and Digest, which are HTTP's schemes (RFC 2326 section 16.8), on the path that
// asked for them, as a LoginSurface for the shared default-credential trial and brute-force measurement.
// Each attempt is a DESCRIBE on a connection of its own; for Digest the challenge is fetched first on the
// same connection, so the answer names a fresh nonce.
import { digestAuthorization, digestUnsupported } from '../http/digest.ts';
import type { HttpLoginTarget } from '../http/http-login.ts';
import { challengesIn, schemeIs } from '../http/www-authenticate.ts';
import type { LoginResult, LoginSurface } from '../login.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { IdentifiedService } from '../service.ts';
import { RtspSession, rtspUrl } from './client.ts';
import type { RtspResponse } from './response.ts';

/** Judges the answer to a DESCRIBE that carried credentials: anything but another 401 past authentication is a login. */
export function judgeRtspLogin(response: Pick<RtspResponse, 'status' | 'headers'>): LoginResult {
  const { status } = response;
  // 404 and 454 (Session Not Found) come after authentication: the credential was taken.
  if ((status >= 200 && status < 400) || status === 404 || status === 454) return { accepted: true };
  if (status === 401) {
    const stale = challengesIn(response.headers['www-authenticate']).some(
      (c) => schemeIs(c, 'digest') && c.params.stale?.toLowerCase() === 'true',
    );
    return stale ? { accepted: false, error: 'the server called the Digest nonce stale' } : { accepted: false };
  }
  return { accepted: false, error: `RTSP ${status} instead of 401 after credentials` };
}

export function rtspLoginSurface(context: ProbeContext, service: IdentifiedService, target: HttpLoginTarget): LoginSurface {
  const uri = rtspUrl(service.endpoint, target.path);
  return {
    service,
    method: target.scheme === 'basic' ? 'RTSP Basic' : 'RTSP Digest',
    acceptsUsername: (username) => !username.includes(':') && /^[\x20-\x7e]*$/.test(username),
    async login(username, password): Promise<LoginResult> {
      if (!/^[\x20-\x7e]*$/.test(password)) return { accepted: false, error: 'password has characters a header cannot carry' };
      let session: RtspSession | undefined;
      try {
        session = await RtspSession.open(context, service.endpoint);
        let authorization: string;
        if (target.scheme === 'basic') {
          authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
        } else {
          const first = await session.request('DESCRIBE', uri);
          if (first.status !== 401) return { accepted: false, error: `RTSP ${first.status} instead of a Digest challenge` };
          const challenge = challengesIn(first.headers['www-authenticate']).find(
            (c) => schemeIs(c, 'digest') && digestUnsupported(c) === undefined,
          );
          if (!challenge) return { accepted: false, error: 'the 401 carried no Digest challenge this probe can answer' };
          authorization = digestAuthorization(challenge, { method: 'DESCRIBE', uri, username, password });
        }
        return judgeRtspLogin(await session.request('DESCRIBE', uri, { Authorization: authorization }));
      } catch (error) {
        return { accepted: false, error: (error as Error).message };
      } finally {
        session?.close();
      }
    },
  };
}
