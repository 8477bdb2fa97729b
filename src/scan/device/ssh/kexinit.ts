// SSH_MSG_KEXINIT (RFC 4253 section 7.1): the algorithm lists each side offers, sent in clear before
// any key is agreed. The server's KEXINIT is what the algorithm checks judge.
import { randomBytes } from 'node:crypto';
import { MSG, nameList, SshParseError, SshReader } from './wire.ts';

export interface KexInit {
  kex: string[];
  hostKey: string[];
  ciphersClientToServer: string[];
  ciphersServerToClient: string[];
  macsClientToServer: string[];
  macsServerToClient: string[];
  compressionClientToServer: string[];
  compressionServerToClient: string[];
  languagesClientToServer: string[];
  languagesServerToClient: string[];
  firstKexPacketFollows: boolean;
}

/** Most names kept per list: a real server offers a few dozen; the rest of a hostile list is dropped. */
export const MAX_NAMES_PER_LIST = 128;

export function parseKexInit(payload: Buffer): KexInit {
  const reader = new SshReader(payload);
  const type = reader.byte('message type');
  if (type !== MSG.KEXINIT) throw new SshParseError(`expected KEXINIT (20), got message ${type}`);
  reader.bytesOf(16, 'KEXINIT cookie');
  const list = (what: string) => reader.nameList(what).slice(0, MAX_NAMES_PER_LIST);
  const kexinit: KexInit = {
    kex: list('kex_algorithms'),
    hostKey: list('server_host_key_algorithms'),
    ciphersClientToServer: list('encryption_algorithms_client_to_server'),
    ciphersServerToClient: list('encryption_algorithms_server_to_client'),
    macsClientToServer: list('mac_algorithms_client_to_server'),
    macsServerToClient: list('mac_algorithms_server_to_client'),
    compressionClientToServer: list('compression_algorithms_client_to_server'),
    compressionServerToClient: list('compression_algorithms_server_to_client'),
    languagesClientToServer: list('languages_client_to_server'),
    languagesServerToClient: list('languages_server_to_client'),
    firstKexPacketFollows: reader.boolean('first_kex_packet_follows'),
  };
  reader.uint32('reserved');
  return kexinit;
}

export interface KexInitOffer {
  kex: string[];
  hostKey: string[];
  ciphers: string[];
  macs: string[];
  compression: string[];
}

export function encodeKexInit(offer: KexInitOffer): Buffer {
  return Buffer.concat([
    Buffer.from([MSG.KEXINIT]),
    randomBytes(16),
    nameList(offer.kex),
    nameList(offer.hostKey),
    nameList(offer.ciphers),
    nameList(offer.ciphers),
    nameList(offer.macs),
    nameList(offer.macs),
    nameList(offer.compression),
    nameList(offer.compression),
    nameList([]),
    nameList([]),
    Buffer.from([0]),
    Buffer.alloc(4),
  ]);
}

/** Names offered in either direction, each once, in the server's order. */
export function bothDirections(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** The pseudo-algorithms of the kex list that announce extensions rather than name a key exchange. */
export function isKexExtensionMarker(name: string): boolean {
  return /^(ext-info-[cs]|kex-strict-[cs]-v00@openssh\.com|kexguess2@matt\.ucc\.asn\.au)$/.test(name);
}
