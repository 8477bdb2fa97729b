// DTLS framing (RFC 6347 sections 4.1 and 4.2.2): records carry an epoch and a sequence number, handshake
// messages a message_seq and may arrive in fragments, several records share a datagram and a record never
// spans two. Everything read comes from an untrusted peer: every length is checked before anything is
// sliced, reassembly is bounded in messages and bytes, and anything malformed is a TlsParseError.
import { CONTENT_TYPE, HANDSHAKE_TYPE, type HandshakeMessage, MAX_HANDSHAKE_LENGTH, Reader, TlsParseError } from '../tls/records.ts';

export const DTLS_RECORD_HEADER = 13;
export const DTLS_HANDSHAKE_HEADER = 12;
export const HELLO_VERIFY_REQUEST = 3;
/** A DTLS record's fragment, like TLS's, is at most 2^14 bytes plus expansion. */
const MAX_DTLS_RECORD = 16384 + 2048;
/** Handshake messages held while waiting for their other fragments or for earlier messages. */
const MAX_PENDING_MESSAGES = 16;
/** Bytes held for them in all: a first flight with a certificate chain takes a few kilobytes. */
const MAX_PENDING_BYTES = 512 * 1024;

export interface DtlsRecord {
  type: number;
  version: number;
  epoch: number;
  sequence: number;
  fragment: Buffer;
}

/** True for the DTLS wire versions (0xfeff DTLS 1.0 down to 0xfefc DTLS 1.3). */
export function isDtlsWireVersion(version: number): boolean {
  return version >= 0xfefc && version <= 0xfeff;
}

/** Every record of one datagram; throws when the datagram is not DTLS. */
export function parseDtlsDatagram(datagram: Buffer): DtlsRecord[] {
  const r = new Reader(datagram, 'DTLS record');
  const records: DtlsRecord[] = [];
  while (r.remaining > 0) {
    if (r.remaining < DTLS_RECORD_HEADER) throw new TlsParseError('a DTLS record header needs 13 bytes');
    const type = r.uint8();
    const version = r.uint16();
    const epoch = r.uint16();
    const sequence = r.uint16() * 2 ** 32 + r.uint16() * 2 ** 16 + r.uint16();
    const length = r.uint16();
    if (type < CONTENT_TYPE.changeCipherSpec || type > CONTENT_TYPE.applicationData) {
      throw new TlsParseError(`not a DTLS record (content type ${type})`);
    }
    if (!isDtlsWireVersion(version)) throw new TlsParseError(`not a DTLS record (version 0x${version.toString(16)})`);
    if (length > MAX_DTLS_RECORD) throw new TlsParseError(`DTLS record length ${length} is beyond the maximum`);
    records.push({ type, version, epoch, sequence, fragment: r.bytesOf(length) });
  }
  return records;
}

/** A record of epoch 0 (nothing the probe sends is ever encrypted). */
export function encodeDtlsRecord(type: number, version: number, sequence: number, fragment: Buffer): Buffer {
  const header = Buffer.alloc(DTLS_RECORD_HEADER);
  header[0] = type;
  header.writeUInt16BE(version, 1);
  header.writeUInt16BE(0, 3);
  header.writeUIntBE(sequence, 5, 6);
  header.writeUInt16BE(fragment.length, 11);
  return Buffer.concat([header, fragment]);
}

/** One handshake message in a single fragment. */
export function encodeDtlsHandshake(type: number, messageSeq: number, body: Buffer): Buffer {
  const header = Buffer.alloc(DTLS_HANDSHAKE_HEADER);
  header[0] = type;
  header.writeUIntBE(body.length, 1, 3);
  header.writeUInt16BE(messageSeq, 4);
  header.writeUIntBE(0, 6, 3);
  header.writeUIntBE(body.length, 9, 3);
  return Buffer.concat([header, body]);
}

