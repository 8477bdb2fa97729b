// The TLS record layer and handshake framing, read from an untrusted peer: every length is checked against
// what is left and against fixed maxima before anything is sliced, and anything malformed becomes a
// TlsParseError (never a RangeError or a hang).

/** What the peer sent is not the TLS the parser expects. The only error the parsers throw. */
export class TlsParseError extends Error {
  override readonly name = 'TlsParseError';
}

export const CONTENT_TYPE = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;

export const HANDSHAKE_TYPE = {
  clientHello: 1,
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
} as const;

/** RFC 8446 section 5.1 allows 2^14 + 256 for TLS 1.3 ciphertext, RFC 5246 2^14 + 2048 for older versions. */
export const MAX_RECORD_LENGTH = 16384 + 2048;
/** A server's Certificate message carries a chain of a few kilobytes; far more is not a real server. */
export const MAX_HANDSHAKE_LENGTH = 256 * 1024;

export interface TlsRecord {
  type: number;
  /** The record-layer version, e.g. 0x0303. */
  version: number;
  fragment: Buffer;
}

/** Checks a record header (the first five bytes); throws on anything that is not a TLS record. */
export function checkRecordHeader(header: Buffer): { type: number; version: number; length: number } {
  if (header.length < 5) throw new TlsParseError('a record header needs five bytes');
  const type = header[0]!;
  const version = header.readUInt16BE(1);
  const length = header.readUInt16BE(3);
  if (type < CONTENT_TYPE.changeCipherSpec || type > CONTENT_TYPE.applicationData) {
    throw new TlsParseError(`not a TLS record (content type ${type})`);
  }
  if (version >> 8 !== 3 || (version & 0xff) > 4) throw new TlsParseError(`not a TLS record (version 0x${hex4(version)})`);
  if (length > MAX_RECORD_LENGTH) throw new TlsParseError(`record length ${length} is beyond the TLS maximum`);
  return { type, version, length };
}

/** For Connection.readUntil: the length of the complete record at the front of `buffer`, or undefined while incomplete. */
export function completeRecordLength(buffer: Buffer): number | undefined {
  if (buffer.length < 5) return undefined;
  const { length } = checkRecordHeader(buffer);
  return buffer.length >= 5 + length ? 5 + length : undefined;
}

export function parseRecord(bytes: Buffer): TlsRecord {
  const { type, version, length } = checkRecordHeader(bytes);
  if (bytes.length !== 5 + length) throw new TlsParseError('record length does not match its header');
  return { type, version, fragment: bytes.subarray(5) };
}

export function encodeRecord(type: number, version: number, fragment: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeUInt16BE(version, 1);
  header.writeUInt16BE(fragment.length, 3);
  return Buffer.concat([header, fragment]);
}

export interface HandshakeMessage {
  type: number;
  body: Buffer;
}

/**
 * Handshake messages may be split across records and several may share one: bytes go in record by
 * record, whole messages come out.
 */
export class HandshakeReassembler {
  private pending: Buffer = Buffer.alloc(0);

  push(fragment: Buffer): HandshakeMessage[] {
    this.pending = this.pending.length === 0 ? fragment : Buffer.concat([this.pending, fragment]);
    const messages: HandshakeMessage[] = [];
    for (;;) {
      if (this.pending.length < 4) break;
      const length = this.pending.readUIntBE(1, 3);
      if (length > MAX_HANDSHAKE_LENGTH) throw new TlsParseError(`handshake message of ${length} bytes is beyond any real server's`);
      if (this.pending.length < 4 + length) break;
      messages.push({ type: this.pending[0]!, body: this.pending.subarray(4, 4 + length) });
      this.pending = this.pending.subarray(4 + length);
    }
    return messages;
  }

  /** True while part of a message is waiting for the rest. */
  get partial(): boolean {
    return this.pending.length > 0;
  }
}

export function encodeHandshake(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = type;
  header.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([header, body]);
}

export interface Alert {
  level: 'warning' | 'fatal' | 'unknown';
  description: number;
}

export function parseAlert(fragment: Buffer): Alert {
  if (fragment.length < 2) throw new TlsParseError('an alert needs two bytes');
  const level = fragment[0] === 1 ? 'warning' : fragment[0] === 2 ? 'fatal' : 'unknown';
  return { level, description: fragment[1]! };
}

const ALERT_NAMES: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  47: 'illegal_parameter',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

export function alertName(description: number): string {
  return ALERT_NAMES[description] ?? `alert ${description}`;
}

/** Reads fields off a buffer front to back; every read is bounds-checked. */
export class Reader {
  private offset = 0;
  private readonly bytes: Buffer;
  private readonly what: string;

  constructor(bytes: Buffer, what: string) {
    this.bytes = bytes;
    this.what = what;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(count: number): void {
    if (count > this.remaining) throw new TlsParseError(`${this.what} is truncated`);
  }

  uint8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  uint16(): number {
    this.need(2);
    const value = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  uint24(): number {
    this.need(3);
    const value = this.bytes.readUIntBE(this.offset, 3);
    this.offset += 3;
    return value;
  }

  bytesOf(count: number): Buffer {
    this.need(count);
    const value = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return value;
  }

  /** A vector with a length prefix of `prefix` bytes (1, 2 or 3). */
  vector(prefix: 1 | 2 | 3): Buffer {
    const length = prefix === 1 ? this.uint8() : prefix === 2 ? this.uint16() : this.uint24();
    return this.bytesOf(length);
  }
}

export function hex4(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0');
}
