// Gathers what an HTTP service shows without credentials: the root page (following same-origin redirects),
// a random path (to know how the device answers paths it does not have), the common login pages, and the
// catalog's endpoints. Only GET requests, each bounded in time and size. The checks judge the result.
import { randomBytes } from 'node:crypto';
import { ProbeError } from '../connection.ts';
import { httpRequest, type HttpResponse } from '../http-client.ts';
import type { ProbeContext } from '../probe-context.ts';
import { type IdentifiedService, printable } from '../service.ts';
import { type Disclosure, headerDisclosures, pageDisclosures } from './disclosure.ts';
import { type EndpointAnswer, type EndpointCatalog, type EndpointEntry, looksExposed } from './endpoint-catalog.ts';
import { AuthHeaderError, type Challenge, parseWwwAuthenticate } from './www-authenticate.ts';

export interface LoginInterface {
  path: string;
  /** http-auth: a 401 with WWW-Authenticate; form: a page with a password field. */
  kind: 'http-auth' | 'form';
  /** Scheme names as sent, for http-auth ("Basic", "Digest"). */
  schemes: string[];
  challenges: Challenge[];
  realm?: string;
}

export interface ExposedEndpoint {
  entry: Pick<EndpointEntry, 'id' | 'path' | 'title' | 'kind' | 'severity'>;
  bytes: number;
  /** The start of the body, printable; the checks redact what looks like a secret. */
  excerpt: string;
}

export interface HttpObservation {
  service: IdentifiedService;
  root?: { path: string; status: number; server?: string; title?: string; redirect?: string; hsts?: string };
  /** Status the device gave a random path: 200 means it answers every path. */
  randomPathStatus?: number;
  disclosures: Disclosure[];
  loginInterfaces: LoginInterface[];
  endpointsChecked: number;
  exposed: ExposedEndpoint[];
  /** Paths whose request failed, with why. */
  failures: { path: string; reason: string }[];
}

const PAGE_BYTES = 128 * 1024;
const ENDPOINT_BYTES = 64 * 1024;
const MAX_REDIRECTS = 3;
const PARALLEL = 4;

type Fetched = { ok: true; response: HttpResponse } | { ok: false; reason: string };

export async function observeHttp(service: IdentifiedService, context: ProbeContext, catalog: EndpointCatalog): Promise<HttpObservation> {
  const observation: HttpObservation = {
    service,
    disclosures: [],
    loginInterfaces: [],
    endpointsChecked: 0,
    exposed: [],
    failures: [],
  };
  const fetch = async (path: string, maxBody: number): Promise<Fetched> => {
    try {
      return { ok: true, response: await httpRequest(context, service.endpoint, { path, tls: service.tls, maxBody }) };
    } catch (error) {
      const reason = error instanceof ProbeError ? error.message : `request failed: ${(error as Error).message}`;
      observation.failures.push({ path, reason });
      return { ok: false, reason };
    }
  };

  // The root page, through same-origin redirects (a login page is often one hop away).
  let path = '/';
  let root: HttpResponse | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const fetched = await fetch(path, PAGE_BYTES);
    if (!fetched.ok) break;
    root = fetched.response;
    const next = root.status >= 300 && root.status < 400 ? sameOriginPath(root.headers.location, service) : undefined;
    if (!next || next === path) break;
    path = next;
  }
  if (!root) return observation;
  observation.root = {
    path,
    status: root.status,
    ...(root.headers.server ? { server: printable(root.headers.server, 120) } : {}),
    ...(root.status >= 300 && root.status < 400 && root.headers.location ? { redirect: printable(root.headers.location, 120) } : {}),
    ...(root.headers['strict-transport-security'] ? { hsts: printable(root.headers['strict-transport-security'], 200) } : {}),
    ...titleOf(root.body),
  };
  observation.disclosures.push(...headerDisclosures(root.headers));
  observation.disclosures.push(...pageDisclosures(`page ${path}`, root.body.toString('latin1')));
  noteLogin(observation, path, root);

  // A path no device has: how it answers unknown paths, and what its error page says.
  const randomPath = `/baseline-${randomBytes(6).toString('hex')}`;
  const random = await fetch(randomPath, ENDPOINT_BYTES);
  let randomAnswer: EndpointAnswer | undefined;
  if (random.ok) {
    observation.randomPathStatus = random.response.status;
    randomAnswer = { status: random.response.status, body: random.response.body };
    observation.disclosures.push(...pageDisclosures(`error page for ${randomPath}`, random.response.body.toString('latin1')));
  }

  const loginPaths = catalog.loginPaths.filter((p) => p !== path);
  await eachLimited(loginPaths, PARALLEL, async (loginPath) => {
    const fetched = await fetch(loginPath, PAGE_BYTES);
    if (fetched.ok && !(random.ok && sameAnswer(fetched.response, random.response))) noteLogin(observation, loginPath, fetched.response);
  });

  await eachLimited(catalog.endpoints, PARALLEL, async (entry) => {
    const fetched = await fetch(entry.path, ENDPOINT_BYTES);
    if (!fetched.ok) return;
    observation.endpointsChecked++;
    const { response } = fetched;
    if (response.status === 401) noteLogin(observation, entry.path, response);
    if (looksExposed(entry, { status: response.status, body: response.body }, randomAnswer)) {
      observation.exposed.push({
        entry: { id: entry.id, path: entry.path, title: entry.title, kind: entry.kind, severity: entry.severity },
        bytes: response.body.length,
        excerpt: printable(response.body.subarray(0, 600), 600),
      });
    }
  });
  observation.exposed.sort((a, b) => a.entry.path.localeCompare(b.entry.path));
  observation.loginInterfaces.sort((a, b) => loginRank(a) - loginRank(b) || a.path.localeCompare(b.path));
  return observation;
}

