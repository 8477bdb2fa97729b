// NetBSD's sha1crypt ($sha1$<iterations>$<salt>$<hash>, NetBSD 2004, also in libxcrypt): HMAC-SHA1 keyed
// with the password over `<salt>$sha1$<iterations>`, then over its own output iterations-1 more times;
// the 20 bytes written as 7 groups of 3 (the last one wrapping to byte 0), least significant 6 bits first.
import { hash } from 'node:crypto';
import { to64 } from './encoding.ts';
import { CostTooHigh, MalformedHash, type CostLimits } from './types.ts';

export function sha1crypt(password: Uint8Array, setting: string, limits: CostLimits): string {
  const match = /^\$sha1\$([0-9]{1,10})\$([^$]{1,64})(?:\$|$)/.exec(setting);
  if (!match) throw new MalformedHash('a sha1crypt hash is $sha1$<iterations>$<salt of up to 64 characters>$<hash>');
  const iterations = Number(match[1]);
  const salt = match[2]!;
  if (iterations > 0xffffffff) throw new MalformedHash('sha1crypt iterations above 2^32 - 1');
  if (iterations > limits.maxIterations)
    throw new CostTooHigh(`sha1crypt iterations ${iterations} are above the limit of ${limits.maxIterations}`);
  const hmac = hmacSha1(password);
  let digest = hmac(Buffer.from(`${salt}$sha1$${iterations}`, 'utf8'));
  // libxcrypt, like NetBSD, runs the loop `while (--iterations)`: one HMAC for 0 or 1 iterations.
  for (let i = 1; i < iterations; i++) digest = hmac(digest);
  let encoded = '';
  for (let i = 0; i < 18; i += 3) encoded += to64((digest[i]! << 16) | (digest[i + 1]! << 8) | digest[i + 2]!, 4);
  encoded += to64((digest[18]! << 16) | (digest[19]! << 8) | digest[0]!, 4);
  return `$sha1$${iterations}$${salt}$${encoded}`;
}

/** HMAC-SHA1 (RFC 2104) with the key's pads computed once: two one-shot hashes per message, far faster than createHmac per iteration. */
function hmacSha1(key: Uint8Array): (message: Uint8Array) => Buffer {
  const block = Buffer.alloc(64);
  (key.length > 64 ? hash('sha1', key, 'buffer') : Buffer.from(key)).copy(block);
  const inner = Buffer.alloc(64 + 64);
  const outer = Buffer.alloc(64 + 20);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  return (message) => {
    let innerInput: Uint8Array;
    if (message.length === 20) {
      // The iterations: a digest goes straight into the buffer after the inner pad.
      inner.set(message, 64);
      innerInput = inner.subarray(0, 84);
    } else {
      innerInput = Buffer.concat([inner.subarray(0, 64), message]);
    }
    hash('sha1', innerInput, 'buffer').copy(outer, 64);
    return hash('sha1', outer, 'buffer');
  };
}
