// A real libcoap 4.3 server from Debian (libcoap3-bin) on 127.0.0.1 for the CoAP and DTLS probe tests:
// coap-server-notls for plain CoAP, coap-server-openssl for CoAP over DTLS as well (PSK with -k, a
// throwaway certificate with -c). libcoap listens on the port given for UDP and TCP, and with DTLS on the
// next port too, so all four must be free. Readiness is told by a CoAP ping answered, since no TCP connect
// can tell a UDP server is up; resources the tests need are created with coap-client PUTs (-d lets the
// server create them), never by the prober.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LOOPBACK, makeTempDir, removingOnStop, startDaemon } from '../daemon.ts';
import { makeSelfSignedCertificate } from '../self-signed.ts';

export interface CoapServerOptions {
  /** Serve CoAP over DTLS on port + 1 too: with a pre-shared key, a certificate, or both. */
  dtls?: { psk?: string; certificate?: boolean };
  /** Resources created with a PUT once the server is up (each becomes a dynamic resource). */
  resources?: { path: string; payload: string }[];
}

export interface CoapServer {
  host: string;
  /** Plain CoAP (UDP). */
  port: number;
  /** CoAP over DTLS (UDP), when asked for. */
  dtlsPort?: number;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function bindUdp(port: number): Promise<{ port: number; close: () => Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, LOOPBACK, () => resolve({ port: socket.address().port, close: () => new Promise((r) => socket.close(() => r())) }));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

/** A port p with UDP and TCP p .. p + count - 1 all free on 127.0.0.1 (UDP is bound to find p, then released). */
export async function freeUdpPorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bindUdp(0);
    if (!first) continue;
    const held = [first];
    let ok = first.port + count - 1 <= 65535;
    for (let i = 1; ok && i < count; i++) {
      const next = await bindUdp(first.port + i);
      if (next) held.push(next);
      else ok = false;
    }
    for (let i = 0; ok && i < count; i++) ok = await tcpFree(first.port + i);
    await Promise.all(held.map((h) => h.close()));
    if (ok) return first.port;
  }
  throw new Error('no free run of UDP and TCP ports on 127.0.0.1');
}

/** True when a CoAP ping (empty confirmable message) to the port is answered within `ms`. */
export function coapPingAnswered(port: number, ms = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const id = Math.floor(Math.random() * 0xffff);
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('error', () => done(false));
    socket.on('message', (m) => {
      if (m.length >= 4 && m.readUInt16BE(2) === id) done(true);
    });
    socket.send(Buffer.from([0x40, 0, id >> 8, id & 0xff]), port, LOOPBACK);
  });
}

export async function startCoapServer(options: CoapServerOptions = {}): Promise<CoapServer> {
  const dir = makeTempDir('coap');
  const dtls = options.dtls;
  const cert = join(dir.path, 'cert.pem');
  const key = join(dir.path, 'key.pem');
  try {
    if (dtls?.certificate) makeSelfSignedCertificate({ cert, key }, { commonName: 'coap.test', days: 30 });
    const daemon = await startDaemon({
      command: dtls ? 'coap-server-openssl' : 'coap-server-notls',
      choosePort: () => freeUdpPorts(dtls ? 2 : 1),
      ready: (port) => coapPingAnswered(port),
      args: (port) => [
        '-A',
        LOOPBACK,
        '-p',
        String(port),
        '-d',
        '64',
        '-v',
        '4',
        ...(dtls?.psk ? ['-k', dtls.psk] : []),
        ...(dtls?.certificate ? ['-c', cert, '-j', key] : []),
      ],
    });
    for (const resource of options.resources ?? []) {
      execFileSync('coap-client-notls', ['-m', 'put', '-e', resource.payload, `coap://${LOOPBACK}:${daemon.port}${resource.path}`], {
        stdio: 'ignore',
        timeout: 5000,
      });
    }
    return removingOnStop({ ...daemon, ...(dtls ? { dtlsPort: daemon.port + 1 } : {}) }, dir.remove);
  } catch (error) {
    dir.remove();
    throw error;
  }
}
