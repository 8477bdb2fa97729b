// One UDP "connection" to a device: a connected datagram socket read under bounds. UDP has no handshake,
// so a peer may stay silent, answer with ICMP port unreachable (a closed port), send garbage, send
// datagrams far larger than any real answer, or flood. Every read has a deadline, a datagram over the size
// bound is dropped unread, and a channel that receives more than its byte or datagram budget is cut off.
// Datagrams are only ever sent to the one endpoint named; the socket accepts replies from it alone.
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type Endpoint, ProbeError, socketError } from './connection.ts';
import { DataSignal } from './data-signal.ts';

/** A CoAP message is at most about 1.2 KB (RFC 7252 section 4.6); a DTLS flight's datagrams are larger. */
export const DEFAULT_MAX_DATAGRAM_BYTES = 4096;
/** Datagrams accepted on one channel: far beyond any exchange the probe makes, short of a flood. */
export const DEFAULT_MAX_DATAGRAMS = 2048;
/** Datagrams kept unread at once; a burst beyond it loses its oldest, as a socket buffer would. */
const MAX_QUEUED = 256;

export interface UdpChannelOptions {
  /** Most bytes accepted from the peer over the channel's life (dropped datagrams count too). */
  maxBytes: number;
  /** Datagrams larger than this are dropped unread and counted in `oversized`. */
  maxDatagramBytes: number;
  /** Most datagrams accepted over the channel's life. */
  maxDatagrams: number;
  signal?: AbortSignal;
  /** Awaited before each datagram after the first: the probe's per-host rate. */
  pace?: () => Promise<void>;
  /** Called once when the channel closes (the gate's slot). */
  onClose?: () => void;
}

export class UdpChannel {
  /** Bytes and datagrams received so far, all of them. */
  bytesReceived = 0;
  datagramsReceived = 0;
  /** Datagrams dropped for their size. */
  oversized = 0;
  /** Datagrams a reader looked at and did not want (wrong id, garbage, duplicates). */
  ignored = 0;
  /** Datagrams sent. */
  sent = 0;

  private readonly socket: Socket;
  private readonly options: UdpChannelOptions;
  private queue: Buffer[] = [];
  private failure: ProbeError | undefined;
  private closed = false;
  private readonly arrival = new DataSignal();
  private readonly onAbort = () => this.fail(new ProbeError('aborted', 'probe aborted'));

  private constructor(socket: Socket, options: UdpChannelOptions) {
    this.socket = socket;
    this.options = options;
    socket.on('message', (datagram: Buffer) => this.take(datagram));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.fail(
        error.code === 'ECONNREFUSED' ? new ProbeError('refused', 'the port answered ICMP port unreachable (closed)') : socketError(error),
      );
    });
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Opens a socket connected to the endpoint (resolving a host name first). Nothing is sent yet. */
  static async open(endpoint: Endpoint, options: UdpChannelOptions): Promise<UdpChannel> {
    if (options.signal?.aborted) throw new ProbeError('aborted', 'probe aborted');
    let address = endpoint.host;
    let family = isIP(address);
    if (family === 0) {
      try {
        ({ address, family } = await lookup(endpoint.host));
      } catch (error) {
        throw socketError(error as NodeJS.ErrnoException);
      }
    }
    const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.close();
        reject(socketError(error));
      };
      socket.once('error', onError);
      socket.connect(endpoint.port, address, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    return new UdpChannel(socket, options);
  }

  /** True once the channel failed or was closed. */
  get finished(): boolean {
    return this.closed || this.failure !== undefined;
  }

  async send(datagram: Buffer): Promise<void> {
    if (this.sent > 0) await this.options.pace?.();
    if (this.failure) throw this.failure;
    if (this.closed) throw new ProbeError('closed', 'the UDP channel is closed');
    this.sent++;
    await new Promise<void>((resolve, reject) => {
      this.socket.send(datagram, (error) => {
        if (!error) return resolve();
        const failure =
          (error as NodeJS.ErrnoException).code === 'ECONNREFUSED'
            ? new ProbeError('refused', 'the port answered ICMP port unreachable (closed)')
            : socketError(error as NodeJS.ErrnoException);
        this.fail(failure);
        reject(failure);
      });
    });
  }

  /**
   * The first datagram (queued or arriving) that `accept` turns into a value, or undefined when `timeoutMs`
   * passes first. Datagrams it returns undefined for are dropped and counted in `ignored`. Rejects when the
   * channel fails: a closed port, a flood, an abort.
   */
  async receive<T>(accept: (datagram: Buffer) => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let datagram = this.queue.shift(); datagram; datagram = this.queue.shift()) {
        const value = accept(datagram);
        if (value !== undefined) return value;
        this.ignored++;
      }
      if (this.failure) throw this.failure;
      if (this.closed) throw new ProbeError('closed', 'the UDP channel is closed');
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await this.arrival.wait(left);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.queue = [];
    try {
      this.socket.close();
    } catch {
      // already closed by a failure
    }
    this.options.onClose?.();
    this.arrival.notify();
  }

  private take(datagram: Buffer): void {
    if (this.finished) return;
    this.bytesReceived += datagram.length;
    this.datagramsReceived++;
    if (this.bytesReceived > this.options.maxBytes) {
      this.fail(new ProbeError('too-large', `the peer sent more than ${this.options.maxBytes} bytes`));
    } else if (this.datagramsReceived > this.options.maxDatagrams) {
      this.fail(new ProbeError('too-large', `the peer sent more than ${this.options.maxDatagrams} datagrams`));
    } else if (datagram.length > this.options.maxDatagramBytes) {
      this.oversized++;
    } else {
      if (this.queue.length >= MAX_QUEUED) {
        this.queue.shift();
        this.ignored++;
      }
      this.queue.push(datagram);
      this.arrival.notify();
    }
  }

  private fail(error: ProbeError): void {
    this.failure ??= error;
    this.queue = [];
    this.arrival.notify();
  }
}

