// SSH user authentication through ssh2, over a socket opened through the probe's gate: which methods
// the server offers (an auth "none" request is answered with the list, RFC 4252 section 5.2), and
// single password or keyboard-interactive logins for the shared default-credential and brute-force code.
// Every ssh2 session has ssh2's own readyTimeout and an overall timer of ours, and is always torn down.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { type AnyAuthMethod, type AuthenticationType, Client, type ConnectConfig } from 'ssh2';
import type { Endpoint } from '../connection.ts';
import type { LoginResult, LoginSurface } from '../login.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { IdentifiedService } from '../service.ts';
import { CLIENT_IDENTIFICATION } from './key-exchange.ts';

interface Ssh2Constants {
  SUPPORTED_KEX: string[];
  SUPPORTED_SERVER_HOST_KEY: string[];
  SUPPORTED_CIPHER: string[];
  SUPPORTED_MAC: string[];
  SUPPORTED_COMPRESSION: string[];
}

// ssh2 only offers its modern defaults unless told otherwise; an old device may speak nothing else
// than group1, CBC and ssh-rsa, so everything ssh2 supports (on this Node) is offered.
const ssh2Constants = createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as Ssh2Constants;

/**
 * Key exchanges cheapest first. The login timings measure the server, so the client's own work must
 * stay small: group exchange can hand out an 8192-bit prime that costs seconds per login, which would
 * pass for a deliberate delay. These sessions carry only public default passwords and random ones.
 */
function kexCost(name: string): number {
  const order: [RegExp, number][] = [
    [/^curve25519/, 0],
    [/^ecdh-/, 1],
    [/^diffie-hellman-group14-/, 2],
    [/^diffie-hellman-group16-/, 3],
    [/^diffie-hellman-group-exchange-/, 4],
    [/^diffie-hellman-group1-/, 6],
  ];
  return order.find(([pattern]) => pattern.test(name))?.[1] ?? 5;
}

export const SSH2_ALGORITHMS = {
  kex: [...ssh2Constants.SUPPORTED_KEX].sort((a, b) => kexCost(a) - kexCost(b)),
  serverHostKey: ssh2Constants.SUPPORTED_SERVER_HOST_KEY,
  cipher: ssh2Constants.SUPPORTED_CIPHER,
  hmac: ssh2Constants.SUPPORTED_MAC,
  compress: ssh2Constants.SUPPORTED_COMPRESSION,
};

/** How one ssh2 session ended. */
export type Ssh2Outcome =
  | { kind: 'authenticated' }
  | { kind: 'rejected'; methodsLeft: string[] }
  /** The session failed before the server judged the login: `handshake` when ssh2 could not agree algorithms. */
  | { kind: 'error'; message: string; handshake: boolean };

interface SessionPlan {
  username: string;
  /** The one method to try; ssh2 asks again after a failure, and is then told to stop. */
  method: AnyAuthMethod;
  /** A password change demanded after a correct password counts as a login (the old password worked). */
  changeRequestIsSuccess?: boolean;
}

