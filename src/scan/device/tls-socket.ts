// A TLS session over a gated socket, for speaking the protocol inside (HTTP over TLS, MQTT over TLS).
// Certificates are not verified here: the point is to reach the service; the TLS checks judge the
// certificate separately. Old protocol versions are allowed so that an old device can still be examined.
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { type Endpoint, ProbeError, socketError } from './connection.ts';
import type { ProbeContext } from './probe-context.ts';

export async function openTlsSocket(context: ProbeContext, endpoint: Endpoint, alpn?: string[]): Promise<TLSSocket> {
  const raw = await context.openGatedSocket(endpoint);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      socket: raw,
      rejectUnauthorized: false,
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
      ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
      ...(alpn ? { ALPNProtocols: alpn } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProbeError('timeout', `no TLS handshake within ${context.limits.readTimeoutMs} ms`));
    }, context.limits.readTimeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        error.code?.startsWith('ERR_SSL') || /alert|handshake|SSL/i.test(error.message)
          ? new ProbeError('protocol', `TLS handshake failed: ${error.message}`)
          : socketError(error),
      );
    });
    raw.once('close', () => socket.destroy());
  });
}
