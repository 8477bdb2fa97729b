// A stand-in for an old device's TLS stack, on 127.0.0.1: it reads a ClientHello and answers the way a
// real server of the SSL 3.0 / TLS 1.0 era does (its own version cap, its own suite preference, a
// Certificate and ServerHelloDone), or refuses with an alert. Debian's OpenSSL 3 can no longer be made to
// offer SSL 3.0, RC4, export or 3DES suites, so this is how the prober's handling of them is tested against
// a live socket. The hello is parsed here independently of the prober's code.
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeTlsOptions {
  /** Wire versions the server speaks, e.g. [0x0300, 0x0301]. */
  versions: number[];
  /** Suites in the server's order of preference. */
  suites: number[];
  /** DER certificates sent in the Certificate message, leaf first. */
  chain: Buffer[];
}

export interface FakeTlsServer {
  port: number;
  /** ClientHellos received (legacy version and offered suites), for assertions. */
  hellos: { version: number; suites: number[] }[];
  close(): Promise<void>;
}

function record(type: number, version: number, body: Buffer): Buffer {
  const header = Buffer.from([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([header, body]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

function u24(n: number): Buffer {
  return Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
}

/** The legacy version and suites of a ClientHello, or undefined when the bytes are not one. */
function readHello(bytes: Buffer): { version: number; suites: number[] } | undefined {
  if (bytes.length < 5 || bytes[0] !== 22) return undefined;
  const length = bytes.readUInt16BE(3);
  if (bytes.length < 5 + length) return undefined;
  const body = bytes.subarray(9, 5 + length);
  const version = body.readUInt16BE(0);
  let at = 2 + 32;
  at += 1 + body[at]!;
  const suiteBytes = body.readUInt16BE(at);
  const suites: number[] = [];
  for (let i = 0; i < suiteBytes; i += 2) suites.push(body.readUInt16BE(at + 2 + i));
  return { version, suites };
}

function answer(options: FakeTlsOptions, hello: { version: number; suites: number[] }): Buffer {
  const highest = Math.max(...options.versions);
  const version = Math.min(hello.version, highest);
  if (!options.versions.includes(version)) return record(21, Math.min(...options.versions), Buffer.from([2, 70]));
  const suite = options.suites.find((s) => hello.suites.includes(s));
  if (suite === undefined) return record(21, version, Buffer.from([2, 40]));
  const serverHello = Buffer.concat([
    Buffer.from([version >> 8, version & 0xff]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    Buffer.from([suite >> 8, suite & 0xff]),
    Buffer.from([0]),
  ]);
  const list = Buffer.concat(options.chain.map((der) => Buffer.concat([u24(der.length), der])));
  const certificate = Buffer.concat([u24(list.length), list]);
  const flight = Buffer.concat([handshake(2, serverHello), handshake(11, certificate), handshake(14, Buffer.alloc(0))]);
  return record(22, version, flight);
}

export async function startFakeTlsServer(options: FakeTlsOptions): Promise<FakeTlsServer> {
  const hellos: FakeTlsServer['hellos'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const hello = readHello(received);
      if (!hello) return;
      hellos.push(hello);
      socket.end(answer(options, hello));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    hellos,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
