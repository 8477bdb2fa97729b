// What an RTSP service shows before any login: its OPTIONS answer (the Server header, the methods), then
// DESCRIBE of a random path (how it answers a path that cannot exist), of `/` and of the catalog's stream
// paths in order, stopping at the first that describes a stream (200 with an SDP) or asks for credentials.
import { randomBytes } from 'node:crypto';
import { ProbeError } from '../connection.ts';
import { type Disclosure, headerDisclosures } from '../http/disclosure.ts';
import { AuthHeaderError, type Challenge, parseWwwAuthenticate } from '../http/www-authenticate.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { IdentifiedService } from '../service.ts';
import { rtspExchange, rtspUrl } from './client.ts';
import { rtspPaths } from './path-catalog.ts';
import { type SdpSummary, summarizeSdp } from './response.ts';

export interface DescribeAnswer {
  path: string;
  status: number;
  /** Set when the answer is 200 with a session description naming at least one medium. */
  sdp?: SdpSummary;
  /** The WWW-Authenticate challenges of a 401 (empty when there were none or they could not be read). */
  challenges: Challenge[];
  /** The raw WWW-Authenticate header, printable and short, for the record. */
  authenticate?: string;
}

export interface RtspObservation {
  service: IdentifiedService;
  /** The answer to OPTIONS *; absent when none could be read. */
  options?: { status: number; server?: string; methods: string[] };
  disclosures: Disclosure[];
  /** The answer to a random path that no device serves. */
  random?: DescribeAnswer;
  /** Every path described, in order (the random one excluded). */
  described: DescribeAnswer[];
  /** The first path described with a stream and no credentials. */
  stream?: DescribeAnswer;
  /** The first path that asked for credentials (Basic or Digest). */
  protectedPath?: DescribeAnswer;
  /** True when the random path got the same kind of answer as the stream or protected path: any path does. */
  anyPath: boolean;
  /** Why observing stopped early, if it did. */
  error?: string;
  failures: { path: string; reason: string }[];
}

function describeAnswer(path: string, status: number, headers: Record<string, string>, body: Buffer): DescribeAnswer {
  const answer: DescribeAnswer = { path, status, challenges: [] };
  if (status === 200) {
    const type = headers['content-type'];
    const sdp = type === undefined || /^application\/sdp\b/i.test(type) ? summarizeSdp(body) : undefined;
    if (sdp) answer.sdp = sdp;
  }
  const header = headers['www-authenticate'];
  if (status === 401 && header !== undefined) {
    answer.authenticate = header.slice(0, 300);
    try {
      answer.challenges = parseWwwAuthenticate(header);
    } catch (error) {
      if (!(error instanceof AuthHeaderError)) throw error;
    }
  }
  return answer;
}

/** The paths DESCRIBE asks for, in order: `/`, then the catalog's. */
export function candidatePaths(): string[] {
  return ['/', ...rtspPaths().map((p) => p.path)];
}

export async function observeRtsp(service: IdentifiedService, context: ProbeContext, paths = candidatePaths()): Promise<RtspObservation> {
  const { endpoint } = service;
  const observation: RtspObservation = { service, disclosures: [], described: [], anyPath: false, failures: [] };
  try {
    const options = await rtspExchange(context, endpoint, 'OPTIONS', '*');
    const server = options.headers.server;
    observation.options = {
      status: options.status,
      ...(server !== undefined ? { server: server.slice(0, 200) } : {}),
      methods: (options.headers.public ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter((m) => /^[A-Z_]{1,32}$/.test(m)),
    };
    observation.disclosures.push(...headerDisclosures(options.headers));
  } catch (error) {
    if (!(error instanceof ProbeError)) throw error;
    observation.error = `OPTIONS: ${error.message}`;
    return observation;
  }
  const describe = async (path: string): Promise<DescribeAnswer | undefined> => {
    try {
      const response = await rtspExchange(context, endpoint, 'DESCRIBE', rtspUrl(endpoint, path));
      return describeAnswer(path, response.status, response.headers, response.body);
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error;
      observation.failures.push({ path, reason: error.message });
      return undefined;
    }
  };
  const random = await describe(`/baseline-${randomBytes(6).toString('hex')}`);
  if (!random) {
    observation.error = `DESCRIBE of a random path: ${observation.failures[0]?.reason ?? 'no answer'}`;
    return observation;
  }
  observation.random = random;
  for (const path of paths) {
    if (context.signal.aborted) break;
    const answer = await describe(path);
    if (!answer) {
      // A device that stops answering is not asked the rest of the list.
      if (observation.failures.length >= 2) break;
      continue;
    }
    observation.described.push(answer);
    if (answer.sdp) {
      observation.stream = answer;
      observation.anyPath = random.sdp !== undefined;
      break;
    }
    if (answer.status === 401) {
      observation.protectedPath = answer;
      observation.anyPath = random.status === 401;
      break;
    }
  }
  return observation;
}
