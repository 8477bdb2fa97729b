// The client side of HTTP Digest access authentication (RFC 7616): the Authorization header answering a
// Digest challenge, for MD5, SHA-256 and SHA-512-256 and their -sess variants, with qop=auth (auth-int
// only for an empty body), or the RFC 2069 form when the server names no qop.
import { createHash, randomBytes } from 'node:crypto';
import type { Challenge } from './www-authenticate.ts';

const HASHES: Record<string, string> = { md5: 'md5', 'sha-256': 'sha256', 'sha-512-256': 'sha512-256' };

export interface DigestAnswerOptions {
  method: string;
  /** The request-target as sent: path and query. */
  uri: string;
  username: string;
  password: string;
  /** Nonce count; 1 for the first use of a nonce. */
  nc?: number;
  cnonce?: string;
}

/** Why a Digest challenge cannot be answered (an algorithm or qop this client lacks), or undefined when it can. */
export function digestUnsupported(challenge: Challenge): string | undefined {
  const { algorithm, qop, nonce } = challenge.params;
  if (nonce === undefined) return 'the challenge has no nonce';
  if (challenge.params.realm === undefined) return 'the challenge has no realm';
  if (hashOf(algorithm) === undefined) return `algorithm ${algorithm} is not supported`;
  if (qop !== undefined && chooseQop(qop) === undefined) return `qop "${qop}" is not supported`;
  return undefined;
}

function hashOf(algorithm: string | undefined): { hash: string; session: boolean } | undefined {
  const name = (algorithm ?? 'MD5').toLowerCase();
  const session = name.endsWith('-sess');
  const hash = HASHES[session ? name.slice(0, -'-sess'.length) : name];
  return hash ? { hash, session } : undefined;
}

function chooseQop(offered: string): 'auth' | 'auth-int' | undefined {
  const options = offered.split(',').map((q) => q.trim().toLowerCase());
  if (options.includes('auth')) return 'auth';
  if (options.includes('auth-int')) return 'auth-int';
  return undefined;
}

/** The Authorization header value answering `challenge`; throws if digestUnsupported() says it cannot. */
export function digestAuthorization(challenge: Challenge, options: DigestAnswerOptions): string {
  const problem = digestUnsupported(challenge);
  if (problem) throw new Error(`cannot answer this Digest challenge: ${problem}`);
  const params = challenge.params;
  const realm = params.realm ?? '';
  const nonce = params.nonce ?? '';
  const { hash, session } = hashOf(params.algorithm) as { hash: string; session: boolean };
  const H = (text: string) => createHash(hash).update(text, 'utf8').digest('hex');
  const qop = params.qop === undefined ? undefined : chooseQop(params.qop);
  const cnonce = options.cnonce ?? randomBytes(12).toString('hex');
  const nc = (options.nc ?? 1).toString(16).padStart(8, '0');

  let ha1 = H(`${options.username}:${realm}:${options.password}`);
  if (session) ha1 = H(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = qop === 'auth-int' ? H(`${options.method}:${options.uri}:${H('')}`) : H(`${options.method}:${options.uri}`);
  const response = qop ? H(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${nonce}:${ha2}`);

  const userhash = params.userhash?.toLowerCase() === 'true';
  const fields: [string, string, boolean][] = [
    ['username', userhash ? H(`${options.username}:${realm}`) : options.username, true],
    ['realm', realm, true],
    ['nonce', nonce, true],
    ['uri', options.uri, true],
    ['response', response, true],
  ];
  if (params.algorithm !== undefined) fields.push(['algorithm', params.algorithm, false]);
  if (params.opaque !== undefined) fields.push(['opaque', params.opaque, true]);
  if (qop) fields.push(['qop', qop, false], ['nc', nc, false], ['cnonce', cnonce, true]);
  if (userhash) fields.push(['userhash', 'true', false]);
  return `Digest ${fields.map(([name, value, quote]) => `${name}=${quote ? quoteString(value) : value}`).join(', ')}`;
}

function quoteString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