/** Opens one ssh2 session, tries one authentication method, and reports how it ended. Never rejects. */
export async function runSsh2Session(context: ProbeContext, endpoint: Endpoint, plan: SessionPlan): Promise<Ssh2Outcome> {
  let socket: Socket;
  try {
    socket = await context.openGatedSocket(endpoint);
  } catch (error) {
    return { kind: 'error', message: (error as Error).message, handshake: false };
  }
  const timeoutMs = context.limits.readTimeoutMs * 2;
  return new Promise<Ssh2Outcome>((resolve) => {
    const client = new Client();
    let settled = false;
    let methodsLeft: string[] = [];
    const finish = (outcome: Ssh2Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
      client.removeAllListeners();
      // Late errors from a torn-down session must not surface as unhandled 'error' events.
      client.on('error', () => {});
      client.end();
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ kind: 'error', message: `no SSH login result within ${timeoutMs} ms`, handshake: false }),
      timeoutMs,
    );
    const onAbort = () => finish({ kind: 'error', message: 'probe aborted', handshake: false });
    context.signal.addEventListener('abort', onAbort, { once: true });
    let asked = 0;
    const authHandler = (left: AuthenticationType[] | null, _partial: boolean | null, next: (auth: AnyAuthMethod | false) => void) => {
      asked++;
      if (left) methodsLeft = [...left];
      if (asked === 1) return next(plan.method);
      // The one attempt failed: stop here, ssh2 then reports 'All configured authentication methods failed'.
      return next(false);
    };
    client.on('ready', () => finish({ kind: 'authenticated' }));
    client.on('change password', () => {
      finish(plan.changeRequestIsSuccess ? { kind: 'authenticated' } : { kind: 'rejected', methodsLeft });
    });
    client.on('error', (error: Error & { level?: string; code?: number }) => {
      if (error.level === 'client-authentication') return finish({ kind: 'rejected', methodsLeft });
      const handshake = error.level === 'handshake' || /handshake failed|no matching/i.test(error.message);
      const message = error.code !== undefined ? `the server disconnected: ${error.message}` : error.message;
      finish({ kind: 'error', message, handshake });
    });
    client.on('close', () =>
      finish({ kind: 'error', message: 'the server closed the connection before a login result', handshake: false }),
    );
    const config: ConnectConfig = {
      sock: socket,
      username: plan.username,
      readyTimeout: timeoutMs,
      ident: CLIENT_IDENTIFICATION.replace(/^SSH-2\.0-/, ''),
      algorithms: SSH2_ALGORITHMS as ConnectConfig['algorithms'],
      authHandler: authHandler as ConnectConfig['authHandler'],
      keepaliveInterval: 0,
    };
    try {
      client.connect(config);
    } catch (error) {
      finish({ kind: 'error', message: (error as Error).message, handshake: false });
    }
  });
}

export interface SshAuthMethods {
  username: string;
  /** The methods the server lists, e.g. ["publickey", "password"]. */
  methods: string[];
  /** The server let the user in without any authentication. */
  noneAccepted: boolean;
}

/** Asks for the authentication methods with an auth "none" request; throws an Error with the reason when it could not. */
export async function sshAuthMethods(context: ProbeContext, endpoint: Endpoint, username: string): Promise<SshAuthMethods> {
  const outcome = await runSsh2Session(context, endpoint, { username, method: { type: 'none', username } });
  if (outcome.kind === 'authenticated') return { username, methods: [], noneAccepted: true };
  if (outcome.kind === 'rejected') return { username, methods: outcome.methodsLeft, noneAccepted: false };
  throw new Ssh2SessionError(outcome.message, outcome.handshake);
}

export class Ssh2SessionError extends Error {
  override readonly name = 'Ssh2SessionError';
  readonly handshake: boolean;
  constructor(message: string, handshake: boolean) {
    super(message);
    this.handshake = handshake;
  }
}

export type SshPasswordMethod = 'password' | 'keyboard-interactive';

/** Prompt rounds answered in one keyboard-interactive login before giving up. */
const MAX_PROMPT_ROUNDS = 3;

/** A LoginSurface making one SSH login per connection with `method`. */
export function sshLoginSurface(service: IdentifiedService, context: ProbeContext, method: SshPasswordMethod): LoginSurface {
  return {
    service,
    method: method === 'password' ? 'SSH password' : 'SSH keyboard-interactive',
    acceptsUsername: (username) => username !== '',
    async login(username: string, password: string): Promise<LoginResult> {
      let rounds = 0;
      const auth: AnyAuthMethod =
        method === 'password'
          ? { type: 'password', username, password }
          : {
              type: 'keyboard-interactive',
              username,
              prompt: (_name, _instructions, _lang, prompts, finish) => {
                rounds++;
                // Every prompt gets the password (PAM asks "Password:"); a server that keeps asking gets nothing.
                finish(rounds > MAX_PROMPT_ROUNDS ? [] : prompts.map(() => password));
              },
            };
      const outcome = await runSsh2Session(context, service.endpoint, { username, method: auth, changeRequestIsSuccess: true });
      if (outcome.kind === 'authenticated') return { accepted: true };
      if (outcome.kind === 'rejected') return { accepted: false };
      return { accepted: false, error: outcome.message };
    },
  };
}

/** The method a password guesser would use: password when offered, keyboard-interactive when only that is. */
export function passwordMethod(methods: readonly string[]): SshPasswordMethod | undefined {
  if (methods.includes('password')) return 'password';
  if (methods.includes('keyboard-interactive')) return 'keyboard-interactive';
  return undefined;
}
