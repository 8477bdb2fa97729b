// One DTLS handshake attempt over a fresh gated UDP channel: a ClientHello, the server's HelloVerifyRequest
// and the ClientHello again with its cookie (RFC 6347 section 4.2.1), then the server's first flight up to
// ServerHelloDone, read under the probe's deadline and retransmitted with back-off while the server says
// nothing. Nothing is ever finished and no key is needed; the answer is judged like a TLS one (the same
// ServerHello, Certificate and ServerKeyExchange parsers, and takeFlightMessage).
import { randomBytes } from 'node:crypto';
import type { Endpoint } from '../connection.ts';
import { ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { buildDtlsClientHelloBody } from '../tls/client-hello.ts';
import { loadCipherSuites } from '../tls/cipher-suites.ts';
import { type AcceptedHandshake, type HandshakeOffer, type HandshakeOutcome, takeFlightMessage } from '../tls/handshake.ts';
import { alertName, CONTENT_TYPE, HANDSHAKE_TYPE, parseAlert, Reader, TlsParseError } from '../tls/records.ts';
import { parseServerHello } from '../tls/server-hello.ts';
import { dtlsWireVersion, versionOfDtlsWire } from '../tls/versions.ts';
import { exchange, type Heard, type UdpChannel } from '../udp.ts';
import {
  DtlsReassembler,
  encodeDtlsHandshake,
  encodeDtlsRecord,
  HELLO_VERIFY_REQUEST,
  parseDtlsDatagram,
  parseHelloVerifyRequest,
} from './records.ts';
import { printable } from '../service.ts';

/** A DTLS flight is sent in datagrams of about the path MTU; on loopback a whole flight may share one. */
export const MAX_DTLS_DATAGRAM = 20 * 1024;
/** Records read in one attempt: a real server's first flight takes a handful. */
const MAX_RECORDS = 64;

export interface DtlsAttempt {
  outcome: HandshakeOutcome;
  /** True when the server asked for a cookie (HelloVerifyRequest) before answering. */
  cookieExchange: boolean;
  /** The PSK identity hint of a PSK ServerKeyExchange, printable. */
  identityHint?: string;
}

const PSK_KEY_EXCHANGES = new Set(['PSK', 'DHE-PSK', 'ECDHE-PSK', 'RSA-PSK']);

function asProbeError(error: unknown): ProbeError {
  if (error instanceof ProbeError) return error;
  if (error instanceof TlsParseError) return new ProbeError('protocol', `not a DTLS reply: ${error.message}`);
  throw error;
}

type FlightStep = { kind: 'cookie'; cookie: Buffer } | { kind: 'done'; outcome: HandshakeOutcome };

/** Reads one flight's datagrams: a HelloVerifyRequest, or the ServerHello flight, or an alert. */
class FlightReader {
  accepted: AcceptedHandshake | undefined;
  identityHint: string | undefined;
  notDtls = 0;
  private records = 0;
  private readonly reassembler = new DtlsReassembler();
  private readonly cookieAllowed: boolean;
  private readonly offered: ReadonlySet<number>;

  constructor(cookieAllowed: boolean, offered: ReadonlySet<number>) {
    this.cookieAllowed = cookieAllowed;
    this.offered = offered;
  }

  private finish(problem?: string): FlightStep {
    const accepted = this.accepted!;
    return { kind: 'done', outcome: problem ? { ...accepted, flightProblem: problem } : accepted };
  }

  read(datagram: Buffer): Heard<FlightStep> {
    let records;
    try {
      records = parseDtlsDatagram(datagram);
    } catch (error) {
      if (!(error instanceof TlsParseError)) throw error;
      this.notDtls++;
      return undefined;
    }
    let heard = false;
    for (const record of records) {
      if (++this.records > MAX_RECORDS) {
        if (this.accepted) return { answer: this.finish(`more than ${MAX_RECORDS} records before ServerHelloDone`) };
        throw new TlsParseError(`more than ${MAX_RECORDS} records without a ServerHello`);
      }
      // Only epoch 0 is readable without keys; later epochs are another handshake's or encrypted.
      if (record.epoch !== 0) continue;
      heard = true;
      if (record.type === CONTENT_TYPE.alert) {
        const alert = parseAlert(record.fragment);
        if (this.accepted) return { answer: this.finish(`the server sent ${alertName(alert.description)} after its ServerHello`) };
        return { answer: { kind: 'done', outcome: { kind: 'refused', reason: `${alertName(alert.description)} alert` } } };
      }
      if (record.type !== CONTENT_TYPE.handshake) {
        if (this.accepted) return { answer: this.finish() };
        continue;
      }
      let messages;
      try {
        messages = this.reassembler.push(record.fragment);
      } catch (error) {
        if (this.accepted && error instanceof TlsParseError) return { answer: this.finish(error.message) };
        throw error;
      }
      for (const message of messages) {
        if (!this.accepted) {
          if (message.type === HELLO_VERIFY_REQUEST) {
            const { cookie } = parseHelloVerifyRequest(message.body);
            if (this.cookieAllowed) return { answer: { kind: 'cookie', cookie } };
            continue; // a retransmitted HelloVerifyRequest
          }
          if (message.type !== HANDSHAKE_TYPE.serverHello) throw new TlsParseError(`handshake message ${message.type} before ServerHello`);
          const hello = parseServerHello(message.body);
          // A suite this hello did not offer means the flight answers another hello: a session the server
          // still keeps for this address and port from an earlier attempt, whose source port was reused.
          if (!this.offered.has(hello.cipherSuite)) {
            throw new TlsParseError(
              `a ServerHello chose suite 0x${hello.cipherSuite.toString(16).padStart(4, '0')}, which this hello did not offer`,
            );
          }
          const version = versionOfDtlsWire(hello.wireVersion);
          this.accepted = {
            kind: 'accepted',
            hello: { ...hello, version },
            certificates: [],
            clientCertificateRequested: false,
          };
          if (version === undefined) return { answer: this.finish() };
          continue;
        }
        try {
          if (message.type === HANDSHAKE_TYPE.serverKeyExchange) this.readIdentityHint(message.body);
          if (takeFlightMessage(this.accepted, message)) return { answer: this.finish() };
        } catch (error) {
          if (error instanceof TlsParseError) return { answer: this.finish(error.message) };
          throw error;
        }
      }
    }
    return heard ? { acknowledged: true } : undefined;
  }

  private readIdentityHint(body: Buffer): void {
    const kx = loadCipherSuites().byCode.get(this.accepted!.hello.cipherSuite)?.keyExchange;
    if (!kx || !PSK_KEY_EXCHANGES.has(kx)) return;
    const hint = new Reader(body, 'PSK identity hint').vector(2);
    this.identityHint = printable(hint, 120);
  }
}

/** DTLS 1.0 on the record layer of every hello, as TLS clients put TLS 1.0 there: any server reads it. */
const HELLO_RECORD_VERSION = dtlsWireVersion('TLSv1.1');

async function readFlight(
  channel: UdpChannel,
  reader: FlightReader,
  datagram: () => Buffer,
  timeoutMs: number,
): Promise<{ step: FlightStep | undefined; transmissions: number }> {
  const result = await exchange(channel, datagram, (d) => reader.read(d), timeoutMs);
  if (result.answer) return { step: result.answer, transmissions: result.transmissions };
  if (reader.accepted)
    return {
      step: { kind: 'done', outcome: { ...reader.accepted, flightProblem: `no ServerHelloDone within ${timeoutMs} ms` } },
      transmissions: result.transmissions,
    };
  return { step: undefined, transmissions: result.transmissions };
}

export async function attemptDtlsHandshake(context: ProbeContext, endpoint: Endpoint, offer: HandshakeOffer): Promise<DtlsAttempt> {
  let channel: UdpChannel;
  try {
    channel = await context.openUdp(endpoint, { maxDatagramBytes: MAX_DTLS_DATAGRAM });
  } catch (error) {
    return { outcome: { kind: 'failed', error: asProbeError(error) }, cookieExchange: false };
  }
  const random = randomBytes(32);
  let recordSequence = 0;
  let messageSeq = 0;
  let cookie: Buffer = Buffer.alloc(0);
  // Each transmission, retransmissions included, is a new record with the next sequence number.
  const hello = () =>
    encodeDtlsRecord(
      CONTENT_TYPE.handshake,
      HELLO_RECORD_VERSION,
      recordSequence++,
      encodeDtlsHandshake(HANDSHAKE_TYPE.clientHello, messageSeq, buildDtlsClientHelloBody(offer, { random, cookie })),
    );
  const timeoutMs = context.limits.readTimeoutMs;
  let cookieExchange = false;
  const offered = new Set(offer.suites);
  let reader = new FlightReader(true, offered);
  try {
    let { step, transmissions } = await readFlight(channel, reader, hello, timeoutMs);
    if (step?.kind === 'cookie') {
      cookieExchange = true;
      cookie = step.cookie;
      messageSeq = 1;
      reader = new FlightReader(false, offered);
      ({ step, transmissions } = await readFlight(channel, reader, hello, timeoutMs));
    }
    if (!step || step.kind === 'cookie') {
      const garbage = reader.notDtls > 0 ? ` (${reader.notDtls} datagram${reader.notDtls === 1 ? '' : 's'} that were not DTLS)` : '';
      throw new ProbeError(
        'timeout',
        `no DTLS answer within ${timeoutMs} ms to ${transmissions} ClientHello${transmissions === 1 ? '' : 's'}${garbage}`,
      );
    }
    return { outcome: step.outcome, cookieExchange, ...(reader.identityHint !== undefined ? { identityHint: reader.identityHint } : {}) };
  } catch (error) {
    return { outcome: { kind: 'failed', error: asProbeError(error) }, cookieExchange };
  } finally {
    channel.close();
  }
}

/**
 * A ClientHello offering DTLS 1.2 and 1.0 with every suite: 'dtls' when the answer is DTLS records (a
 * HelloVerifyRequest, a ServerHello, an alert), 'closed' on ICMP port unreachable, 'silent' otherwise
 * (also when the channel is closed under it: `opened` hands it to a caller that may stop the wait).
 * Only an aborted probe rejects.
 */
export async function speaksDtls(
  context: ProbeContext,
  endpoint: Endpoint,
  suites: number[],
  opened?: (channel: UdpChannel) => void,
): Promise<'dtls' | 'closed' | 'silent'> {
  let channel: UdpChannel | undefined;
  try {
    channel = await context.openUdp(endpoint, { maxDatagramBytes: MAX_DTLS_DATAGRAM });
    opened?.(channel);
    const random = randomBytes(32);
    let sequence = 0;
    const body = buildDtlsClientHelloBody(
      { versions: ['TLSv1.2', 'TLSv1.1'], suites, serverName: endpoint.host },
      { random, cookie: Buffer.alloc(0) },
    );
    const hello = () =>
      encodeDtlsRecord(CONTENT_TYPE.handshake, HELLO_RECORD_VERSION, sequence++, encodeDtlsHandshake(HANDSHAKE_TYPE.clientHello, 0, body));
    const result = await exchange(
      channel,
      hello,
      (datagram) => {
        try {
          return parseDtlsDatagram(datagram).length > 0 ? { answer: true } : undefined;
        } catch (error) {
          if (error instanceof TlsParseError) return undefined;
          throw error;
        }
      },
      context.limits.readTimeoutMs,
    );
    return result.answer ? 'dtls' : 'silent';
  } catch (error) {
    if (!(error instanceof ProbeError) || error.kind === 'aborted') throw error;
    return error.kind === 'refused' ? 'closed' : 'silent';
  } finally {
    channel?.close();
  }
}
