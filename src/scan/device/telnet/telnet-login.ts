// One telnet login per connection, as Mirai-style scanners make them: wait for the login prompt, send the
// user name, wait for the password prompt, send the password, and judge by what follows.
import { ProbeError } from '../connection.ts';
import type { LoginResult, LoginSurface } from '../login.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { IdentifiedService } from '../service.ts';
import { judgeAfterPassword, lastLine, promptAtEnd, saysLoginFailed, settleShell } from './prompts.ts';
import { TelnetSession } from './session.ts';
import { TelnetStreamError } from './telnet-stream.ts';

export async function telnetLogin(
  context: ProbeContext,
  service: IdentifiedService,
  username: string,
  password: string,
): Promise<LoginResult> {
  const timeout = context.limits.readTimeoutMs;
  let session: TelnetSession | undefined;
  try {
    session = await TelnetSession.open(context, service.endpoint);
    const first = await session.firstPrompt(promptAtEnd, timeout, settleShell);
    if (first.verdict === undefined) return { accepted: false, error: first.closed ? 'closed before a login prompt' : 'no login prompt' };
    // A shell straight away is no login at all; the observation reports it, a login cannot be judged here.
    if (first.verdict === 'shell') return { accepted: false, error: 'a shell prompt came without any login' };
    if (first.verdict === 'login') {
      await session.sendLine(username);
      const next = await session.waitFor(promptAtEnd, timeout, settleShell);
      if (next.verdict === 'shell') return { accepted: true };
      if (next.verdict === 'login' || saysLoginFailed(next.text)) return { accepted: false };
      if (next.verdict !== 'password') {
        return {
          accepted: false,
          error: next.closed ? 'closed after the user name' : `no password prompt after the user name (${lastLine(next.text)})`,
        };
      }
    }
    await session.sendLine(password);
    // Twice the usual wait: a slow answer to a wrong password is the delay brute-force protection adds,
    // and cutting it short would misread it as a refusal.
    const after = await session.waitFor(judgeAfterPassword, 2 * timeout, settleShell);
    if (after.verdict === 'accepted') return { accepted: true };
    if (after.verdict === 'rejected' || saysLoginFailed(after.text)) return { accepted: false };
    return { accepted: false, error: after.closed ? 'closed after the password without a message' : 'no verdict after the password' };
  } catch (error) {
    if (error instanceof ProbeError || error instanceof TelnetStreamError) return { accepted: false, error: error.message };
    throw error;
  } finally {
    session?.close();
  }
}

export function telnetLoginSurface(context: ProbeContext, service: IdentifiedService): LoginSurface {
  return {
    service,
    method: 'telnet',
    // Sent as a line: a user name with a line break would be two lines.
    acceptsUsername: (username) => !/[\r\n]/.test(username),
    login: (username, password) => telnetLogin(context, service, username, password),
  };
}
