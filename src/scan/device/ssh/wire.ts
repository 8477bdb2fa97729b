// The SSH wire format of RFC 4251 section 5 and the binary packet of RFC 4253 section 6, as far as an
// unencrypted key exchange needs it. Everything read comes from an untrusted peer: every length is
// checked against what is left, and any inconsistency is an SshParseError, never an out-of-range read.
import { randomBytes } from 'node:crypto';

export class SshParseError extends Error {
  override readonly name = 'SshParseError';
}

/** RFC 4253 asks for 35000 bytes at least; OpenSSH accepts up to 256 KiB. Key exchange packets are far smaller. */
export const MAX_PACKET_LENGTH = 64 * 1024;

export const MSG = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  KEXINIT: 20,
  NEWKEYS: 21,
  KEX_ECDH_INIT: 30,
  KEX_ECDH_REPLY: 31,
  KEX_DH_GEX_GROUP: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
} as const;

/** Reads the fields of one message in order, checking every length against the bytes left. */
export class SshReader {
  private offset = 0;
  private readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private take(length: number, what: string): Buffer {
    if (length > this.remaining) throw new SshParseError(`${what}: needs ${length} bytes, ${this.remaining} left`);
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  byte(what = 'byte'): number {
    return this.take(1, what)[0] ?? 0;
  }

  boolean(what = 'boolean'): boolean {
    return this.byte(what) !== 0;
  }

  uint32(what = 'uint32'): number {
    return this.take(4, what).readUInt32BE(0);
  }

  bytesOf(length: number, what = 'bytes'): Buffer {
    return this.take(length, what);
  }

  string(what = 'string'): Buffer {
    return this.take(this.uint32(`${what} length`), what);
  }

  /** A name-list: comma-separated names, empty names dropped. */
  nameList(what = 'name-list'): string[] {
    return this.string(what)
      .toString('latin1')
      .split(',')
      .filter((name) => name !== '');
  }

  /** The magnitude of a non-negative mpint, without leading zero bytes. */
  mpint(what = 'mpint'): Buffer {
    const raw = this.string(what);
    if (raw.length > 0 && (raw[0] ?? 0) & 0x80) throw new SshParseError(`${what}: negative mpint`);
    let start = 0;
    while (start < raw.length && raw[start] === 0) start++;
    return raw.subarray(start);
  }
}

/** Bit length of a big-endian unsigned magnitude. */
export function bitLength(magnitude: Buffer): number {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  if (start === magnitude.length) return 0;
  return (magnitude.length - start - 1) * 8 + (32 - Math.clz32(magnitude[start] ?? 0));
}

export function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

export function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}

export function nameList(names: readonly string[]): Buffer {
  return sshString(names.join(','));
}

/** A non-negative integer given as a big-endian magnitude, encoded as an mpint. */
export function mpint(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const signed = trimmed.length > 0 && (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return sshString(signed);
}

/**
 * For Connection.readUntil: the length of the complete binary packet at the front of `buffer`, or
 * undefined while it is still arriving. A length field beyond MAX_PACKET_LENGTH is refused at once,
 * so a peer cannot make the reader wait for gigabytes.
 */
export function completePacketLength(buffer: Buffer): number | undefined {
  if (buffer.length < 4) return undefined;
  const length = buffer.readUInt32BE(0);
  if (length > MAX_PACKET_LENGTH) throw new SshParseError(`packet length ${length} exceeds ${MAX_PACKET_LENGTH} bytes`);
  if (length < 5) throw new SshParseError(`packet length ${length} is too short for a packet`);
  return buffer.length >= 4 + length ? 4 + length : undefined;
}

/** The payload of one unencrypted binary packet (length field included in `packet`). */
export function parsePacket(packet: Buffer): Buffer {
  if (packet.length < 5) throw new SshParseError(`a packet of ${packet.length} bytes is shorter than its header`);
  const length = packet.readUInt32BE(0);
  if (length > MAX_PACKET_LENGTH) throw new SshParseError(`packet length ${length} exceeds ${MAX_PACKET_LENGTH} bytes`);
  if (packet.length !== 4 + length) throw new SshParseError(`packet length ${length} does not match the ${packet.length - 4} bytes given`);
  const padding = packet[4] ?? 0;
  // RFC 4253 asks for at least 4 bytes of padding; some embedded servers send less, which is harmless here.
  if (padding + 1 >= length) throw new SshParseError(`padding of ${padding} bytes leaves no payload in a ${length}-byte packet`);
  return packet.subarray(5, 4 + length - padding);
}

/** One unencrypted binary packet around `payload`, padded to a multiple of 8 with at least 4 random bytes. */
export function encodePacket(payload: Buffer): Buffer {
  let padding = 8 - ((5 + payload.length) % 8);
  if (padding < 4) padding += 8;
  return Buffer.concat([uint32(1 + payload.length + padding), Buffer.from([padding]), payload, randomBytes(padding)]);
}
