// RTSP/1.0 responses (RFC 2326 section 7), read strictly and under bounds: a status line, header lines,
// an empty line and a body of exactly Content-Length bytes. A camera may send anything: whatever is not
// such a response, or is larger than the caps below, raises RtspParseError and nothing else.

export class RtspParseError extends Error {
  override readonly name = 'RtspParseError';
}

/** Most bytes of status line and headers read; a longer head is refused. */
export const MAX_RTSP_HEAD_BYTES = 16 * 1024;
/** Most header lines in one response. */
export const MAX_RTSP_HEADERS = 64;
/** Largest body accepted (an SDP description is a few hundred bytes). */
export const MAX_RTSP_BODY_BYTES = 64 * 1024;

export interface RtspResponse {
  /** "1.0" */
  version: string;
  status: number;
  reason: string;
  /** By lower-case name; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

const PREFIX = 'RTSP/';
const STATUS_LINE = /^RTSP\/(\d\.\d) ([1-5]\d\d)(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*?)[ \t]*$/;
const HEAD_END = /\r?\n\r?\n/;

interface Head {
  version: string;
  status: number;
  reason: string;
  headers: Record<string, string>;
  /** Offset of the body. */
  bodyStart: number;
  contentLength: number;
}

/** The head of the response at the front of `buffer`, or undefined while it is incomplete. */
function readHead(buffer: Buffer): Head | undefined {
  const start = buffer.subarray(0, PREFIX.length).toString('latin1');
  if (start !== PREFIX.slice(0, start.length)) throw new RtspParseError('not an RTSP response (no RTSP/ status line)');
  const text = buffer.subarray(0, MAX_RTSP_HEAD_BYTES).toString('latin1');
  const end = HEAD_END.exec(text);
  if (!end) {
    if (buffer.length >= MAX_RTSP_HEAD_BYTES) throw new RtspParseError(`response head longer than ${MAX_RTSP_HEAD_BYTES} bytes`);
    return undefined;
  }
  const lines = text.slice(0, end.index).split(/\r?\n/);
  const status = STATUS_LINE.exec(lines[0] ?? '');
  if (!status) throw new RtspParseError(`malformed status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  if (lines.length - 1 > MAX_RTSP_HEADERS) throw new RtspParseError(`more than ${MAX_RTSP_HEADERS} header lines`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const header = HEADER_LINE.exec(line);
    if (!header) throw new RtspParseError(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = (header[1] as string).toLowerCase();
    const value = header[2] as string;
    if (name === 'content-length' && Object.hasOwn(headers, name) && headers[name] !== value) {
      throw new RtspParseError('conflicting Content-Length headers');
    }
    headers[name] = Object.hasOwn(headers, name) && name !== 'content-length' ? `${headers[name]}, ${value}` : value;
  }
  let contentLength = 0;
  const declared = headers['content-length'];
  if (declared !== undefined) {
    if (!/^\d{1,10}$/.test(declared)) throw new RtspParseError(`invalid Content-Length ${JSON.stringify(declared.slice(0, 20))}`);
    contentLength = Number(declared);
    if (contentLength > MAX_RTSP_BODY_BYTES) throw new RtspParseError(`body of ${contentLength} bytes, more than ${MAX_RTSP_BODY_BYTES}`);
  }
  return {
    version: status[1] as string,
    status: Number(status[2]),
    reason: status[3] ?? '',
    headers,
    bodyStart: end.index + end[0].length,
    contentLength,
  };
}

/**
 * Length of the complete response at the front of `buffer`, or undefined while more is needed
 * (for Connection.readUntil). Throws RtspParseError as soon as the bytes cannot become a response.
 */
export function rtspResponseLength(buffer: Buffer): number | undefined {
  const head = readHead(buffer);
  if (!head) return undefined;
  const length = head.bodyStart + head.contentLength;
  return buffer.length >= length ? length : undefined;
}

/** Parses one complete response (as cut by rtspResponseLength); extra bytes after it are an error. */
export function parseRtspResponse(message: Buffer): RtspResponse {
  const head = readHead(message);
  if (!head) throw new RtspParseError('incomplete response head');
  const length = head.bodyStart + head.contentLength;
  if (message.length < length) throw new RtspParseError('incomplete response body');
  if (message.length > length) throw new RtspParseError('bytes after the response');
  return {
    version: head.version,
    status: head.status,
    reason: head.reason,
    headers: head.headers,
    body: message.subarray(head.bodyStart, length),
  };
}

/** What an SDP session description (RFC 8866) says about its media, when the body is one. */
export interface SdpSummary {
  /** The m= lines with the rtpmap attributes that name each codec, in order. */
  mediaLines: string[];
  sessionName?: string;
}

/** The media of an SDP body, or undefined when the body is not a description with at least one m= line. */
export function summarizeSdp(body: Buffer): SdpSummary | undefined {
  const text = body.toString('latin1');
  const lines = text.split(/\r?\n/);
  if (lines[0] !== 'v=0') return undefined;
  const mediaLines: string[] = [];
  let sessionName: string | undefined;
  for (const line of lines) {
    if (line.startsWith('s=') && sessionName === undefined) sessionName = line.slice(2);
    if (/^m=[a-z]+ \d+(?:\/\d+)? [A-Za-z0-9/]+/.test(line) || line.startsWith('a=rtpmap:')) mediaLines.push(line);
  }
  if (!mediaLines.some((l) => l.startsWith('m='))) return undefined;
  return { mediaLines, ...(sessionName !== undefined ? { sessionName } : {}) };
}
