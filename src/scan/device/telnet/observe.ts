// What a telnet service shows before any credential: its banner, the options it asks for, and whether it
// asks for a login at all. A shell prompt straight away is confirmed with a harmless echo of arithmetic
// (the answer cannot come from the terminal echoing the command back).
import { ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { type IdentifiedService, printable } from '../service.ts';
import { lastLine, type PromptKind, promptAtEnd, settleShell } from './prompts.ts';
import { TelnetSession } from './session.ts';
import { TelnetStreamError } from './telnet-stream.ts';

export interface TelnetObservation {
  service: IdentifiedService;
  /** False when no session could be opened or read at all. */
  reached: boolean;
  /** Text before the first prompt, printable and cut short. */
  banner: string;
  /** The prompt the server stopped at, or none within the read deadline. */
  firstPrompt: PromptKind | 'none';
  /** The prompt line itself, printable. */
  promptLine?: string;
  /** Option requests the server made (DO/WILL), all refused. */
  optionRequests: number;
  /** Set when a shell came with no login: whether a command ran in it. */
  shell?: { confirmed: boolean; evidence: string };
  error?: string;
}

const MARKER_COMMAND = 'echo baseline-probe-$((6*7))-done';
const MARKER_OUTPUT = 'baseline-probe-42-done';

export async function observeTelnet(service: IdentifiedService, context: ProbeContext): Promise<TelnetObservation> {
  const observation: TelnetObservation = { service, reached: false, banner: '', firstPrompt: 'none', optionRequests: 0 };
  let session: TelnetSession | undefined;
  try {
    session = await TelnetSession.open(context, service.endpoint);
    observation.reached = true;
    const first = await session.firstPrompt(promptAtEnd, context.limits.readTimeoutMs, settleShell);
    observation.optionRequests = session.negotiations.filter((n) => n.verb === 'DO' || n.verb === 'WILL').length;
    const prompt = first.verdict;
    observation.firstPrompt = prompt ?? 'none';
    const line = lastLine(first.text);
    const banner = prompt && line ? first.text.slice(0, first.text.lastIndexOf(line)) : first.text;
    observation.banner = printable(banner.replace(/^[\r\n]+|[\r\n]+$/g, ''), 600);
    if (prompt) observation.promptLine = printable(line, 120);
    if (!prompt)
      observation.error = first.closed ? 'the server closed the connection without a prompt' : 'no prompt within the read deadline';
    if (prompt === 'shell') {
      await session.sendLine(MARKER_COMMAND);
      const echoed = await session.waitFor((text) => (text.includes(MARKER_OUTPUT) ? true : undefined), context.limits.readTimeoutMs);
      observation.shell = { confirmed: echoed.verdict === true, evidence: printable(echoed.text, 300) };
    }
  } catch (error) {
    if (!(error instanceof ProbeError || error instanceof TelnetStreamError)) throw error;
    observation.error = error.message;
    if (session) observation.optionRequests = session.negotiations.filter((n) => n.verb === 'DO' || n.verb === 'WILL').length;
  } finally {
    session?.close();
  }
  return observation;
}
