// One FTP login per connection (USER, then PASS when asked), judged by the reply code: 230 accepted,
// 530 rejected, 421 (service closing: too many failures, locked out, busy) a refusal that cannot be judged.
import { ProbeError } from '../connection.ts';
import type { LoginResult, LoginSurface } from '../login.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { IdentifiedService } from '../service.ts';
import { type FtpReply, FtpReplyError, replyText } from './reply.ts';
import { FtpSession } from './session.ts';

/** A 530 that asks for TLS first is no verdict on the password. */
export function demandsTls(reply: FtpReply): boolean {
  return reply.code === 530 && /\b(?:TLS|SSL|encrypt|AUTH)/i.test(reply.lines.join(' '));
}

function judge(reply: FtpReply, step: 'USER' | 'PASS'): LoginResult | 'password' {
  if (reply.code === 230 || (step === 'PASS' && reply.code === 202)) return { accepted: true };
  if (step === 'USER' && reply.code === 331) return 'password';
  if (demandsTls(reply)) return { accepted: false, error: `the server requires TLS before a login (${replyText(reply)})` };
  if (reply.code === 530) return { accepted: false };
  if (reply.code === 421) return { accepted: false, error: `the server closed the session (${replyText(reply)})` };
  return { accepted: false, error: `unexpected reply to ${step}: ${replyText(reply)}` };
}

export async function ftpLogin(
  context: ProbeContext,
  service: IdentifiedService,
  username: string,
  password: string,
): Promise<LoginResult> {
  let session: FtpSession | undefined;
  try {
    const opened = await FtpSession.open(context, service.endpoint);
    session = opened.session;
    if (opened.greeting.code !== 220) return { accepted: false, error: `greeting ${replyText(opened.greeting)}` };
    const afterUser = judge(await session.command(`USER ${username}`), 'USER');
    if (afterUser !== 'password') return afterUser;
    const afterPass = judge(await session.command(`PASS ${password}`), 'PASS');
    return afterPass === 'password' ? { accepted: false, error: 'unexpected reply to PASS' } : afterPass;
  } catch (error) {
    if (error instanceof ProbeError || error instanceof FtpReplyError) return { accepted: false, error: error.message };
    throw error;
  } finally {
    await session?.quit();
  }
}

/** Anonymous access is examined on its own (probe/ftp/anonymous-login), so these names are left out. */
const ANONYMOUS_NAMES = new Set(['anonymous', 'ftp']);

export function ftpLoginSurface(context: ProbeContext, service: IdentifiedService): LoginSurface {
  return {
    service,
    method: 'FTP',
    acceptsUsername: (username) => !ANONYMOUS_NAMES.has(username.toLowerCase()) && !/[\r\n]/.test(username),
    login: (username, password) => ftpLogin(context, service, username, password),
  };
}
