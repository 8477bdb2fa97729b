// CoAP messages (RFC 7252 section 3) written and read by hand. Reading is strict, because every datagram
// comes from an untrusted device: a version other than 1, a reserved token length, an empty message with
// anything after its header, an option whose delta or length uses the reserved value 15, an option value
// or token that runs past the datagram, and a payload marker with no payload are all CoapParseError, the
// only error the parser throws. Nothing is sliced before its length is checked.

export class CoapParseError extends Error {
  override readonly name = 'CoapParseError';
}

export const COAP_TYPE = { confirmable: 0, nonConfirmable: 1, acknowledgement: 2, reset: 3 } as const;
export type CoapType = (typeof COAP_TYPE)[keyof typeof COAP_TYPE];

/** Option numbers the probe writes or reads (RFC 7252 section 5.10, RFC 7959 for Block2 and Size2). */
export const COAP_OPTION = { etag: 4, uriPath: 11, contentFormat: 12, block2: 23, size2: 28 } as const;

/** application/link-format (RFC 6690). */
export const LINK_FORMAT = 40;

/** The code byte: a class (3 bits) and a detail (5 bits), written "c.dd". */
export function coapCode(codeClass: number, detail: number): number {
  return (codeClass << 5) | detail;
}

export const COAP_CODE = {
  empty: 0,
  get: coapCode(0, 1),
  content: coapCode(2, 5),
  unauthorized: coapCode(4, 1),
  forbidden: coapCode(4, 3),
  notFound: coapCode(4, 4),
} as const;

export function codeText(code: number): string {
  return `${code >> 5}.${String(code & 31).padStart(2, '0')}`;
}

/** A response code (classes 2 to 5), as opposed to a request (0.01 to 0.31) or an empty message. */
export function isResponseCode(code: number): boolean {
  const codeClass = code >> 5;
  return codeClass >= 2 && codeClass <= 5;
}

export interface CoapOption {
  number: number;
  value: Buffer;
}

export interface CoapMessage {
  type: CoapType;
  code: number;
  messageId: number;
  token: Buffer;
  /** In the order of the datagram (ascending numbers, repeated options in their order). */
  options: CoapOption[];
  payload: Buffer;
}

/** RFC 7252 allows tokens of 0 to 8 bytes; 9 to 15 are reserved (RFC 8974's extended tokens are not used). */
export const MAX_TOKEN_LENGTH = 8;
/** A real message carries a handful of options; far more is not a real device's answer. */
const MAX_OPTIONS = 64;
const PAYLOAD_MARKER = 0xff;

function extended(nibble: number, bytes: Buffer, at: number, what: string): [number, number] {
  if (nibble < 13) return [nibble, at];
  if (nibble === 13) {
    if (at + 1 > bytes.length) throw new CoapParseError(`option ${what} is truncated`);
    return [bytes[at]! + 13, at + 1];
  }
  if (nibble === 14) {
    if (at + 2 > bytes.length) throw new CoapParseError(`option ${what} is truncated`);
    return [bytes.readUInt16BE(at) + 269, at + 2];
  }
  throw new CoapParseError(`option ${what} uses the reserved value 15`);
}

export function parseCoapMessage(bytes: Buffer): CoapMessage {
  if (bytes.length < 4) throw new CoapParseError('a CoAP message needs its 4-byte header');
  const first = bytes[0]!;
  if (first >> 6 !== 1) throw new CoapParseError(`CoAP version ${first >> 6}, not 1`);
  const type = ((first >> 4) & 3) as CoapType;
  const tokenLength = first & 15;
  if (tokenLength > MAX_TOKEN_LENGTH) throw new CoapParseError(`token length ${tokenLength} is reserved`);
  const code = bytes[1]!;
  const messageId = bytes.readUInt16BE(2);
  if (code === COAP_CODE.empty) {
    if (tokenLength !== 0 || bytes.length !== 4) throw new CoapParseError('an empty message must be its 4-byte header alone');
    return { type, code, messageId, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) };
  }
  if (4 + tokenLength > bytes.length) throw new CoapParseError('the token runs past the message');
  const token = bytes.subarray(4, 4 + tokenLength);
  const options: CoapOption[] = [];
  let payload: Buffer = Buffer.alloc(0);
  let at = 4 + tokenLength;
  let number = 0;
  while (at < bytes.length) {
    const byte = bytes[at++]!;
    if (byte === PAYLOAD_MARKER) {
      if (at === bytes.length) throw new CoapParseError('a payload marker with no payload');
      payload = bytes.subarray(at);
      break;
    }
    let delta: number;
    let length: number;
    [delta, at] = extended(byte >> 4, bytes, at, 'delta');
    [length, at] = extended(byte & 15, bytes, at, 'length');
    number += delta;
    if (number > 0xffff) throw new CoapParseError(`option number ${number} is beyond 65535`);
    if (at + length > bytes.length) throw new CoapParseError(`option ${number} runs past the message`);
    if (options.length >= MAX_OPTIONS) throw new CoapParseError(`more than ${MAX_OPTIONS} options`);
    options.push({ number, value: bytes.subarray(at, at + length) });
    at += length;
  }
  return { type, code, messageId, token, options, payload };
}

