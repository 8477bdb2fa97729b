// Which service listens on an open port, told by what it says rather than by its number: a banner sent
// unasked (SSH, telnet, FTP), else the answer to a handshake (TLS, HTTP, MQTT, RTSP) tried in the order
// the port's usual use suggests. Each attempt is its own connection, since a wrong guess often makes a
// service hang up. Inside TLS the same questions are asked again.
import { generate } from 'mqtt-packet';
import { Connection, type Endpoint, ProbeError } from './connection.ts';
import type { ProbeContext } from './probe-context.ts';
import { portHint } from './ports.ts';
import { type IdentifiedService, printable, type ServiceProtocol } from './service.ts';
import { isMqttConnack } from './mqtt/packets.ts';
import { openTlsSocket } from './tls-socket.ts';
import { endpointText } from './target.ts';

export interface IdentifyDetectors {
  /** True when the endpoint answers a TLS ClientHello (the TLS prober's raw hello). */
  speaksTls(context: ProbeContext, endpoint: Endpoint): Promise<boolean>;
}

/** How long a service gets to speak first before it is assumed to wait for the client. */
const BANNER_WAIT_MS = 1200;

type Handshake = 'tls' | 'http' | 'mqtt' | 'rtsp';

export interface Identification {
  service: IdentifiedService;
  /** Why it could not be told, when it could not. */
  note?: string;
}

/** Protocol of an unsolicited banner, or undefined. */
export function protocolOfBanner(banner: Buffer): ServiceProtocol | undefined {
  if (banner.length === 0) return undefined;
  const text = banner.toString('latin1');
  if (/^SSH-\d/.test(text)) return 'ssh';
  if (banner[0] === 0xff && banner.length >= 2 && banner[1]! >= 0xfb) return 'telnet';
  if (/^220[ -]/.test(text) && !/\b(E?SMTP|mail)\b/i.test(text)) return 'ftp';
  if (/(login|username|user name|password)\s*:\s*$/i.test(text.trimEnd() + ' ')) return 'telnet';
  return undefined;
}

function handshakeOrder(port: number): Handshake[] {
  const hint = portHint(port);
  const first: Handshake[] =
    hint === 'mqtt' ? ['mqtt'] : hint === 'rtsp' ? ['rtsp'] : hint === 'http' ? ['http'] : hint === 'tls' ? ['tls'] : [];
  return [...new Set<Handshake>([...first, 'tls', 'http', 'mqtt', 'rtsp'])];
}

const MQTT_CONNECT = (): Buffer =>
  generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'baseline-probe', keepalive: 10 });

async function answers(
  connection: Connection,
  handshake: Exclude<Handshake, 'tls'>,
  endpoint: Endpoint,
  context: ProbeContext,
): Promise<boolean> {
  const wait = Math.min(context.limits.readTimeoutMs, 3000);
  if (handshake === 'http') {
    await connection.write(`GET / HTTP/1.0\r\nHost: ${endpointText(endpoint.host, endpoint.port)}\r\nUser-Agent: baseline-probe\r\n\r\n`);
    const reply = (await connection.readAvailable(300, wait, 1024)).toString('latin1');
    // RTSP servers that tunnel RTSP over HTTP (GStreamer's, many cameras') answer a GET too: their Server
    // header names RTSP, and the RTSP handshake tells them apart.
    return /^HTTP\/\d/.test(reply) && !/^server:[^\r\n]*\brtsp\b/im.test(reply);
  }
  if (handshake === 'rtsp') {
    await connection.write('OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: baseline-probe\r\n\r\n');
    const reply = await connection.readAvailable(300, wait, 16);
    return /^RTSP\/\d/.test(reply.toString('latin1'));
  }
  await connection.write(MQTT_CONNECT());
  return isMqttConnack(await connection.readAvailable(300, wait, 64));
}

async function tryHandshake(
  context: ProbeContext,
  endpoint: Endpoint,
  handshake: Exclude<Handshake, 'tls'>,
  tls: boolean,
): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = tls
      ? new Connection(await openTlsSocket(context, endpoint), context.limits.maxBytesPerConnection)
      : await context.connect(endpoint);
    return await answers(connection, handshake, endpoint, context);
  } catch (error) {
    if (error instanceof ProbeError) return false;
    throw error;
  } finally {
    connection?.close();
  }
}

/** Identifies the service on an open port. Never throws for what the device does; says what it could not tell. */
export async function identifyService(context: ProbeContext, endpoint: Endpoint, detectors: IdentifyDetectors): Promise<Identification> {
  const service: IdentifiedService = { endpoint, protocol: 'unknown', tls: false };
  let first: Connection;
  try {
    first = await context.connect(endpoint);
  } catch (error) {
    if (error instanceof ProbeError) return { service, note: `could not connect again: ${error.message}` };
    throw error;
  }
  let banner: Buffer;
  try {
    banner = await first.readAvailable(200, BANNER_WAIT_MS, 4096);
  } finally {
    first.close();
  }
  if (banner.length > 0) service.banner = printable(banner, 300);
  const spoken = protocolOfBanner(banner);
  // An SSH server sends its KEXINIT right after the identification line: only the line is a banner.
  if (spoken === 'ssh')
    service.banner = printable(
      banner
        .subarray(0, Math.max(0, banner.indexOf(0x0a)) || banner.length)
        .toString('latin1')
        .trimEnd(),
      300,
    );
  if (spoken) return { service: { ...service, protocol: spoken } };
  if (banner.length > 0) return { service, note: 'sent a banner of no known protocol' };

  for (const handshake of handshakeOrder(endpoint.port)) {
    if (context.signal.aborted) break;
    if (handshake === 'tls') {
      let tls = false;
      try {
        tls = await detectors.speaksTls(context, endpoint);
      } catch (error) {
        if (!(error instanceof ProbeError)) throw error;
      }
      if (!tls) continue;
      service.tls = true;
      const inner =
        portHint(endpoint.port) === 'mqtt' || endpoint.port === 8883 ? (['mqtt', 'http'] as const) : (['http', 'mqtt'] as const);
      for (const protocol of inner) {
        if (await tryHandshake(context, endpoint, protocol, true)) return { service: { ...service, protocol } };
      }
      return { service, note: 'speaks TLS; the protocol inside could not be told (the server may demand a client certificate)' };
    }
    if (await tryHandshake(context, endpoint, handshake, false)) return { service: { ...service, protocol: handshake } };
  }
  return { service, note: 'answered none of the TLS, HTTP, MQTT and RTSP handshakes' };
}
