// Real servers from Debian, started on a free loopback port for a test and stopped after it. Nothing
// here listens beyond loopback (127.0.0.1, or ::1 where a test asks for IPv6), and the probe tests only
// ever name those targets.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LOOPBACK = '127.0.0.1';
export const LOOPBACK_V6 = '::1';
export type LoopbackHost = typeof LOOPBACK | typeof LOOPBACK_V6;

export function freePort(host: LoopbackHost = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function makeTempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `baseline-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Daemon {
  host: string;
  port: number;
  process: ChildProcess;
  /** What the daemon printed so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  command: string;
  /** The arguments, given the port chosen for the daemon. */
  args: (port: number) => string[];
  /** Runs before each start with the chosen port, e.g. to write a config file naming it. */
  prepare?: (port: number) => void;
  env?: Record<string, string>;
  cwd?: string;
  readyTimeoutMs?: number;
  /** The loopback address the daemon is told to listen on (default 127.0.0.1). */
  host?: LoopbackHost;
  /** Picks the port to start on (default: a free TCP port), e.g. a run of free UDP and TCP ports. */
  choosePort?: () => Promise<number>;
  /** Whether the daemon answers yet (default: its TCP port accepts a connection); UDP servers need their own. */
  ready?: (port: number) => Promise<boolean>;
}

function canConnect(host: LoopbackHost, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts the daemon in the foreground and waits until its port accepts connections (a few tries on a port race). */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  let lastError: Error | undefined;
  const host = options.host ?? LOOPBACK;
  const ready = options.ready ?? ((port: number) => canConnect(host, port));
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await (options.choosePort ?? (() => freePort(host)))();
    options.prepare?.(port);
    let output = '';
    const child = spawn(options.command, options.args(port), {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let exited = false;
    // A test process that ends without stopping its daemons (a failed before(), a timeout) takes them along.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => {
      exited = true;
      process.off('exit', reap);
    });
    child.once('error', (error) => {
      exited = true;
      output += String(error);
    });
    const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
    let up = false;
    while (!exited && Date.now() < deadline && !(up = await ready(port))) await new Promise((r) => setTimeout(r, 50));
    if (!exited && up) {
      return {
        host,
        port,
        process: child,
        output: () => output,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          }),
      };
    }
    child.kill('SIGKILL');
    lastError = new Error(`${options.command} did not start on ${host} port ${port}: ${output.trim().slice(-2000)}`);
  }
  throw lastError ?? new Error(`${options.command} did not start`);
}

/**
 * A local account with a known password, for logins over SSH, telnet and FTP. Made once (under a lock,
 * since test files run in parallel); root-only, like the CI runner.
 */
export function ensureLoginUser(name: string, password: string): void {
  execFileSync('flock', [
    '/tmp/baseline-test-users.lock',
    'sh',
    '-c',
    `id -u "$1" >/dev/null 2>&1 || useradd --no-create-home --home-dir /nonexistent --shell /bin/sh "$1"; echo "$1:$2" | chpasswd`,
    'sh',
    name,
    password,
  ]);
}

/** The daemon, whose stop() also removes its temporary folder once it has exited. */
export function removingOnStop<D extends Daemon>(daemon: D, remove: () => void): D {
  return {
    ...daemon,
    stop: async () => {
      await daemon.stop();
      remove();
    },
  };
}