export interface HandshakeFragment {
  type: number;
  /** The whole message's length. */
  length: number;
  messageSeq: number;
  offset: number;
  data: Buffer;
}

/** The handshake fragments of one handshake record. */
export function parseHandshakeFragments(fragment: Buffer): HandshakeFragment[] {
  const r = new Reader(fragment, 'DTLS handshake fragment');
  const fragments: HandshakeFragment[] = [];
  while (r.remaining > 0) {
    const type = r.uint8();
    const length = r.uint24();
    const messageSeq = r.uint16();
    const offset = r.uint24();
    const data = r.vector(3);
    if (length > MAX_HANDSHAKE_LENGTH) throw new TlsParseError(`handshake message of ${length} bytes is beyond any real server's`);
    if (offset + data.length > length) throw new TlsParseError('a handshake fragment runs past its message');
    fragments.push({ type, length, messageSeq, offset, data });
  }
  return fragments;
}

interface Pending {
  type: number;
  body: Buffer;
  filled: Uint8Array;
  missing: number;
}

/**
 * Fragments go in record by record; whole messages come out in message_seq order, starting from the
 * server's first hello (a ServerHello or HelloVerifyRequest). Retransmitted copies are dropped.
 */
export class DtlsReassembler {
  private readonly pending = new Map<number, Pending>();
  private next: number | undefined;
  private held = 0;

  push(recordFragment: Buffer): HandshakeMessage[] {
    for (const f of parseHandshakeFragments(recordFragment)) this.take(f);
    if (this.next === undefined) {
      const first = [...this.pending]
        .filter(([, p]) => p.missing === 0 && (p.type === HANDSHAKE_TYPE.serverHello || p.type === HELLO_VERIFY_REQUEST))
        .sort((a, b) => a[0] - b[0])[0];
      if (!first) return [];
      this.next = first[0];
      for (const seq of [...this.pending.keys()]) if (seq < this.next) this.drop(seq);
    }
    const messages: HandshakeMessage[] = [];
    for (let p = this.pending.get(this.next); p && p.missing === 0; p = this.pending.get(this.next)) {
      messages.push({ type: p.type, body: p.body });
      this.drop(this.next);
      this.next++;
    }
    return messages;
  }

  private take(f: HandshakeFragment): void {
    if (this.next !== undefined && f.messageSeq < this.next) return;
    let p = this.pending.get(f.messageSeq);
    if (!p) {
      if (this.pending.size >= MAX_PENDING_MESSAGES)
        throw new TlsParseError(`more than ${MAX_PENDING_MESSAGES} handshake messages pending`);
      if (this.held + f.length > MAX_PENDING_BYTES) throw new TlsParseError(`more than ${MAX_PENDING_BYTES} bytes of handshake pending`);
      this.held += f.length;
      p = { type: f.type, body: Buffer.alloc(f.length), filled: new Uint8Array(f.length), missing: f.length };
      this.pending.set(f.messageSeq, p);
    } else if (p.type !== f.type || p.body.length !== f.length) {
      throw new TlsParseError(`fragments of handshake message ${f.messageSeq} disagree on its type or length`);
    }
    for (let i = 0; i < f.data.length; i++) {
      const at = f.offset + i;
      if (p.filled[at] === 0) {
        p.filled[at] = 1;
        p.body[at] = f.data[i]!;
        p.missing--;
      }
    }
  }

  private drop(seq: number): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.held -= p.body.length;
    this.pending.delete(seq);
  }
}

/** The cookie of a HelloVerifyRequest (RFC 6347 section 4.2.1). */
export function parseHelloVerifyRequest(body: Buffer): { version: number; cookie: Buffer } {
  const r = new Reader(body, 'HelloVerifyRequest');
  const version = r.uint16();
  const cookie = r.vector(1);
  if (r.remaining !== 0) throw new TlsParseError('HelloVerifyRequest has bytes after its cookie');
  return { version, cookie };
}
