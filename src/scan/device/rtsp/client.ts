// RTSP requests over the probe's bounded Connection: OPTIONS and DESCRIBE only (nothing that sets up or
// plays a stream), one CSeq per request, the answer read by the strict parser under --timeout and the
// connection's byte budget. Anything the device sends that is not a response becomes a ProbeError.
import { type Connection, type Endpoint, ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { endpointText } from '../target.ts';
import { parseRtspResponse, RtspParseError, type RtspResponse, rtspResponseLength } from './response.ts';

export type RtspMethod = 'OPTIONS' | 'DESCRIBE';

/** The absolute URL of a path on the endpoint, as RTSP requests name it. */
export function rtspUrl(endpoint: Endpoint, path: string): string {
  return `rtsp://${endpointText(endpoint.host, endpoint.port)}${path}`;
}

export class RtspSession {
  private cseq = 0;
  private readonly connection: Connection;
  private readonly timeoutMs: number;

  private constructor(connection: Connection, timeoutMs: number) {
    this.connection = connection;
    this.timeoutMs = timeoutMs;
  }

  static async open(context: ProbeContext, endpoint: Endpoint): Promise<RtspSession> {
    return new RtspSession(await context.connect(endpoint), context.limits.readTimeoutMs);
  }

  /** Sends one request and reads its response. `uri` is "*" or an absolute rtsp:// URL. */
  async request(method: RtspMethod, uri: string, headers: Record<string, string> = {}): Promise<RtspResponse> {
    const cseq = ++this.cseq;
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${cseq}`, 'User-Agent: baseline-probe'];
    if (method === 'DESCRIBE') lines.push('Accept: application/sdp');
    for (const [name, value] of Object.entries(headers)) {
      if (/[\r\n]/.test(name + value)) throw new Error(`header ${name} carries a line break`);
      lines.push(`${name}: ${value}`);
    }
    await this.connection.write(`${lines.join('\r\n')}\r\n\r\n`);
    const message = await this.connection.readUntil(
      (buffer) => {
        try {
          return rtspResponseLength(buffer);
        } catch (error) {
          if (error instanceof RtspParseError) throw new ProbeError('protocol', `not a valid RTSP response: ${error.message}`);
          throw error;
        }
      },
      this.timeoutMs,
      `an RTSP response to ${method}`,
    );
    const response = parseRtspResponse(message);
    const echoed = response.headers.cseq;
    if (echoed !== undefined && echoed.trim() !== String(cseq)) {
      throw new ProbeError('protocol', `the RTSP response carried CSeq ${echoed.slice(0, 20)} for request ${cseq}`);
    }
    return response;
  }

  close(): void {
    this.connection.close();
  }
}

/** One request on a connection of its own. */
export async function rtspExchange(
  context: ProbeContext,
  endpoint: Endpoint,
  method: RtspMethod,
  uri: string,
  headers: Record<string, string> = {},
): Promise<RtspResponse> {
  const session = await RtspSession.open(context, endpoint);
  try {
    return await session.request(method, uri, headers);
  } finally {
    session.close();
  }
}
