// What a telnet server's text means: a login or password prompt, a shell prompt, or a refused login.
// Judged on the end of the text (prompts are the last thing a server sends before it waits).

export type PromptKind = 'login' | 'password' | 'shell';

// Trailing spaces and the escape codes some devices end prompts with are ignored.
function tail(text: string): string {
  return text
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/[\s\0]+$/, '')
    .slice(-200);
}

const LOGIN = /(?:^|[^A-Za-z])(?:login|user ?name|user(?: ?id)?|account)\s*:$/i;
const PASSWORD = /(?:^|[^A-Za-z])pass(?:word|wd|code)?\s*:$/i;
// The last line ends in a shell or CLI prompt character: "root@host:~#", "$", "router>", "%".
const SHELL = /(?:^|[\r\n])[^\r\n]{0,80}[#$%>]$/;
const FAILURE =
  /login incorrect|incorrect (?:login|password|user)|invalid (?:login|password|user|credentials)|authentication fail|login fail|access denied|permission denied|bad password|wrong password|password incorrect/i;

/** The prompt the text ends with, if any. */
export function promptAtEnd(text: string): PromptKind | undefined {
  const end = tail(text);
  if (PASSWORD.test(end)) return 'password';
  if (LOGIN.test(end)) return 'login';
  if (SHELL.test(end)) return 'shell';
  return undefined;
}

export function saysLoginFailed(text: string): boolean {
  return FAILURE.test(text);
}

/** How long a verdict must stand with no more text: a shell prompt could be a "#" inside a longer message. */
export const SHELL_SETTLE_MS = 300;

export function settleShell(verdict: PromptKind | LoginOutcome): number {
  return verdict === 'shell' || verdict === 'accepted' ? SHELL_SETTLE_MS : 0;
}

export type LoginOutcome = 'accepted' | 'rejected';

/** The verdict on what followed a password: a failure message or a new prompt, or a shell. */
export function judgeAfterPassword(text: string): LoginOutcome | undefined {
  const prompt = promptAtEnd(text);
  if (saysLoginFailed(text) && prompt !== undefined) return 'rejected';
  if (prompt === 'login' || prompt === 'password') return 'rejected';
  if (prompt === 'shell') return 'accepted';
  return undefined;
}

/** The last non-empty line, for messages. */
export function lastLine(text: string): string {
  const lines = tail(text).split(/\r?\n|\r/);
  return lines[lines.length - 1]?.trim() ?? '';
}
