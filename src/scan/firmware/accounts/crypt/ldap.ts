// RFC 2307-style hashes that htpasswd and LDAP directories store: {SHA} is Base64(SHA-1(password))
// (`htpasswd -s`), {SSHA} is Base64(SHA-1(password + salt) + salt).
import { hash, timingSafeEqual } from 'node:crypto';
import { decodeBase64 } from './encoding.ts';
import { MalformedHash } from './types.ts';

export function verifyLdapSha(password: Uint8Array, text: string): boolean {
  const salted = text.startsWith('{SSHA}');
  const bytes = decodeBase64(text.slice(salted ? 6 : 5));
  if (!bytes || (salted ? bytes.length <= 20 : bytes.length !== 20)) {
    throw new MalformedHash(salted ? '{SSHA} is Base64 of a 20-byte SHA-1 digest and a salt' : '{SHA} is Base64 of a 20-byte SHA-1 digest');
  }
  const digest = bytes.subarray(0, 20);
  const salt = bytes.subarray(20);
  return timingSafeEqual(hash('sha1', Buffer.concat([password, salt]), 'buffer'), digest);
}
