// What an FTP server shows on one control connection: the greeting, the FEAT list (does it offer AUTH TLS?),
// and, when logins are allowed, whether it asks for a password in clear and whether anonymous login works.
import { randomBytes } from 'node:crypto';
import { ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { type IdentifiedService, printable } from '../service.ts';
import { demandsTls } from './ftp-login.ts';
import { type FtpReply, FtpReplyError, replyText } from './reply.ts';
import { FtpSession } from './session.ts';

export interface FtpObservation {
  service: IdentifiedService;
  reached: boolean;
  /** The greeting as one printable line: "220 (vsFTPd 3.0.3)". */
  greeting?: string;
  greetingCode?: number;
  /** The reply code to FEAT (211 with the list; 500/502 from servers without it); unset when no reply came. */
  featCode?: number;
  /** FEAT lines, when the server listed them. */
  features?: string[];
  /** FEAT lists AUTH TLS or AUTH SSL (RFC 4217). */
  authTls: boolean;
  /** How the server answered USER for an account that does not exist: asks for a password in clear, or demands TLS. */
  plainUser?: 'password-asked' | 'tls-demanded' | 'refused';
  /** USER anonymous: logged in (230), refused (530), or an answer that says neither. */
  anonymous?: { outcome: 'accepted' | 'rejected' | 'unclear'; reply: string };
  error?: string;
}

/** Sent as the anonymous password, as RFC 1635 suggests: an address, here one that reaches no one. */
export const ANONYMOUS_PASSWORD = 'baseline-probe@example.invalid';

export async function observeFtp(service: IdentifiedService, context: ProbeContext): Promise<FtpObservation> {
  const observation: FtpObservation = { service, reached: false, authTls: false };
  let session: FtpSession | undefined;
  try {
    const opened = await FtpSession.open(context, service.endpoint);
    session = opened.session;
    observation.reached = true;
    observation.greeting = printable(replyText(opened.greeting), 300);
    observation.greetingCode = opened.greeting.code;
    if (opened.greeting.code !== 220) {
      observation.error = `the server did not accept the session: ${observation.greeting}`;
      return observation;
    }
    const feat = await session.command('FEAT');
    observation.featCode = feat.code;
    if (feat.code === 211) {
      observation.features = feat.lines
        .slice(1, -1)
        .map((l) => printable(l.trim(), 80))
        .filter((l) => l !== '');
      observation.authTls = observation.features.some((f) => /^AUTH\b.*\b(?:TLS|SSL)\b/i.test(f));
    }
    if (!context.login) return observation;
    // A USER for an account no device has: a 331 means passwords are taken over this plaintext channel.
    const user = await session.command(`USER baseline-${randomBytes(4).toString('hex')}`);
    observation.plainUser = user.code === 331 ? 'password-asked' : demandsTls(user) ? 'tls-demanded' : 'refused';
  } catch (error) {
    if (!(error instanceof ProbeError || error instanceof FtpReplyError)) throw error;
    observation.error = error.message;
  } finally {
    await session?.quit();
  }
  // Anonymous login on a connection of its own: a server may hang up after refusing the USER above.
  if (context.login && observation.greetingCode === 220) observation.anonymous = await anonymousLogin(service, context, observation);
  return observation;
}

async function anonymousLogin(
  service: IdentifiedService,
  context: ProbeContext,
  observation: FtpObservation,
): Promise<FtpObservation['anonymous']> {
  if (!context.mayTryLogin(service.endpoint)) return undefined;
  let session: FtpSession | undefined;
  let reply: FtpReply;
  try {
    const opened = await FtpSession.open(context, service.endpoint);
    session = opened.session;
    if (opened.greeting.code !== 220) return undefined;
    reply = await session.command('USER anonymous');
    if (reply.code === 331) reply = await session.command(`PASS ${ANONYMOUS_PASSWORD}`);
  } catch (error) {
    if (!(error instanceof ProbeError || error instanceof FtpReplyError)) throw error;
    observation.error ??= `anonymous login: ${error.message}`;
    return undefined;
  } finally {
    await session?.quit();
  }
  const accepted = reply.code === 230 || reply.code === 202;
  const judged = accepted || (reply.code === 530 && !demandsTls(reply));
  context.record({
    endpoint: service.endpoint,
    protocol: 'FTP',
    username: 'anonymous',
    accepted,
    ...(judged ? {} : { error: replyText(reply) }),
    purpose: 'default-credentials',
  });
  return { outcome: accepted ? 'accepted' : judged ? 'rejected' : 'unclear', reply: printable(replyText(reply), 200) };
}
