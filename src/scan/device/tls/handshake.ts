// One handshake attempt: a fresh gated connection, one ClientHello, and the server's first flight read under
// a single deadline, up to ServerHelloDone (TLS 1.2 and older) or the ServerHello (TLS 1.3, whose rest is
// encrypted). The connection is then dropped; nothing is ever finished. A refusal (an alert, or a close
// before any byte) is an answer; silence, garbage and floods are failures.
import type { Connection, Endpoint } from '../connection.ts';
import { ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { buildClientHello } from './client-hello.ts';
import { loadCipherSuites } from './cipher-suites.ts';
import {
  alertName,
  completeRecordLength,
  CONTENT_TYPE,
  HANDSHAKE_TYPE,
  type HandshakeMessage,
  HandshakeReassembler,
  parseAlert,
  parseRecord,
  TlsParseError,
} from './records.ts';
import {
  type KeyExchangeParameters,
  parseCertificateMessage,
  parseServerHello,
  parseServerKeyExchange,
  type ServerHello,
} from './server-hello.ts';
import type { TlsVersion } from './versions.ts';

export interface HandshakeOffer {
  versions: TlsVersion[];
  suites: number[];
  serverName?: string;
}

export interface AcceptedHandshake {
  kind: 'accepted';
  hello: ServerHello;
  /** DER certificates from the Certificate message (TLS 1.2 and older), leaf first. */
  certificates: Buffer[];
  keyExchange?: KeyExchangeParameters;
  clientCertificateRequested: boolean;
  /** Why the rest of the flight after the ServerHello could not be read, when it could not. */
  flightProblem?: string;
}

export type HandshakeOutcome = AcceptedHandshake | { kind: 'refused'; reason: string } | { kind: 'failed'; error: ProbeError };

/** Most records read in one flight: a real server's first flight takes a handful. */
const MAX_RECORDS = 64;

function asProbeError(error: unknown): ProbeError {
  if (error instanceof ProbeError) return error;
  if (error instanceof TlsParseError) return new ProbeError('protocol', `not a TLS reply: ${error.message}`);
  throw error;
}

export async function attemptHandshake(context: ProbeContext, endpoint: Endpoint, offer: HandshakeOffer): Promise<HandshakeOutcome> {
  let connection: Connection;
  try {
    connection = await context.connect(endpoint);
  } catch (error) {
    return { kind: 'failed', error: asProbeError(error) };
  }
  try {
    await connection.write(buildClientHello(offer));
    return await readFlight(connection, context.limits.readTimeoutMs);
  } catch (error) {
    const failure = asProbeError(error);
    // Some servers answer an unwanted version or suite list by hanging up rather than with an alert.
    if ((failure.kind === 'closed' || failure.kind === 'reset') && connection.bytesReceived === 0) {
      return { kind: 'refused', reason: 'closed the connection without answering' };
    }
    return { kind: 'failed', error: failure };
  } finally {
    connection.close();
  }
}

/**
 * Folds one handshake message of the server's first flight (after its ServerHello) into what was seen:
 * the certificate chain, the key exchange group, a client certificate request. True at ServerHelloDone.
 * Throws TlsParseError on a malformed message. Shared by the TLS and DTLS handshakes.
 */
export function takeFlightMessage(accepted: AcceptedHandshake, message: HandshakeMessage): boolean {
  if (message.type === HANDSHAKE_TYPE.certificate) accepted.certificates = parseCertificateMessage(message.body);
  else if (message.type === HANDSHAKE_TYPE.serverKeyExchange) {
    const kx = loadCipherSuites().byCode.get(accepted.hello.cipherSuite)?.keyExchange;
    const parameters = kx ? parseServerKeyExchange(message.body, kx) : undefined;
    if (parameters) accepted.keyExchange = parameters;
  } else if (message.type === HANDSHAKE_TYPE.certificateRequest) accepted.clientCertificateRequested = true;
  else if (message.type === HANDSHAKE_TYPE.serverHelloDone) return true;
  return false;
}

async function readFlight(connection: Connection, timeoutMs: number): Promise<HandshakeOutcome> {
  const deadline = Date.now() + timeoutMs;
  const reassembler = new HandshakeReassembler();
  let accepted: AcceptedHandshake | undefined;
  const finish = (problem?: string): AcceptedHandshake => (problem && accepted ? { ...accepted, flightProblem: problem } : accepted!);

  for (let records = 0; ; records++) {
    if (records >= MAX_RECORDS) {
      if (accepted) return finish(`more than ${MAX_RECORDS} records before ServerHelloDone`);
      throw new TlsParseError(`more than ${MAX_RECORDS} records without a ServerHello`);
    }
    let raw: Buffer;
    try {
      raw = await connection.readUntil(completeRecordLength, Math.max(1, deadline - Date.now()), 'TLS data');
    } catch (error) {
      if (accepted) return finish(asProbeError(error).message);
      throw error;
    }
    const record = parseRecord(raw);
    if (record.type === CONTENT_TYPE.alert) {
      const alert = parseAlert(record.fragment);
      if (accepted) return finish(`the server sent ${alertName(alert.description)} after its ServerHello`);
      return { kind: 'refused', reason: `${alertName(alert.description)} alert` };
    }
    if (record.type !== CONTENT_TYPE.handshake) {
      if (accepted) return finish();
      throw new TlsParseError(`content type ${record.type} before any ServerHello`);
    }
    let messages;
    try {
      messages = reassembler.push(record.fragment);
    } catch (error) {
      if (accepted && error instanceof TlsParseError) return finish(error.message);
      throw error;
    }
    for (const message of messages) {
      if (!accepted) {
        if (message.type !== HANDSHAKE_TYPE.serverHello) throw new TlsParseError(`handshake message ${message.type} before ServerHello`);
        const hello = parseServerHello(message.body);
        accepted = { kind: 'accepted', hello, certificates: [], clientCertificateRequested: false };
        // TLS 1.3 (and its retry request) goes encrypted from here: the ServerHello is all there is to read.
        if (hello.helloRetryRequest || hello.version === 'TLSv1.3' || hello.version === undefined) return accepted;
        continue;
      }
      try {
        if (takeFlightMessage(accepted, message)) return accepted;
      } catch (error) {
        if (error instanceof TlsParseError) return finish(error.message);
        throw error;
      }
    }
  }
}
