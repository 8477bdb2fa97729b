// One GET of a document by URL for the disclosure probe: the URL's scheme, host and port pick the
// endpoint, its host is the Host header, and a redirect is reported rather than followed.
import { isIP } from 'node:net';
import type { Endpoint } from '../connection.ts';
import { ProbeError } from '../connection.ts';
import { httpRequest } from '../http-client.ts';
import type { ProbeContext } from '../probe-context.ts';

export interface UrlTarget {
  url: string;
  endpoint: Endpoint;
  tls: boolean;
  path: string;
  hostHeader: string;
}

/** Where a web URL points, or why it cannot be fetched. */
export function urlTarget(url: string): UrlTarget | { error: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: 'not a valid URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { error: `not a web URL (${parsed.protocol})` };
  const tls = parsed.protocol === 'https:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return { error: 'no host name' };
  const port = parsed.port ? Number(parsed.port) : tls ? 443 : 80;
  return { url: parsed.href, endpoint: { host, port }, tls, path: `${parsed.pathname}${parsed.search}`, hostHeader: parsed.host };
}

/** The URL of a path on an endpoint, named by `hostName` when the device has one. */
export function endpointUrl(endpoint: Endpoint, tls: boolean, path: string, hostName?: string): string {
  const host = hostName ?? (isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host);
  return new URL(`${tls ? 'https' : 'http'}://${host}:${endpoint.port}${path}`).href;
}

export interface FetchedDocument {
  url: string;
  endpoint: Endpoint;
  tls: boolean;
  /** Set when the server answered. */
  status?: number;
  contentType?: string;
  /** Where a redirect pointed (not followed). */
  redirect?: string;
  body?: Buffer;
  /** The body was longer than the cap and cut off. */
  truncated?: boolean;
  /** Content-Length, when the server gave one. */
  declaredLength?: number;
  /** Why nothing usable came back (refused, timed out, not HTTP). */
  error?: string;
}

export async function fetchDocument(context: ProbeContext, target: UrlTarget, maxBody: number): Promise<FetchedDocument> {
  const base = { url: target.url, endpoint: target.endpoint, tls: target.tls };
  try {
    const response = await httpRequest(context, target.endpoint, {
      path: target.path,
      tls: target.tls,
      hostHeader: target.hostHeader,
      maxBody,
      headers: { accept: 'text/plain, text/html;q=0.5, */*;q=0.1' },
    });
    const length = Number(response.headers['content-length']);
    const isRedirect = response.status >= 300 && response.status < 400;
    return {
      ...base,
      status: response.status,
      ...(response.headers['content-type'] !== undefined ? { contentType: response.headers['content-type'] } : {}),
      ...(isRedirect ? { redirect: response.headers.location ?? '(no Location header)' } : {}),
      body: response.body,
      truncated: response.truncated,
      ...(Number.isSafeInteger(length) && length >= 0 ? { declaredLength: length } : {}),
    };
  } catch (error) {
    if (error instanceof ProbeError) return { ...base, error: `${error.kind}: ${error.message}` };
    return { ...base, error: error instanceof Error ? error.message : String(error) };
  }
}

/** A body that is an HTML page rather than a text file: many devices answer every path with their web UI. */
export function isHtmlPage(body: Buffer): boolean {
  return /^\s*(<!doctype|<html|<head|<body|<\?xml|<!--|<[a-z]+[\s>])/i.test(body.subarray(0, 512).toString('latin1'));
}