/** The root page first, then HTTP authentication before forms. */
function loginRank(login: LoginInterface): number {
  return (login.path === '/' ? 0 : 2) + (login.kind === 'http-auth' ? 0 : 1);
}

function noteLogin(observation: HttpObservation, path: string, response: HttpResponse): void {
  if (observation.loginInterfaces.some((l) => l.path === path)) return;
  const header = response.headers['www-authenticate'];
  if (response.status === 401 && header !== undefined) {
    let challenges: Challenge[] = [];
    try {
      challenges = parseWwwAuthenticate(header);
    } catch (error) {
      if (!(error instanceof AuthHeaderError)) throw error;
      observation.failures.push({ path, reason: `unreadable WWW-Authenticate header (${error.message}): ${printable(header, 120)}` });
    }
    const realm = challenges.find((c) => c.params.realm !== undefined)?.params.realm;
    observation.loginInterfaces.push({
      path,
      kind: 'http-auth',
      schemes: challenges.length > 0 ? challenges.map((c) => c.scheme) : ['(unreadable)'],
      challenges,
      ...(realm !== undefined ? { realm: printable(realm, 80) } : {}),
    });
  } else if (response.status === 200 && hasPasswordField(response.body)) {
    observation.loginInterfaces.push({ path, kind: 'form', schemes: [], challenges: [] });
  }
}

export function hasPasswordField(body: Buffer): boolean {
  return /<input\b[^>]*\btype\s*=\s*["']?password\b/i.test(body.subarray(0, PAGE_BYTES).toString('latin1'));
}

function titleOf(body: Buffer): { title?: string } {
  const match = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(body.subarray(0, PAGE_BYTES).toString('latin1'));
  const title = match?.[1]?.trim();
  return title ? { title: printable(title, 100) } : {};
}

/** Same status and body: the device's generic answer, not a page of its own. */
function sameAnswer(a: HttpResponse, b: HttpResponse): boolean {
  return a.status === b.status && a.body.equals(b.body);
}

/** The path of a redirect that stays on this service, or undefined. */
export function sameOriginPath(location: string | undefined, service: IdentifiedService): string | undefined {
  if (!location) return undefined;
  const scheme = service.tls ? 'https' : 'http';
  const { host, port } = service.endpoint;
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  let url: URL;
  try {
    url = new URL(location, `${scheme}://${authority}/`);
  } catch {
    return undefined;
  }
  const urlPort = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const urlHost = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== `${scheme}:` || urlHost !== host || urlPort !== port) return undefined;
  return `${url.pathname}${url.search}`;
}

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
