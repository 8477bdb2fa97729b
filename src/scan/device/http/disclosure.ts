// What a service says about its own software before anyone logs in (EN 303 645 5.6-2): product and
// version strings in HTTP headers, default and error pages, telnet and FTP banners. A version lets an
// attacker pick the matching exploit without touching the device, so it is what these helpers look for.
import type { FindingDraft } from '../../check.ts';

export interface Disclosure {
  /** Where it was seen: "Server header", "error page for /x", "FTP greeting". */
  where: string;
  /** What was seen, printable and short. */
  text: string;
  /** True when it includes a version number. */
  versioned: boolean;
}

/** Response headers that name software; each may carry a version. */
export const SOFTWARE_HEADERS = [
  'server',
  'x-powered-by',
  'x-aspnet-version',
  'x-aspnetmvc-version',
  'x-generator',
  'x-server',
  'x-software',
  'x-firmware-version',
  'via',
] as const;

// IPv4 addresses look like versions; they are removed before looking.
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;
const PROTOCOL_NAMES = new Set(['http', 'https', 'rtsp', 'sip', 'ftp', 'tls', 'ssl', 'rfc', 'utf', 'iso']);
// A name followed by a dotted version: nginx/1.22.1, vsFTPd 3.0.3, BusyBox v1.35.0, PHP/8.2.7.
const NAME_VERSION = /\b([A-Za-z][A-Za-z0-9+_.-]*?)[ /_-]?v?(\d+(?:\.\d+)+[a-z]?)\b/g;
// Distributions name a bare major version: "Debian GNU/Linux 12", "Ubuntu 22.04 LTS".
const OS_VERSION =
  /\b(Debian|Ubuntu|Raspbian|OpenWrt|LEDE|Fedora|CentOS|Alpine|Android|Yocto|Poky|Buildroot|DD-WRT|Tomato|Linux)\b[^\r\n\d]{0,24}?v?(\d+(?:\.\d+)*)\b/i;

/** The first product-with-version mentioned in `text`, e.g. "nginx/1.22.1", or undefined. */
export function versionMention(text: string): string | undefined {
  const cleaned = text.replace(IPV4, ' ');
  for (const match of cleaned.matchAll(NAME_VERSION)) {
    const name = match[1] ?? '';
    if (name.length < 2 || PROTOCOL_NAMES.has(name.toLowerCase()) || !/[A-Za-z]{2}/.test(name)) continue;
    return match[0];
  }
  const os = OS_VERSION.exec(cleaned);
  return os ? os[0].replace(/\s+/g, ' ') : undefined;
}

/** Disclosures in a banner or greeting line. */
export function bannerDisclosure(where: string, banner: string): Disclosure | undefined {
  const version = versionMention(banner);
  return version ? { where, text: version, versioned: true } : undefined;
}

/** Software named by the response headers, with or without a version. */
export function headerDisclosures(headers: Record<string, string>): Disclosure[] {
  const found: Disclosure[] = [];
  for (const name of SOFTWARE_HEADERS) {
    const value = headers[name];
    if (value === undefined || value.trim() === '') continue;
    const text = value.trim().slice(0, 200);
    // A bare number is a version too (X-AspNet-Version: 4.0.30319), except in Via, which starts with the protocol's.
    const bareVersion = name !== 'via' && /^v?\d+(?:\.\d+)+/.test(text);
    found.push({ where: `${headerLabel(name)} header`, text, versioned: bareVersion || versionMention(text) !== undefined });
  }
  return found;
}

function headerLabel(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
}

interface PageSignature {
  pattern: RegExp;
  software: string;
}

// Stock pages that ship with a web server or framework: a device showing one reveals what it runs.
const DEFAULT_PAGES: PageSignature[] = [
  { pattern: /<title>\s*Welcome to nginx!?\s*<\/title>/i, software: 'nginx default page' },
  { pattern: /<title>\s*Apache2 (?:Debian|Ubuntu) Default Page/i, software: 'Apache 2 default page' },
  { pattern: /<h1>\s*It works!\s*<\/h1>/i, software: 'Apache "It works!" page' },
  { pattern: /<title>\s*Test Page for the (?:Nginx|Apache) HTTP Server/i, software: 'web server test page' },
  { pattern: /<title>\s*IIS Windows Server\s*<\/title>/i, software: 'IIS default page' },
  { pattern: /lighttpd[^<]{0,40}(?:placeholder|default) page|<title>\s*Placeholder page\s*<\/title>/i, software: 'lighttpd default page' },
];

// Server signatures in error pages and footers: nginx, Apache, lighttpd and the small embedded servers.
const SERVER_SIGNATURE =
  /\b(nginx|Apache|lighttpd|Boa|GoAhead-Webs|GoAhead|mini_httpd|thttpd|uhttpd|micro_httpd|RomPager|Allegro-Software-RomPager|Jetty|Microsoft-IIS|openresty|Mongoose|Cherokee|Hiawatha|BusyBox httpd)[/ ]v?(\d+(?:\.\d+)+)/i;
const GENERATOR = /<meta[^>]+name\s*=\s*["']generator["'][^>]*content\s*=\s*["']([^"']{1,120})["']/i;

/** Software named by a page body: stock pages, server signatures in error pages, generator tags. */
export function pageDisclosures(where: string, body: string): Disclosure[] {
  const found: Disclosure[] = [];
  for (const page of DEFAULT_PAGES) {
    if (page.pattern.test(body)) found.push({ where, text: page.software, versioned: false });
  }
  const signature = SERVER_SIGNATURE.exec(body);
  if (signature) found.push({ where, text: signature[0], versioned: true });
  const generator = GENERATOR.exec(body);
  if (generator?.[1]) found.push({ where: `${where} (generator tag)`, text: generator[1], versioned: /\d/.test(generator[1]) });
  return found;
}

/**
 * The verdict on what a server disclosed: fail when a version is named, info for a bare product name, pass
 * when nothing is named. `server` says which ("web server", "RTSP server"); `nothing` is the pass message.
 */
export function disclosureVerdict(
  location: FindingDraft['location'],
  disclosures: readonly Disclosure[],
  server: string,
  nothing: string,
): FindingDraft {
  const listed = (list: readonly Disclosure[]) => list.map((d) => `${d.text} (${d.where})`).join(', ');
  const versioned = disclosures.filter((d) => d.versioned);
  const evidence = disclosures.map((d) => `${d.where}: ${d.text}`).join('\n');
  if (versioned.length > 0)
    return { result: 'fail', location, message: `without a login the ${server} discloses ${listed(versioned)}`, evidence };
  if (disclosures.length > 0)
    return { result: 'info', location, message: `the ${server} names its software without a version: ${listed(disclosures)}`, evidence };
  return { result: 'pass', location, message: nothing };
}
