// The encodings crypt(3) hashes are written in: the "./0-9A-Za-z" alphabet in the three bit orders the
// schemes use, bcrypt's "./A-Za-z0-9" alphabet, and standard Base64 (htpasswd {SHA}, Mosquitto).

/** The crypt(3) alphabet: a character's index is its 6-bit value. */
export const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const ATOI64 = new Map<string, number>([...ITOA64].map((c, i) => [c, i]));

/** The 6-bit value of a crypt(3) alphabet character, or undefined when it is not one. */
export function atoi64(char: string): number | undefined {
  return ATOI64.get(char);
}

export function isItoa64(text: string): boolean {
  for (const c of text) if (!ATOI64.has(c)) return false;
  return true;
}

/** md5crypt/sha-crypt's to64: `chars` characters of `value`, least significant 6 bits first. */
export function to64(value: number, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) {
    out += ITOA64[value & 0x3f];
    value >>>= 6;
  }
  return out;
}

/** The sha-crypt and md5crypt digest encoding: triples of bytes (given by index), each as to64 of 4 chars, then a tail. */
export function encodeTriples(bytes: Uint8Array, triples: readonly (readonly [number, number, number])[]): string {
  let out = '';
  for (const [a, b, c] of triples) out += to64((bytes[a]! << 16) | (bytes[b]! << 8) | bytes[c]!, 4);
  return out;
}

/** yescrypt/scrypt's encode64: bytes little-endian in 24-bit groups, 6 bits at a time, least significant first. */
export function encode64LittleEndian(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    let value = 0;
    let bits = 0;
    do {
      value |= bytes[i++]! << bits;
      bits += 8;
    } while (bits < 24 && i < bytes.length);
    for (let b = 0; b < bits; b += 6) {
      out += ITOA64[value & 0x3f];
      value >>>= 6;
    }
  }
  return out;
}

/** bcrypt's alphabet. */
export const BCRYPT64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BCRYPT_ATOI = new Map<string, number>([...BCRYPT64].map((c, i) => [c, i]));

/** bcrypt's encoding: Base64's bit order (most significant first) in its own alphabet, no padding. */
export function bcryptEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const c1 = bytes[i++]!;
    out += BCRYPT64[c1 >> 2];
    let c = (c1 & 0x03) << 4;
    if (i >= bytes.length) {
      out += BCRYPT64[c];
      break;
    }
    const c2 = bytes[i++]!;
    out += BCRYPT64[c | (c2 >> 4)];
    c = (c2 & 0x0f) << 2;
    if (i >= bytes.length) {
      out += BCRYPT64[c];
      break;
    }
    const c3 = bytes[i++]!;
    out += BCRYPT64[c | (c3 >> 6)];
    out += BCRYPT64[c3 & 0x3f];
  }
  return out;
}

/** Decodes `length` bytes from bcrypt's encoding; undefined if a character is outside the alphabet. */
export function bcryptDecode(text: string, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  let o = 0;
  let bits = 0;
  let acc = 0;
  for (const ch of text) {
    const v = BCRYPT_ATOI.get(ch);
    if (v === undefined) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o < length) out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  return o === length ? out : undefined;
}

const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard Base64 (with or without padding); undefined when the text is not Base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!STANDARD_BASE64.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(unpadded, 'base64');
}

/**
 * The bytes a password is hashed as: its UTF-8 encoding up to its first NUL, as crypt(3), htpasswd and
 * Mosquitto see a C string.
 */
export function passwordBytes(password: string): Buffer {
  const nul = password.indexOf('\0');
  return Buffer.from(nul === -1 ? password : password.slice(0, nul), 'utf8');
}
