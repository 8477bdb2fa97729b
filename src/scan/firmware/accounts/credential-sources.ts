// Every stored credential an image carries: system accounts (/etc/passwd and /etc/shadow, as busybox and
// dropbear use them too), htpasswd files of web servers, and Mosquitto password files. Each is the same
// on every unit flashed with the image.
import type { FirmwareContext } from '../firmware-check.ts';
import { identifyScheme, type Identification } from './crypt/index.ts';

export interface StoredCredential {
  kind: 'system' | 'htpasswd' | 'mosquitto';
  /** The file and line it was read from. */
  path: string;
  line: number;
  username: string;
  /** The stored password field as it is (a hash, a lock marker or empty). */
  hash: string;
  identification: Identification;
  /** System accounts only: whether the account can log in (a real shell, not nologin or false). */
  loginCapable: boolean;
}

const NO_LOGIN_SHELLS = /(?:^|\/)(?:nologin|false|sync|halt|shutdown|true)$/;
const MAX_LINES = 100_000;

export function storedCredentials(context: FirmwareContext): StoredCredential[] {
  return context.memo('stored-credentials', () => [...systemAccounts(context), ...htpasswdFiles(context), ...mosquittoFiles(context)]);
}

function lines(text: string): string[] {
  return text.split('\n', MAX_LINES).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function systemAccounts(context: FirmwareContext): StoredCredential[] {
  const passwd = context.readText('/etc/passwd');
  if (passwd === undefined) return [];
  const shadowText = context.readText('/etc/shadow');
  const shadow = new Map<string, { hash: string; line: number }>();
  if (shadowText !== undefined) {
    lines(shadowText).forEach((line, i) => {
      const [name, hash] = line.split(':');
      if (name && hash !== undefined && !shadow.has(name)) shadow.set(name, { hash, line: i + 1 });
    });
  }
  const result: StoredCredential[] = [];
  lines(passwd).forEach((line, i) => {
    const fields = line.split(':');
    if (fields.length < 7 || !fields[0] || line.startsWith('#')) return;
    const [username, field, , , , , shell] = fields as [string, string, string, string, string, string, string];
    // "x" means the hash lives in /etc/shadow; anything else is an old-style hash in passwd itself.
    const inShadow = field === 'x' ? shadow.get(username) : undefined;
    if (field === 'x' && !inShadow) return;
    const hash = inShadow ? inShadow.hash : field;
    result.push({
      kind: 'system',
      path: inShadow ? '/etc/shadow' : '/etc/passwd',
      line: inShadow ? inShadow.line : i + 1,
      username,
      hash,
      identification: identifyScheme(hash),
      loginCapable: shell.trim() !== '' && !NO_LOGIN_SHELLS.test(shell.trim()),
    });
  });
  return result;
}

/** `user:hash` lines, as htpasswd and mosquitto_passwd write them. */
function userHashLines(context: FirmwareContext, path: string, kind: StoredCredential['kind']): StoredCredential[] {
  const text = context.readText(path);
  if (text === undefined) return [];
  const result: StoredCredential[] = [];
  lines(text).forEach((line, i) => {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith('#')) return;
    const hash = line.slice(colon + 1).trim();
    result.push({
      kind,
      path,
      line: i + 1,
      username: line.slice(0, colon),
      hash,
      identification: identifyScheme(hash),
      loginCapable: true,
    });
  });
  return result;
}

function htpasswdFiles(context: FirmwareContext): StoredCredential[] {
  const named = context.files((e) => /(?:^|\/)\.?htpasswd[^/]*$|\.htpasswd$/.test(e.path));
  return named.flatMap((e) => userHashLines(context, e.path, 'htpasswd'));
}

/** Password files named by `password_file` in any Mosquitto config, and the customary /etc/mosquitto/passwd. */
function mosquittoFiles(context: FirmwareContext): StoredCredential[] {
  const paths = new Set<string>();
  for (const conf of context.files((e) => /^\/etc\/mosquitto\/.*\.conf$/.test(e.path))) {
    for (const line of lines(context.readText(conf.path) ?? '')) {
      const match = /^\s*password_file\s+(\S+)/.exec(line);
      if (match?.[1]?.startsWith('/')) paths.add(match[1]);
    }
  }
  for (const e of context.files((entry) => /^\/etc\/mosquitto\/(passwd|pwfile|password)[^/]*$/.test(entry.path))) paths.add(e.path);
  return [...paths].flatMap((path) => userHashLines(context, path, 'mosquitto'));
}

/** Shows a hash's scheme and the first few characters of its salt, never the hash itself. */
export function redactHash(hash: string): string {
  if (hash === '') return '(empty)';
  const lastDollar = hash.lastIndexOf('$');
  const prefix = lastDollar > 0 ? hash.slice(0, Math.min(lastDollar, hash.indexOf('$', 1) + 4)) : hash.slice(0, 2);
  return `${prefix}…[redacted]`;
}

/** A password shown only by its first character and length. */
export function redactPassword(password: string): string {
  if (password === '') return '(empty)';
  return `${password[0]}${'*'.repeat(Math.max(0, password.length - 1))} (${password.length} characters)`;
}
