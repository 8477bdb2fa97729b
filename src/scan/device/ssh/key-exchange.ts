// Speaks the SSH transport by hand, up to the server's key exchange reply and no further: enough to
// read the identification, the server's KEXINIT, the host key it signs with (sent in clear in the
// reply) and, for group exchange, the size of the Diffie-Hellman group it hands out. No keys are ever
// agreed and nothing is authenticated; each connection is closed after the reply.
import { createDiffieHellman, createECDH, generateKeyPairSync, getDiffieHellman } from 'node:crypto';
import { type Connection, type Endpoint, ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { printable } from '../service.ts';
import { readIdentification, type SshIdentification, speaksSsh2 } from './identification.ts';
import { bothDirections, encodeKexInit, type KexInit, parseKexInit } from './kexinit.ts';
import {
  bitLength,
  completePacketLength,
  encodePacket,
  MSG,
  mpint,
  parsePacket,
  SshParseError,
  SshReader,
  sshString,
  uint32,
} from './wire.ts';

export const CLIENT_IDENTIFICATION = 'SSH-2.0-Baseline_probe';

/** IGNORE and DEBUG messages skipped while waiting for the next real one: a peer could send them forever. */
const MAX_SKIPPED_MESSAGES = 16;
/** Largest group-exchange prime worked with; RFC 4419 servers offer up to 8192 bits. */
const MAX_GEX_BITS = 16384;

export interface SshTransport {
  connection: Connection;
  identification: SshIdentification;
  preIdentificationLines: string[];
  /** The server's KEXINIT; absent when the server speaks only SSH-1 or its KEXINIT could not be read. */
  serverKexInit?: KexInit;
  /** Why the KEXINIT could not be read, after a good identification (the connection is then closed). */
  kexInitError?: ProbeError;
}

/** Turns a parse error of the peer's bytes into the probe's own error kind. */
export function asProbeError(error: unknown): ProbeError {
  if (error instanceof ProbeError) return error;
  if (error instanceof SshParseError) return new ProbeError('protocol', `malformed SSH data: ${error.message}`);
  return new ProbeError('protocol', error instanceof Error ? error.message : String(error));
}

/** Connects, exchanges identifications and reads the server's KEXINIT. The caller closes the connection. */
export async function openTransport(context: ProbeContext, endpoint: Endpoint): Promise<SshTransport> {
  const connection = await context.connect(endpoint);
  try {
    await connection.write(`${CLIENT_IDENTIFICATION}\r\n`);
    const { identification, preIdentificationLines } = await readIdentification(connection, context.limits.readTimeoutMs);
    const transport: SshTransport = { connection, identification, preIdentificationLines };
    if (!speaksSsh2(identification)) return transport;
    try {
      const payload = await readMessage(connection, context.limits.readTimeoutMs, 'server KEXINIT');
      transport.serverKexInit = parseKexInit(payload);
    } catch (error) {
      // The identification alone is still worth reporting.
      connection.close();
      transport.kexInitError = asProbeError(error);
    }
    return transport;
  } catch (error) {
    connection.close();
    throw asProbeError(error);
  }
}

/** The payload of the next message that is not IGNORE or DEBUG; a DISCONNECT becomes a ProbeError naming its reason. */
export async function readMessage(connection: Connection, timeoutMs: number, what: string): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (let skipped = 0; skipped <= MAX_SKIPPED_MESSAGES; skipped++) {
    const packet = await connection.readUntil(completePacketLength, Math.max(1, deadline - Date.now()), what);
    const payload = parsePacket(packet);
    const type = payload[0];
    if (type === MSG.IGNORE || type === MSG.DEBUG) continue;
    if (type === MSG.DISCONNECT) throw new ProbeError('protocol', `the server disconnected: ${disconnectReason(payload)}`);
    return payload;
  }
  throw new ProbeError('protocol', `more than ${MAX_SKIPPED_MESSAGES} IGNORE/DEBUG messages instead of ${what}`);
}

