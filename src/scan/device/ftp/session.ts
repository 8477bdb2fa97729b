// One FTP control connection: the greeting, then commands and their replies, each read under the read
// deadline and the reply size cap. Only control-channel commands are sent; no data connection is opened.
import type { Connection, Endpoint } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { type FtpReply, FtpReplyError, parseFtpReply } from './reply.ts';

/** Preliminary (1xx) replies skipped while waiting for a final one: "120 ready in 5 minutes". */
const MAX_PRELIMINARY = 3;

export class FtpSession {
  private readonly connection: Connection;
  private readonly timeoutMs: number;

  constructor(connection: Connection, timeoutMs: number) {
    this.connection = connection;
    this.timeoutMs = timeoutMs;
  }

  /** Connects and reads the greeting (220 when the server is ready, 421 when it turns the client away). */
  static async open(context: ProbeContext, endpoint: Endpoint): Promise<{ session: FtpSession; greeting: FtpReply }> {
    const session = new FtpSession(await context.connect(endpoint), context.limits.readTimeoutMs);
    try {
      return { session, greeting: await session.readReply('the greeting') };
    } catch (error) {
      session.close();
      throw error;
    }
  }

  async readReply(what = 'a reply'): Promise<FtpReply> {
    for (let i = 0; ; i++) {
      let parsed: FtpReply | undefined;
      await this.connection.readUntil(
        (buffer) => {
          const found = parseFtpReply(buffer);
          parsed = found?.reply;
          return found?.length;
        },
        this.timeoutMs,
        what,
      );
      const reply = parsed as FtpReply;
      if (reply.code >= 200 || i >= MAX_PRELIMINARY) return reply;
    }
  }

  /** Sends one command line and reads the final reply. */
  async command(line: string): Promise<FtpReply> {
    if (/[\r\n]/.test(line)) throw new FtpReplyError('a command cannot contain a line break');
    await this.connection.write(`${line}\r\n`);
    return this.readReply(`a reply to ${line.split(' ')[0]}`);
  }

  /**
   * Says goodbye and closes without waiting for the answer: a server slow to answer QUIT must not
   * count as time spent judging a login.
   */
  async quit(): Promise<void> {
    try {
      await this.connection.write('QUIT\r\n');
    } catch {
      // The session is over either way.
    } finally {
      this.close();
    }
  }

  close(): void {
    this.connection.close();
  }
}
