// Poul-Henning Kamp's md5crypt ($1$, FreeBSD 2.0, 1994) and Apache's variant of it ($apr1$, the same
// algorithm with its own magic): a salt of up to 8 characters, 1000 MD5 rounds, 22 characters of output.
import { hash } from 'node:crypto';
import { encodeTriples, to64 } from './encoding.ts';

function md5(...parts: Uint8Array[]): Buffer {
  return hash('md5', parts.length === 1 ? parts[0]! : Buffer.concat(parts), 'buffer');
}

/** The salt of an md5crypt setting: up to 8 characters after the magic, ending at `$`. */
export function md5cryptSalt(setting: string, magic: string): string {
  const rest = setting.slice(magic.length);
  const end = rest.indexOf('$');
  return (end === -1 ? rest : rest.slice(0, end)).slice(0, 8);
}

/** md5crypt of `password` with `setting` (`$1$salt` or `$apr1$salt`, anything after the salt ignored). */
export function md5crypt(password: Uint8Array, setting: string, magic: '$1$' | '$apr1$'): string {
  const saltText = md5cryptSalt(setting, magic);
  const salt = Buffer.from(saltText, 'latin1');
  const magicBytes = Buffer.from(magic, 'latin1');
  const alternate = md5(password, salt, password);
  const parts: Uint8Array[] = [password, magicBytes, salt];
  for (let left = password.length; left > 0; left -= 16) parts.push(alternate.subarray(0, Math.min(16, left)));
  // The bits of the length pick a NUL byte or the password's first byte (a NUL for an empty password).
  const first = Uint8Array.of(password[0] ?? 0);
  for (let bits = password.length; bits > 0; bits >>= 1) parts.push(bits & 1 ? Uint8Array.of(0) : first);
  let digest = md5(...parts);
  for (let i = 0; i < 1000; i++) {
    const round: Uint8Array[] = [i & 1 ? password : digest];
    if (i % 3) round.push(salt);
    if (i % 7) round.push(password);
    round.push(i & 1 ? digest : password);
    digest = md5(...round);
  }
  const encoded =
    encodeTriples(digest, [
      [0, 6, 12],
      [1, 7, 13],
      [2, 8, 14],
      [3, 9, 15],
      [4, 10, 5],
    ]) + to64(digest[11]!, 2);
  return `${magic}${saltText}$${encoded}`;
}
