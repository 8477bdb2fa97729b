// One telnet connection: reads under a deadline, refuses every option the server asks for (a bounded
// number of times), and keeps the text since the last line sent, so that a caller can wait for a prompt.
import { type Connection, type Endpoint, ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { type Negotiation, refusals, TelnetDecoder, encodeLine } from './telnet-stream.ts';

/** Refusals sent per connection; a peer that keeps asking gets silence after this. */
export const MAX_REFUSALS = 64;
/** Text kept for matching prompts: the tail of what came since the last line sent. */
const WINDOW = 16 * 1024;

export interface WaitResult<T> {
  verdict?: T;
  /** The text since the last line sent (its tail, when long). */
  text: string;
  closed: boolean;
  timedOut: boolean;
}

export class TelnetSession {
  readonly negotiations: Negotiation[] = [];
  private readonly decoder = new TelnetDecoder();
  private readonly connection: Connection;
  private refused = 0;
  private window = '';

  constructor(connection: Connection) {
    this.connection = connection;
  }

  static async open(context: ProbeContext, endpoint: Endpoint): Promise<TelnetSession> {
    return new TelnetSession(await context.connect(endpoint));
  }

  /**
   * Reads until `classify` gives a verdict on the text so far, the peer closes, or `timeoutMs` passes.
   * A verdict for which `settleMs` gives a time stands only if no more text comes within it (a "#" at the
   * end of a chunk may be the middle of a message, not a shell prompt); others return at once, so that
   * timing logins measures the device and not this wait. Oversized input and stream errors are thrown
   * (ProbeError, TelnetStreamError); silence and closing are results.
   */
  async waitFor<T>(
    classify: (text: string) => T | undefined,
    timeoutMs: number,
    settleMs: (verdict: T) => number = () => 0,
  ): Promise<WaitResult<T>> {
    const deadline = Date.now() + timeoutMs;
    let verdict = this.window ? classify(this.window) : undefined;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0)
        return { ...(verdict !== undefined ? { verdict } : {}), text: this.window, closed: false, timedOut: verdict === undefined };
      const settle = verdict === undefined ? undefined : settleMs(verdict);
      if (settle === 0) return { verdict: verdict as T, text: this.window, closed: false, timedOut: false };
      let chunk: Buffer;
      try {
        chunk = await this.connection.readUntil((b) => b.length, settle === undefined ? left : Math.min(settle, left), 'more text');
      } catch (error) {
        if (error instanceof ProbeError && error.kind === 'timeout') {
          if (verdict !== undefined) return { verdict, text: this.window, closed: false, timedOut: false };
          continue;
        }
        if (error instanceof ProbeError && (error.kind === 'closed' || error.kind === 'reset')) {
          verdict = classify(this.window);
          return { ...(verdict !== undefined ? { verdict } : {}), text: this.window, closed: true, timedOut: false };
        }
        throw error;
      }
      await this.take(chunk);
      verdict = classify(this.window);
    }
  }

  /**
   * The first prompt: some servers print it only after the client sends something, so after half the
   * wait with no prompt an empty line is sent once. The text returned includes what came before it.
   */
  async firstPrompt<T>(
    classify: (text: string) => T | undefined,
    timeoutMs: number,
    settleMs: (verdict: T) => number,
  ): Promise<WaitResult<T>> {
    const first = await this.waitFor(classify, timeoutMs / 2, settleMs);
    if (first.verdict !== undefined || first.closed) return first;
    await this.sendLine('');
    const second = await this.waitFor(classify, timeoutMs / 2, settleMs);
    return { ...second, text: first.text + second.text };
  }

  async sendLine(text: string): Promise<void> {
    this.window = '';
    await this.connection.write(encodeLine(text));
  }

  close(): void {
    this.connection.close();
  }

  private async take(chunk: Buffer): Promise<void> {
    const decoded = this.decoder.feed(chunk);
    const text = decoded.data.toString('latin1');
    this.window = (this.window + text).slice(-WINDOW);
    const asked = decoded.negotiations.slice(0, Math.max(0, MAX_REFUSALS - this.refused));
    if (this.negotiations.length < MAX_REFUSALS)
      this.negotiations.push(...decoded.negotiations.slice(0, MAX_REFUSALS - this.negotiations.length));
    const answer = refusals(asked);
    this.refused += asked.length;
    if (answer.length > 0) await this.connection.write(answer).catch(() => undefined);
  }
}