/** RFC 4253 section 11.1 reason codes, for DISCONNECTs that carry no description. */
const DISCONNECT_REASONS: Record<number, string> = {
  1: 'host not allowed to connect',
  2: 'protocol error',
  3: 'key exchange failed',
  5: 'MAC error',
  6: 'compression error',
  7: 'service not available',
  8: 'protocol version not supported',
  9: 'host key not verifiable',
  10: 'connection lost',
  11: 'by application',
  12: 'too many connections',
  13: 'authentication cancelled by user',
  14: 'no more authentication methods available',
  15: 'illegal user name',
};

function disconnectReason(payload: Buffer): string {
  try {
    const reader = new SshReader(payload.subarray(1));
    const code = reader.uint32('reason code');
    const description = printable(reader.string('description'), 160).trim();
    return `${description || DISCONNECT_REASONS[code] || 'no reason given'} (code ${code})`;
  } catch {
    return 'no reason given';
  }
}

export type KexMethod =
  | { kind: 'ecdh'; name: string; curve: 'x25519' | 'x448' | 'prime256v1' | 'secp384r1' | 'secp521r1' }
  | { kind: 'dh'; name: string; group: string }
  | { kind: 'gex'; name: string };

const ECDH_CURVES: Record<string, 'x25519' | 'x448' | 'prime256v1' | 'secp384r1' | 'secp521r1'> = {
  'curve25519-sha256': 'x25519',
  'curve25519-sha256@libssh.org': 'x25519',
  'curve448-sha512': 'x448',
  'ecdh-sha2-nistp256': 'prime256v1',
  'ecdh-sha2-nistp384': 'secp384r1',
  'ecdh-sha2-nistp521': 'secp521r1',
};

/** The Oakley/MODP group behind each fixed-group name (group1 is Oakley group 2, 1024 bits). */
const DH_GROUPS: Record<string, string> = { '1': 'modp2', '14': 'modp14', '15': 'modp15', '16': 'modp16', '17': 'modp17', '18': 'modp18' };

/** How to perform a key exchange method, when this client can. */
export function kexMethod(name: string): KexMethod | undefined {
  const curve = ECDH_CURVES[name];
  if (curve) return { kind: 'ecdh', name, curve };
  if (/^diffie-hellman-group-exchange-sha(1|256)$/.test(name)) return { kind: 'gex', name };
  const fixed = /^diffie-hellman-group(\d+)-sha\d+(@ssh\.com)?$/.exec(name);
  const group = fixed ? DH_GROUPS[fixed[1] ?? ''] : undefined;
  if (group) return { kind: 'dh', name, group };
  return undefined;
}

/** Cheapest first: elliptic curves, then the smaller fixed groups, group exchange, the big groups, group1 last. */
function kexCost(method: KexMethod): number {
  if (method.kind === 'ecdh') return 0;
  if (method.kind === 'gex') return 3;
  return { modp14: 1, modp16: 2, modp15: 4, modp18: 5, modp17: 6, modp2: 7 }[method.group] ?? 8;
}

/** The key exchange this client would pick from the server's list to fetch a host key. */
export function chooseKex(serverKex: readonly string[]): KexMethod | undefined {
  const usable = serverKex.map(kexMethod).filter((m): m is KexMethod => m !== undefined);
  return usable.sort((a, b) => kexCost(a) - kexCost(b))[0];
}

export interface GroupExchangeRequest {
  min: number;
  preferred: number;
  max: number;
}

export interface KeyExchangeResult {
  /** The host key blob K_S, when the exchange got as far as the reply. */
  hostKeyBlob?: Buffer;
  /** For group exchange: the size of the prime the server chose. */
  groupBits?: number;
}

export interface KeyExchangeOptions {
  method: KexMethod;
  hostKeyAlgorithm: string;
  /** For group exchange; defaults to what a current client asks (2048 at least). */
  groupRequest?: GroupExchangeRequest;
  /** Stop once the group-exchange group is known. */
  stopAfterGroup?: boolean;
}

