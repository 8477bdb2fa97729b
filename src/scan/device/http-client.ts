// HTTP requests to a device: node's own HTTP parser over a gated socket (plain or TLS), with a deadline on
// the whole exchange and a cap on the body. Redirects are not followed: each probe names the URL it wants.
import { request } from 'node:http';
import type { Socket } from 'node:net';
import type { Endpoint } from './connection.ts';
import { ProbeError } from './connection.ts';
import type { ProbeContext } from './probe-context.ts';
import { openTlsSocket } from './tls-socket.ts';
import { endpointText } from './target.ts';

export interface HttpResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", " (set-cookie kept as a list by node is joined too). */
  headers: Record<string, string>;
  body: Buffer;
  /** True when the body was longer than the cap and cut off. */
  truncated: boolean;
}

export interface HttpRequestOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  tls: boolean;
  /** The Host header, when not the endpoint itself (a URL's host name). */
  hostHeader?: string;
  maxBody?: number;
  body?: string;
}

export async function httpRequest(context: ProbeContext, endpoint: Endpoint, options: HttpRequestOptions): Promise<HttpResponse> {
  const socket: Socket = options.tls ? await openTlsSocket(context, endpoint) : await context.openGatedSocket(endpoint);
  const maxBody = options.maxBody ?? 256 * 1024;
  const timeoutMs = context.limits.readTimeoutMs;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: ProbeError | undefined, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else if (response) resolve(response);
    };
    const timer = setTimeout(() => finish(new ProbeError('timeout', `no complete HTTP response within ${timeoutMs} ms`)), timeoutMs);
    const req = request({
      createConnection: () => socket,
      method: options.method ?? 'GET',
      path: options.path,
      headers: {
        host: options.hostHeader ?? endpointText(endpoint.host, endpoint.port),
        'user-agent': 'baseline-probe',
        connection: 'close',
        ...options.headers,
      },
      maxHeaderSize: 64 * 1024,
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        new ProbeError(error.code === 'HPE_HEADER_OVERFLOW' ? 'too-large' : 'protocol', `not a valid HTTP response: ${error.message}`),
      ),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const done = () => finish(undefined, { status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), truncated });
      res.on('data', (chunk: Buffer) => {
        if (size + chunk.length > maxBody) {
          chunks.push(chunk.subarray(0, maxBody - size));
          size = maxBody;
          truncated = true;
          done();
        } else {
          chunks.push(chunk);
          size += chunk.length;
        }
      });
      res.on('end', done);
      res.on('aborted', done);
      res.on('error', () => done());
    });
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