function nibble(value: number): [number, Buffer] {
  if (value < 13) return [value, Buffer.alloc(0)];
  if (value < 269) return [13, Buffer.from([value - 13])];
  const extra = Buffer.alloc(2);
  extra.writeUInt16BE(value - 269);
  return [14, extra];
}

export function encodeCoapMessage(message: CoapMessage): Buffer {
  if (message.token.length > MAX_TOKEN_LENGTH) throw new Error(`a token is at most ${MAX_TOKEN_LENGTH} bytes`);
  const header = Buffer.from([
    0x40 | (message.type << 4) | message.token.length,
    message.code,
    message.messageId >> 8,
    message.messageId & 0xff,
  ]);
  const parts = [header, message.token];
  let previous = 0;
  // Ascending by number; a stable sort keeps repeated options (Uri-Path segments) in their order.
  for (const option of [...message.options].sort((a, b) => a.number - b.number)) {
    const [deltaNibble, deltaExtra] = nibble(option.number - previous);
    const [lengthNibble, lengthExtra] = nibble(option.value.length);
    parts.push(Buffer.from([(deltaNibble << 4) | lengthNibble]), deltaExtra, lengthExtra, option.value);
    previous = option.number;
  }
  if (message.payload.length > 0) parts.push(Buffer.from([PAYLOAD_MARKER]), message.payload);
  return Buffer.concat(parts);
}

/** The options with this number, in order. */
export function optionValues(message: CoapMessage, number: number): Buffer[] {
  return message.options.filter((o) => o.number === number).map((o) => o.value);
}

/** An unsigned integer option (RFC 7252 section 3.2: 0 to 4 bytes, big-endian). */
export function uintOption(value: Buffer): number {
  if (value.length > 4) throw new CoapParseError(`an integer option of ${value.length} bytes`);
  return value.length === 0 ? 0 : value.readUIntBE(0, value.length);
}

export function encodeUint(value: number): Buffer {
  if (value === 0) return Buffer.alloc(0);
  const length = value < 0x100 ? 1 : value < 0x10000 ? 2 : value < 0x1000000 ? 3 : 4;
  const bytes = Buffer.alloc(length);
  bytes.writeUIntBE(value, 0, length);
  return bytes;
}

export interface BlockOption {
  /** The block number. */
  num: number;
  /** More blocks follow. */
  more: boolean;
  /** Size exponent: the block is 2^(szx + 4) bytes. */
  szx: number;
}

/** A Block1/Block2 option (RFC 7959 section 2.2). SZX 7 is reserved over UDP. */
export function parseBlockOption(value: Buffer): BlockOption {
  if (value.length > 3) throw new CoapParseError(`a block option of ${value.length} bytes`);
  const n = uintOption(value);
  const szx = n & 7;
  if (szx === 7) throw new CoapParseError('block size exponent 7 is reserved');
  return { num: n >>> 4, more: (n & 8) !== 0, szx };
}

export function encodeBlockOption(block: BlockOption): Buffer {
  return encodeUint(block.num * 16 + (block.more ? 8 : 0) + block.szx);
}

export function blockSize(szx: number): number {
  return 2 ** (szx + 4);
}

/** The request's Uri-Path options for an absolute path: "/.well-known/core" is ".well-known", "core". */
export function uriPathOptions(segments: string[]): CoapOption[] {
  return segments.map((segment) => ({ number: COAP_OPTION.uriPath, value: Buffer.from(segment, 'utf8') }));
}