/** Runs one key exchange on an open transport up to the server's reply. */
export async function runKeyExchange(transport: SshTransport, options: KeyExchangeOptions, timeoutMs: number): Promise<KeyExchangeResult> {
  const server = transport.serverKexInit;
  if (!server) throw transport.kexInitError ?? new ProbeError('protocol', 'no server KEXINIT to answer');
  const { connection } = transport;
  const send = (payload: Buffer) => connection.write(encodePacket(payload));
  try {
    // Cipher, MAC and compression lists echo the server's own, so that negotiation cannot fail on them:
    // they are never used, since the exchange stops before NEWKEYS.
    await send(
      encodeKexInit({
        kex: [options.method.name],
        hostKey: [options.hostKeyAlgorithm],
        ciphers: bothDirections(server.ciphersClientToServer, server.ciphersServerToClient),
        macs: bothDirections(server.macsClientToServer, server.macsServerToClient),
        compression: bothDirections(server.compressionClientToServer, server.compressionServerToClient),
      }),
    );
    const method = options.method;
    if (method.kind === 'gex') return await groupExchange(transport, options, timeoutMs);
    const clientPublic =
      method.kind === 'ecdh' ? sshString(ecdhPublicKey(method.curve)) : mpint(dhPublicKey(getDiffieHellman(method.group)));
    await send(Buffer.concat([Buffer.from([MSG.KEX_ECDH_INIT]), clientPublic]));
    const reply = await readMessage(connection, timeoutMs, 'key exchange reply');
    return { hostKeyBlob: hostKeyFromReply(reply, MSG.KEX_ECDH_REPLY) };
  } catch (error) {
    throw asProbeError(error);
  }
}

async function groupExchange(transport: SshTransport, options: KeyExchangeOptions, timeoutMs: number): Promise<KeyExchangeResult> {
  const { connection } = transport;
  const request = options.groupRequest ?? { min: 2048, preferred: 2048, max: 8192 };
  await connection.write(
    encodePacket(
      Buffer.concat([Buffer.from([MSG.KEX_DH_GEX_REQUEST]), uint32(request.min), uint32(request.preferred), uint32(request.max)]),
    ),
  );
  const groupMessage = await readMessage(connection, timeoutMs, 'DH group-exchange group');
  const reader = new SshReader(groupMessage);
  const type = reader.byte('message type');
  if (type !== MSG.KEX_DH_GEX_GROUP) throw new SshParseError(`expected KEX_DH_GEX_GROUP (31), got message ${type}`);
  const prime = reader.mpint('group prime');
  const generator = reader.mpint('group generator');
  const groupBits = bitLength(prime);
  if (options.stopAfterGroup) return { groupBits };
  if (groupBits > MAX_GEX_BITS || groupBits < 256 || bitLength(generator) === 0)
    throw new ProbeError('protocol', `the server's ${groupBits}-bit group exchange group cannot be used`);
  let clientPublic: Buffer;
  try {
    clientPublic = dhPublicKey(createDiffieHellman(prime, generator));
  } catch (error) {
    throw new ProbeError('protocol', `the server's group exchange group cannot be used: ${(error as Error).message}`);
  }
  await connection.write(encodePacket(Buffer.concat([Buffer.from([MSG.KEX_DH_GEX_INIT]), mpint(clientPublic)])));
  const reply = await readMessage(connection, timeoutMs, 'group exchange reply');
  return { groupBits, hostKeyBlob: hostKeyFromReply(reply, MSG.KEX_DH_GEX_REPLY) };
}

/** The first field of every key exchange reply used here is the host key blob K_S. */
export function hostKeyFromReply(payload: Buffer, expectedType: number): Buffer {
  const reader = new SshReader(payload);
  const type = reader.byte('message type');
  if (type !== expectedType) throw new SshParseError(`expected key exchange reply (${expectedType}), got message ${type}`);
  const blob = reader.string('host key');
  if (blob.length === 0) throw new SshParseError('the key exchange reply carries an empty host key');
  return blob;
}

function ecdhPublicKey(curve: 'x25519' | 'x448' | 'prime256v1' | 'secp384r1' | 'secp521r1'): Buffer {
  if (curve === 'x25519' || curve === 'x448') {
    const { publicKey } = curve === 'x25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('x448');
    const jwk = publicKey.export({ format: 'jwk' });
    return Buffer.from(jwk.x ?? '', 'base64url');
  }
  return createECDH(curve).generateKeys();
}

function dhPublicKey(dh: { generateKeys(): Buffer }): Buffer {
  return dh.generateKeys();
}