/** Most retransmissions of one message: RFC 7252's MAX_RETRANSMIT (RFC 6347 retransmits a flight alike). */
export const MAX_RETRANSMIT = 4;

/**
 * The wait before the first retransmission: an eighth of the reply deadline, between 100 ms and RFC 7252's
 * ACK_TIMEOUT of 2 s. Each later wait doubles (the exponential back-off of RFC 7252 section 4.2 and RFC 6347
 * section 4.2.4.1), so every transmission falls within the probe's reply deadline (--timeout) rather than
 * RFC 7252's exchange lifetime of 247 s. No random factor: one probe is no crowd to spread out.
 */
export function firstRetransmitMs(timeoutMs: number): number {
  return Math.min(2000, Math.max(100, Math.floor(timeoutMs / 8)));
}

/** What a reader makes of one datagram of an exchange: the answer, a sign the peer heard us, or nothing. */
export type Heard<T> = { answer: T } | { acknowledged: true } | undefined;

export interface ExchangeResult<T> {
  /** The answer; undefined when the deadline passed first. */
  answer: T | undefined;
  transmissions: number;
  /** True when the peer acknowledged the message without answering it yet (and so was not sent it again). */
  acknowledged: boolean;
}

/**
 * Sends `datagram()` and retransmits it with back-off until `read` finds an answer or an acknowledgement,
 * or `timeoutMs` passes. Datagrams `read` returns undefined for are ignored. Rejects only when the channel
 * fails (a closed port, a flood, an abort) or `read` throws.
 */
export async function exchange<T>(
  channel: UdpChannel,
  datagram: () => Buffer,
  read: (datagram: Buffer) => Heard<T>,
  timeoutMs: number,
): Promise<ExchangeResult<T>> {
  const start = Date.now();
  const deadline = start + timeoutMs;
  let wait = firstRetransmitMs(timeoutMs);
  let transmissions = 0;
  let acknowledged = false;
  let resendAt = start;
  for (;;) {
    const now = Date.now();
    if (!acknowledged && now >= resendAt && transmissions <= MAX_RETRANSMIT && now < deadline) {
      await channel.send(datagram());
      transmissions++;
      resendAt = Date.now() + wait;
      wait *= 2;
    }
    const until = acknowledged || transmissions > MAX_RETRANSMIT ? deadline : Math.min(deadline, resendAt);
    const heard = await channel.receive(read, Math.max(0, until - Date.now()));
    if (heard && 'answer' in heard) return { answer: heard.answer, transmissions, acknowledged };
    if (heard) acknowledged = true;
    if (Date.now() >= deadline) return { answer: undefined, transmissions, acknowledged };
  }
}
