// One TCP (or TLS) connection to a device, read under bounds. A device may be slow, silent, lying or
// flooding: every read has a deadline, and a connection that sends more than its byte budget is cut off.
// Nothing here retries; callers decide what a failure means.
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DataSignal } from './data-signal.ts';

export interface Endpoint {
  host: string;
  port: number;
  /** Set for a UDP port; absent means TCP, which every TCP connection here is. */
  transport?: 'udp';
}

export type ProbeErrorKind = 'timeout' | 'refused' | 'unreachable' | 'closed' | 'too-large' | 'reset' | 'protocol' | 'aborted';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  readonly kind: ProbeErrorKind;
  constructor(kind: ProbeErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface ConnectionOptions {
  connectTimeoutMs: number;
  /** Most bytes accepted from the peer over the connection's life. */
  maxBytes: number;
  signal?: AbortSignal;
}

/** Opens a TCP connection, or fails with a ProbeError saying why (refused, timed out, unreachable). */
export function openSocket(endpoint: Endpoint, options: ConnectionOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new ProbeError('aborted', 'probe aborted'));
    const socket = netConnect({ host: endpoint.host, port: endpoint.port });
    const fail = (error: ProbeError) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    const onAbort = () => fail(new ProbeError('aborted', 'probe aborted'));
    const timer = setTimeout(
      () => fail(new ProbeError('timeout', `no TCP connection within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => fail(socketError(error)));
  });
}

export function socketError(error: NodeJS.ErrnoException): ProbeError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new ProbeError('refused', 'connection refused');
    case 'ECONNRESET':
    case 'EPIPE':
      return new ProbeError('reset', 'connection reset by the peer');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ProbeError('unreachable', `host unreachable (${error.code})`);
    default:
      return new ProbeError('protocol', error.message);
  }
}

/**
 * A stream read in pieces the caller defines: readUntil() waits until a predicate finds a complete
 * message in what has arrived, then consumes it. Bytes beyond it stay buffered for the next read.
 */
export class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private total = 0;
  private ended = false;
  private failure: ProbeError | undefined;
  private readonly arrival = new DataSignal();

  readonly stream: Duplex;
  private readonly maxBytes: number;

  constructor(stream: Duplex, maxBytes: number) {
    this.stream = stream;
    this.maxBytes = maxBytes;
    stream.on('data', (chunk: Buffer) => {
      this.total += chunk.length;
      if (this.total > this.maxBytes) {
        this.failure = new ProbeError('too-large', `the peer sent more than ${this.maxBytes} bytes`);
        stream.destroy();
      } else this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.arrival.notify();
    });
    stream.on('end', () => {
      this.ended = true;
      this.arrival.notify();
    });
    stream.on('close', () => {
      this.ended = true;
      this.arrival.notify();
    });
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.failure ??= error instanceof ProbeError ? error : socketError(error);
      this.arrival.notify();
    });
  }

  static async open(endpoint: Endpoint, options: ConnectionOptions): Promise<Connection> {
    return new Connection(await openSocket(endpoint, options), options.maxBytes);
  }

  /** Bytes received so far over the connection's life. */
  get bytesReceived(): number {
    return this.total;
  }

  /** True once the peer has closed its side (or the connection failed) and nothing is left buffered. */
  get finished(): boolean {
    return (this.ended || this.failure !== undefined) && this.buffer.length === 0;
  }

  /** What has arrived and not yet been consumed, without consuming it. */
  peek(): Buffer {
    return this.buffer;
  }

  write(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stream.destroyed || this.failure) return reject(this.failure ?? new ProbeError('closed', 'connection closed'));
      this.stream.write(data, (error) => (error ? reject(socketError(error as NodeJS.ErrnoException)) : resolve()));
    });
  }

  /**
   * Waits until `complete` returns the length of a complete message at the front of the buffer, and
   * returns that message. Rejects on the deadline, on close before a complete message, and on overflow.
   */
  async readUntil(complete: (buffer: Buffer) => number | undefined, timeoutMs: number, what = 'a reply'): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const length = this.buffer.length > 0 ? complete(this.buffer) : undefined;
      if (length !== undefined) {
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        return message;
      }
      if (this.failure) throw this.failure;
      if (this.ended) throw new ProbeError('closed', `the peer closed the connection before sending ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new ProbeError('timeout', `no ${what} within ${timeoutMs} ms`);
      await this.arrival.wait(left);
    }
  }

  /** Exactly `length` bytes. */
  readBytes(length: number, timeoutMs: number, what?: string): Promise<Buffer> {
    return this.readUntil((b) => (b.length >= length ? length : undefined), timeoutMs, what);
  }

  /** One line ending in \n (returned without \r\n), at most `maxLength` bytes long. */
  async readLine(timeoutMs: number, maxLength = 8192, what = 'a line'): Promise<string> {
    const line = await this.readUntil(
      (b) => {
        const at = b.indexOf(0x0a);
        if (at >= 0 && at < maxLength) return at + 1;
        if (b.length >= maxLength || at >= maxLength) throw new ProbeError('too-large', `${what} is longer than ${maxLength} bytes`);
        return undefined;
      },
      timeoutMs,
      what,
    );
    return line.toString('latin1').replace(/\r?\n$/, '');
  }

  /**
   * Whatever the peer sends until it pauses for `quietMs`, closes, reaches `maxLength` bytes, or `timeoutMs`
   * passes: for banners of unknown shape. Never rejects on silence; returns what came.
   */
  async readAvailable(quietMs: number, timeoutMs: number, maxLength = 8192): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    for (;;) {
      if (this.buffer.length >= maxLength || this.ended || this.failure) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      if (this.buffer.length === seen && seen > 0) break;
      seen = this.buffer.length;
      await this.arrival.wait(seen > 0 ? Math.min(quietMs, left) : left);
    }
    const taken = this.buffer.subarray(0, Math.min(maxLength, this.buffer.length));
    this.buffer = this.buffer.subarray(taken.length);
    return taken;
  }

  close(): void {
    this.stream.destroy();
  }
}
