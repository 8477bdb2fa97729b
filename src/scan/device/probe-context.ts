// What every part of the probe shares: the limits, a gate that every new connection passes (at most
// `concurrency` open at once, at most `connectionsPerSecond` opened per host), the login budget, and
// progress. Libraries that open their own sockets (ssh2) are handed a socket opened through the gate.
// A UDP channel holds a slot like a connection, and every datagram it sends counts against the per-host
// rate as a new connection would.
import type { Socket } from 'node:net';
import type { ProductIdentity, DefaultCredentials } from '../firmware/accounts/default-credentials.ts';
import { Connection, type Endpoint, openSocket, ProbeError } from './connection.ts';
import type { ProbeLimits } from './limits.ts';
import { endpointText } from './target.ts';
import { DEFAULT_MAX_DATAGRAM_BYTES, DEFAULT_MAX_DATAGRAMS, UdpChannel, type UdpChannelOptions } from './udp.ts';

/** Counts connections in flight and spaces out new ones per host. */
export class ConnectionGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly nextSlot = new Map<string, number>();

  private readonly concurrency: number;
  private readonly perSecond: number;

  constructor(concurrency: number, perSecond: number) {
    this.concurrency = concurrency;
    this.perSecond = perSecond;
  }

  /** Waits for a free slot and the host's next start time; returns the function that frees the slot. */
  async acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    while (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    await this.pace(host, signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }

  /** Waits for the host's next start time without taking a slot (a datagram on a channel already open). */
  async pace(host: string, signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const start = Math.max(now, this.nextSlot.get(host) ?? 0);
    this.nextSlot.set(host, start + 1000 / this.perSecond);
    if (start > now) await sleep(start - now, signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** One login tried against a service, kept so that the report can say how many were made and how. */
export interface LoginAttempt {
  endpoint: Endpoint;
  protocol: string;
  username: string;
  /** Whether the device accepted it. */
  accepted: boolean;
  /** Why the attempt could not be judged, when it could not (the connection dropped, a timeout). */
  error?: string;
  purpose: 'default-credentials' | 'brute-force';
}

export interface ProbeContext {
  limits: ProbeLimits;
  /** False with --no-login: no credential is ever sent. */
  login: boolean;
  credentials: DefaultCredentials;
  /** The product's name and model, tried as passwords after the list. */
  product?: ProductIdentity;
  signal: AbortSignal;
  progress(line: string): void;
  /** A bounded, gated connection (released when it closes). */
  connect(endpoint: Endpoint): Promise<Connection>;
  /** A raw socket opened through the gate, for libraries that speak the protocol themselves. */
  openGatedSocket(endpoint: Endpoint): Promise<Socket>;
  /**
   * A bounded UDP channel to the endpoint, through the gate: it holds a slot until closed, and each datagram
   * it sends after the first waits for the host's rate. `maxDatagramBytes` defaults to 4 KiB.
   */
  openUdp(endpoint: Endpoint, options?: Partial<Pick<UdpChannelOptions, 'maxDatagramBytes' | 'maxDatagrams'>>): Promise<UdpChannel>;
  /** Every login attempt made, in order. */
  attempts: LoginAttempt[];
  /** True while another login may be tried on this endpoint under maxLoginAttempts (default-credential logins). */
  mayTryLogin(endpoint: Endpoint): boolean;
  /** Default-credential logins still allowed on this endpoint (0 with --no-login). */
  loginsLeft(endpoint: Endpoint): number;
  record(attempt: LoginAttempt): void;
}

export interface ProbeContextOptions {
  limits: ProbeLimits;
  login: boolean;
  credentials: DefaultCredentials;
  product?: ProductIdentity;
  signal?: AbortSignal;
  progress?: (line: string) => void;
}

export function createProbeContext(options: ProbeContextOptions): ProbeContext {
  const { limits } = options;
  const gate = new ConnectionGate(limits.concurrency, limits.connectionsPerSecond);
  const signal = options.signal ?? new AbortController().signal;
  const attempts: LoginAttempt[] = [];
  const openGatedSocket = async (endpoint: Endpoint): Promise<Socket> => {
    const release = await gate.acquire(endpoint.host, signal);
    try {
      const socket = await openSocket(endpoint, {
        connectTimeoutMs: limits.connectTimeoutMs,
        maxBytes: limits.maxBytesPerConnection,
        signal,
      });
      socket.once('close', release);
      return socket;
    } catch (error) {
      release();
      throw error;
    }
  };
  const loginsOn = (endpoint: Endpoint) =>
    attempts.filter((a) => a.purpose === 'default-credentials' && a.endpoint.host === endpoint.host && a.endpoint.port === endpoint.port)
      .length;
  return {
    limits,
    login: options.login,
    credentials: options.credentials,
    ...(options.product ? { product: options.product } : {}),
    signal,
    progress: options.progress ?? (() => {}),
    openGatedSocket,
    connect: async (endpoint) => new Connection(await openGatedSocket(endpoint), limits.maxBytesPerConnection),
    openUdp: async (endpoint, options) => {
      const release = await gate.acquire(endpoint.host, signal);
      try {
        return await UdpChannel.open(endpoint, {
          maxBytes: limits.maxBytesPerConnection,
          maxDatagramBytes: options?.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES,
          maxDatagrams: options?.maxDatagrams ?? DEFAULT_MAX_DATAGRAMS,
          signal,
          pace: () => gate.pace(endpoint.host, signal),
          onClose: release,
        });
      } catch (error) {
        release();
        throw error;
      }
    },
    attempts,
    mayTryLogin: (endpoint) => options.login && loginsOn(endpoint) < limits.maxLoginAttempts,
    loginsLeft: (endpoint) => (options.login ? Math.max(0, limits.maxLoginAttempts - loginsOn(endpoint)) : 0),
    record: (attempt) => {
      if (!options.login)
        throw new ProbeError('aborted', `login attempted on ${endpointText(attempt.endpoint.host, attempt.endpoint.port)} with --no-login`);
      attempts.push(attempt);
    },
  };
}
