// What the CoAP prober sees on a UDP port, gathered without judging: the answer to GET /.well-known/core
// (the resource list, RFC 6690, followed through Block2 up to a bound), then a GET of the few listed
// resources that look like configuration, credentials, keys or firmware (catalog/probe/coap-resources.yaml),
// beside a GET of a random path to tell a device that answers everything alike. Only confirmable GETs and
// pings are sent; never PUT, POST or DELETE, and never a query string.
import { randomBytes } from 'node:crypto';
import { SEVERITY_ORDER } from '../../../findings/schema.ts';
import { ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { type IdentifiedService, printable } from '../service.ts';
import { endpointText } from '../target.ts';
import type { UdpChannel } from '../udp.ts';
import { CoapClient, type Fetched } from './client.ts';
import { type CoreLink, parseLinkFormat } from './link-format.ts';
import { COAP_CODE } from './message.ts';
import { classifyResource, type CoapResourceEntry } from './resource-catalog.ts';

export const WELL_KNOWN_CORE = ['.well-known', 'core'];
/** Resources fetched per service, at most: a few, as a probe and not a crawl. */
export const MAX_RESOURCE_FETCHES = 4;
/** A resource list longer than this is not read further. */
const MAX_DISCOVERY_BYTES = 64 * 1024;
const MAX_DISCOVERY_BLOCKS = 64;
const MAX_RESOURCE_BYTES = 16 * 1024;
const MAX_RESOURCE_BLOCKS = 16;
/** Characters of a resource's content kept as evidence. */
const EXCERPT_CHARS = 300;

export interface CoapScanOptions {
  /** Block size exponent (0: 16 bytes ... 6: 1024) asked for in every GET; none lets the server choose. */
  blockSzx?: number;
}

export interface Discovery {
  code?: number;
  contentFormat?: number;
  /** True when the server answered the GET with RST. */
  reset: boolean;
  bytes: number;
  blocks: number;
  blockSize?: number;
  truncated?: string;
  separate: boolean;
  links: CoreLink[];
  moreLinks: number;
  malformed: number;
}

export interface ResourceFetch {
  path: string;
  entry: CoapResourceEntry;
  code?: number;
  reset?: boolean;
  bytes: number;
  contentFormat?: number;
  /** The start of the content, printable, secrets not yet redacted. */
  excerpt: string;
  /** Served without authorisation: 2.05 with content, unlike the answer to a random path. */
  exposed: boolean;
  /** Why it could not be fetched or judged. */
  problem?: string;
}

export interface CoapObservation {
  service: IdentifiedService;
  /** The answer to GET /.well-known/core; absent when none came. */
  discovery?: Discovery;
  /** True when the endpoint answered a CoAP ping (asked only when the GET went unanswered). */
  pong?: boolean;
  /** The sensitive-looking resources fetched, most severe first. */
  resources: ResourceFetch[];
  /** Sensitive-looking resources listed but not fetched (the bound, or a query in the link). */
  notFetched: string[];
  /** The code of the answer to a random path, when one was asked (before fetching any resource). */
  randomPathCode?: number;
  transmissions: number;
  /** Datagrams ignored: not CoAP, or not matching a request's message id and token. */
  ignored: number;
  /** Datagrams dropped for their size. */
  oversized: number;
  elapsedMs: number;
  incomplete: { part: string; reason: string }[];
}

/** The Uri-Path segments of a link target that is a plain path on the device itself; undefined otherwise. */
export function pathSegments(target: string): string[] | undefined {
  if (!target.startsWith('/') || target.startsWith('//') || /[?#]/.test(target)) return undefined;
  try {
    return target
      .slice(1)
      .split('/')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

function isWellKnownCore(segments: string[]): boolean {
  return segments.length === 2 && segments[0] === WELL_KNOWN_CORE[0] && segments[1] === WELL_KNOWN_CORE[1];
}

/** The listed resources the catalog names, most severe first, each path once. */
export function sensitiveResources(links: CoreLink[]): { path: string; segments?: string[]; entry: CoapResourceEntry }[] {
  const seen = new Set<string>();
  const found: { path: string; segments?: string[]; entry: CoapResourceEntry; order: number }[] = [];
  links.forEach((link, order) => {
    const bare = link.target.split(/[?#]/)[0] ?? '';
    const entry = classifyResource(bare);
    if (!entry || seen.has(link.target)) return;
    seen.add(link.target);
    const segments = pathSegments(link.target);
    if (segments && isWellKnownCore(segments)) return;
    found.push({ path: link.target, ...(segments ? { segments } : {}), entry, order });
  });
  const rank = (e: CoapResourceEntry) => SEVERITY_ORDER.indexOf(e.severity);
  return found.sort((a, b) => rank(b.entry) - rank(a.entry) || a.order - b.order).map(({ order: _order, ...rest }) => rest);
}

function reasonOf(error: unknown): string {
  if (error instanceof ProbeError && error.kind !== 'aborted') return error.message;
  throw error;
}

export async function scanCoap(context: ProbeContext, service: IdentifiedService, options: CoapScanOptions = {}): Promise<CoapObservation> {
  const { endpoint } = service;
  const where = `${endpointText(endpoint.host, endpoint.port)} (UDP)`;
  const started = Date.now();
  const observation: CoapObservation = {
    service,
    resources: [],
    notFetched: [],
    transmissions: 0,
    ignored: 0,
    oversized: 0,
    elapsedMs: 0,
    incomplete: [],
  };
  const timeoutMs = context.limits.readTimeoutMs;
  let channel: UdpChannel;
  try {
    channel = await context.openUdp(endpoint);
  } catch (error) {
    observation.incomplete.push({ part: `CoAP on ${where}`, reason: reasonOf(error) });
    return observation;
  }
  const client = new CoapClient(channel, timeoutMs);
  const block = options.blockSzx !== undefined ? { szx: options.blockSzx } : {};
  try {
    let answer: Fetched | undefined;
    try {
      answer = await client.fetch(WELL_KNOWN_CORE, {
        maxBytes: MAX_DISCOVERY_BYTES,
        maxBlocks: MAX_DISCOVERY_BLOCKS,
        totalMs: 3 * timeoutMs,
        ...block,
      });
    } catch (error) {
      const reason = reasonOf(error);
      observation.incomplete.push({ part: `CoAP GET /.well-known/core on ${where}`, reason });
      if (error instanceof ProbeError && error.kind === 'timeout' && !channel.finished) {
        observation.pong = await client.ping(Math.min(timeoutMs, 2000));
      }
    }
    if (answer) {
      const list =
        answer.code === COAP_CODE.content ? parseLinkFormat(answer.payload.toString('utf8')) : { links: [], more: 0, malformed: 0 };
      observation.discovery = {
        ...(answer.code !== undefined ? { code: answer.code } : {}),
        ...(answer.contentFormat !== undefined ? { contentFormat: answer.contentFormat } : {}),
        reset: answer.code === undefined,
        bytes: answer.payload.length,
        blocks: answer.blocks,
        ...(answer.blockSize !== undefined ? { blockSize: answer.blockSize } : {}),
        ...(answer.truncated !== undefined ? { truncated: answer.truncated } : {}),
        separate: answer.separate,
        links: list.links,
        moreLinks: list.more,
        malformed: list.malformed,
      };
      if (answer.truncated)
        observation.incomplete.push({ part: `CoAP resource list on ${where}`, reason: `read in part: ${answer.truncated}` });
      context.progress(`coap ${where}: GET /.well-known/core answered, ${list.links.length + list.more} resources listed`);
      await fetchSensitive(client, observation, list.links, timeoutMs, block);
    }
  } catch (error) {
    observation.incomplete.push({ part: `CoAP on ${where}`, reason: `the CoAP probe stopped: ${reasonOf(error)}` });
  } finally {
    observation.transmissions = client.transmissions;
    observation.ignored = channel.ignored;
    observation.oversized = channel.oversized;
    observation.elapsedMs = Date.now() - started;
    channel.close();
  }
  return observation;
}

async function fetchSensitive(
  client: CoapClient,
  observation: CoapObservation,
  links: CoreLink[],
  timeoutMs: number,
  block: { szx?: number },
): Promise<void> {
  const candidates = sensitiveResources(links);
  const fetchable = candidates.filter((c) => c.segments !== undefined).slice(0, MAX_RESOURCE_FETCHES);
  observation.notFetched = candidates.filter((c) => !fetchable.includes(c)).map((c) => c.path);
  if (fetchable.length === 0) return;
  const bounds = { maxBytes: MAX_RESOURCE_BYTES, maxBlocks: MAX_RESOURCE_BLOCKS, totalMs: 2 * timeoutMs, ...block };
  let random: Fetched | undefined;
  try {
    random = await client.fetch([`baseline-${randomBytes(6).toString('hex')}`], bounds);
    if (random.code !== undefined) observation.randomPathCode = random.code;
  } catch (error) {
    // A random path may go unanswered; anything worse than that ends the probe of this service.
    if (!(error instanceof ProbeError) || error.kind !== 'timeout') throw error;
  }
  const sameAsRandom = (payload: Buffer) => random?.code === COAP_CODE.content && random.payload.equals(payload);
  for (const candidate of fetchable) {
    const fetch: ResourceFetch = { path: candidate.path, entry: candidate.entry, bytes: 0, excerpt: '', exposed: false };
    observation.resources.push(fetch);
    try {
      const answer = await client.fetch(candidate.segments!, bounds);
      if (answer.code === undefined) fetch.reset = true;
      else fetch.code = answer.code;
      if (answer.contentFormat !== undefined) fetch.contentFormat = answer.contentFormat;
      fetch.bytes = answer.payload.length;
      fetch.excerpt = printable(answer.payload.subarray(0, EXCERPT_CHARS * 2), EXCERPT_CHARS);
      fetch.exposed = answer.code === COAP_CODE.content && answer.payload.length > 0 && !sameAsRandom(answer.payload);
      if (answer.truncated) fetch.problem = `read in part: ${answer.truncated}`;
    } catch (error) {
      if (!(error instanceof ProbeError) || error.kind !== 'timeout') throw error;
      fetch.problem = error.message;
    }
  }
}
