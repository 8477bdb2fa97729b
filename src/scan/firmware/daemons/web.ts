// The web servers embedded devices use for their admin interface, read just far enough to tell whether
// the interface is reachable over plain HTTP and which TLS settings it has: nginx (a block-structured
// parser), lighttpd (assignments and conditional blocks, read line by line) and OpenWrt's uhttpd (UCI).
import type { FirmwareContext } from '../firmware-check.ts';
import { resolveInImage } from '../image-fs.ts';
import { isLoopback, MAX_LINE_CHARS, numberedLines, parseUci, type UciSection } from './config-text.ts';

const MAX_DIRECTIVES = 100_000;
const MAX_DEPTH = 64;
const MAX_WORDS = 256;

// --- nginx ---------------------------------------------------------------------------------------------

export interface NginxDirective {
  name: string;
  args: string[];
  line: number;
  block?: NginxDirective[];
}

/** Parses nginx configuration syntax into directives and blocks, one pass over the characters. */
export function parseNginx(text: string): NginxDirective[] {
  const root: NginxDirective[] = [];
  const stack: NginxDirective[][] = [root];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  let line = 1;
  let startLine = 1;
  let count = 0;
  const endWord = () => {
    if (inWord && words.length < MAX_WORDS) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < text.length && count < MAX_DIRECTIVES; i++) {
    const c = text[i] as string;
    if (c === '\n') line++;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && i + 1 < text.length) word += text[++i];
      else if (word.length < MAX_LINE_CHARS) word += c;
      continue;
    }
    if (c === '#' && !inWord) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end - 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      endWord();
      continue;
    }
    if (c === ';' || c === '{' || c === '}') {
      endWord();
      const current = stack[stack.length - 1] as NginxDirective[];
      if (c === '}') {
        words = [];
        if (stack.length > 1) stack.pop();
        continue;
      }
      if (words.length) {
        const [name, ...args] = words as [string, ...string[]];
        const directive: NginxDirective = { name, args, line: startLine };
        count++;
        current.push(directive);
        if (c === '{') {
          directive.block = [];
          if (stack.length < MAX_DEPTH) stack.push(directive.block);
        }
      }
      words = [];
      continue;
    }
    if (!inWord) {
      if (!words.length) startLine = line;
      inWord = true;
    }
    if (c === '"' || c === "'") quote = c;
    else if (word.length < MAX_LINE_CHARS) word += c;
  }
  return root;
}

/** Every directive named `name` at any depth. */
export function nginxFind(directives: readonly NginxDirective[], name: string): NginxDirective[] {
  const found: NginxDirective[] = [];
  const walk = (list: readonly NginxDirective[]) => {
    for (const d of list) {
      if (d.name === name) found.push(d);
      if (d.block) walk(d.block);
    }
  };
  walk(directives);
  return found;
}

/** nginx configuration files of the image, with sites-enabled links followed. */
export function nginxFiles(context: FirmwareContext): { path: string; directives: NginxDirective[] }[] {
  return context.memo('nginx-files', () => {
    const paths = new Set<string>();
    for (const e of context.fs.entries()) {
      if (!e.path.startsWith('/etc/nginx/')) continue;
      if (e.path.includes('/sites-enabled/') || (e.type === 'file' && e.path.endsWith('.conf') && !e.path.includes('/sites-available/'))) {
        const target = e.type === 'symlink' ? resolveInImage(context.fs, e.path) : e;
        if (target?.type === 'file') paths.add(target.path);
      }
    }
    return [...paths].sort().flatMap((path) => {
      const text = context.readText(path);
      return text === undefined ? [] : [{ path, directives: parseNginx(text) }];
    });
  });
}

const REDIRECT_CODES = new Set(['301', '302', '303', '307', '308']);

/** Whether a server block only redirects to HTTPS (at server level). */
export function nginxRedirectsOnly(server: NginxDirective): boolean {
  return (server.block ?? []).some((d) => {
    if (d.name === 'return') {
      const target = REDIRECT_CODES.has(d.args[0] ?? '') ? d.args[1] : d.args[0];
      return target?.startsWith('https://') ?? false;
    }
    if (d.name === 'rewrite') return (d.args[1]?.startsWith('https://') ?? false) && ['permanent', 'redirect'].includes(d.args[2] ?? '');
    return false;
  });
}

export interface Listener {
  address: string;
  port: number | undefined;
  tls: boolean;
  path: string;
  line: number;
}

/** A server block's listeners; no listen directive means *:80. */
export function nginxListeners(server: NginxDirective, path: string): Listener[] {
  const block = server.block ?? [];
  const sslOn = block.some((d) => d.name === 'ssl' && d.args[0] === 'on');
  const listens = block.filter((d) => d.name === 'listen');
  if (!listens.length) return [{ address: '*:80', port: 80, tls: sslOn, path, line: server.line }];
  return listens
    .filter((d) => !(d.args[0] ?? '').startsWith('unix:'))
    .map((d) => {
      const address = d.args[0] ?? '80';
      const port = /(?:^|:)(\d{1,5})$/.exec(address)?.[1];
      return {
        address,
        port: port ? Number(port) : 80,
        tls: sslOn || d.args.includes('ssl') || d.args.includes('quic'),
        path,
        line: d.line,
      };
    });
}

// --- lighttpd ------------------------------------------------------------------------------------------

export interface LighttpdConfig {
  /** Plain-HTTP listeners: the main server.port (default 80) unless ssl.engine is on, and $SERVER["socket"] blocks without it. */
  listeners: Listener[];
  /** Whether some url.redirect sends clients to https:// */
  redirectsToHttps: boolean;
  /** Assignments of interest with their place: ssl.use-sslv3, ssl.openssl.ssl-conf-cmd, ssl.cipher-list. */
  assignments: { key: string; value: string; path: string; line: number }[];
}

const LIGHTTPD_KEYS = new Set(['ssl.use-sslv3', 'ssl.openssl.ssl-conf-cmd', 'ssl.cipher-list', 'ssl.honor-cipher-order']);

/** Reads lighttpd configuration files: top-level server.port/server.bind/ssl.engine, socket blocks, redirects. */
export function parseLighttpd(files: readonly { path: string; text: string }[]): LighttpdConfig {
  let port: { value: number; path: string; line: number } | undefined;
  let bind: string | undefined;
  let globalTls = false;
  let redirectsToHttps = false;
  const sockets: { address: string; tls: boolean; path: string; line: number; depth: number }[] = [];
  const assignments: LighttpdConfig['assignments'] = [];
  for (const { path, text } of files) {
    let depth = 0;
    const open: (typeof sockets)[number][] = [];
    if (text.includes('url.redirect') && text.includes('https://')) redirectsToHttps = true;
    for (const { line, text: raw } of numberedLines(text)) {
      const code = stripComment(raw).trim();
      if (!code) continue;
      const socket = /^\$SERVER\["socket"\]\s*==\s*"([^"]{0,200})"/.exec(code);
      if (socket) {
        const entry = { address: socket[1] as string, tls: false, path, line, depth: depth + 1 };
        sockets.push(entry);
        open.push(entry);
      }
      const assign = /^([a-z][a-z0-9._-]{0,80})\s*:?=\s*(.*)$/i.exec(code);
      if (assign) {
        const key = (assign[1] as string).toLowerCase();
        const value = assign[2] as string;
        const current = open[open.length - 1];
        if (key === 'ssl.engine' && /"enable"/i.test(value)) {
          if (current && depth >= current.depth) current.tls = true;
          else if (depth === 0) globalTls = true;
        }
        if (depth === 0 && key === 'server.port') {
          const n = Number(/\d{1,5}/.exec(value)?.[0]);
          if (Number.isInteger(n)) port = { value: n, path, line };
        }
        if (depth === 0 && key === 'server.bind') bind = /"([^"]{0,200})"/.exec(value)?.[1];
        if (LIGHTTPD_KEYS.has(key)) assignments.push({ key, value, path, line });
      }
      for (const c of code) {
        if (c === '{') depth++;
        else if (c === '}') {
          depth = Math.max(0, depth - 1);
          while (open.length && (open[open.length - 1] as (typeof sockets)[number]).depth > depth) open.pop();
        }
      }
    }
  }
  const main = files[0]?.path ?? '/etc/lighttpd/lighttpd.conf';
  const listeners: Listener[] = [];
  const mainPort = port?.value ?? 80;
  if (!globalTls && !(bind && isLoopback(bind)))
    listeners.push({ address: `${bind ?? '*'}:${mainPort}`, port: mainPort, tls: false, path: port?.path ?? main, line: port?.line ?? 1 });
  for (const s of sockets) {
    if (s.tls || isLoopback(s.address)) continue;
    const p = /:(\d{1,5})$/.exec(s.address)?.[1];
    listeners.push({ address: s.address, port: p ? Number(p) : undefined, tls: false, path: s.path, line: s.line });
  }
  return { listeners, redirectsToHttps, assignments };
}

/** Drops a `#` comment that is not inside a string. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== '\\') quoted = !quoted;
    else if (c === '#' && !quoted) return line.slice(0, i);
  }
  return line;
}

export function lighttpdConfig(context: FirmwareContext): LighttpdConfig | undefined {
  return context.memo('lighttpd-config', () => {
    const mainPath = '/etc/lighttpd/lighttpd.conf';
    const main = context.readText(mainPath);
    if (main === undefined) return undefined;
    const others = context
      .files(
        (e) =>
          e.path.startsWith('/etc/lighttpd/') && e.path !== mainPath && e.path.endsWith('.conf') && !e.path.includes('/conf-available/'),
      )
      .map((e) => e.path)
      .sort()
      .flatMap((path) => {
        const text = context.readText(path);
        return text === undefined ? [] : [{ path, text }];
      });
    return parseLighttpd([{ path: mainPath, text: main }, ...others]);
  });
}

// --- uhttpd (OpenWrt) ----------------------------------------------------------------------------------

export function uhttpdSections(context: FirmwareContext): UciSection[] {
  return context.memo('uhttpd-sections', () => {
    const text = context.readText('/etc/config/uhttpd');
    return text === undefined ? [] : parseUci(text).filter((s) => s.type === 'uhttpd');
  });
}

// --- TLS settings --------------------------------------------------------------------------------------

export const WEAK_TLS_PROTOCOLS = new Set(['sslv2', 'sslv3', 'tlsv1', 'tlsv1.0', 'tlsv1.1']);
const WEAK_CIPHER_PARTS = new Set([
  'RC4',
  'DES',
  '3DES',
  'CBC3',
  'MD5',
  'NULL',
  'ENULL',
  'ANULL',
  'EXP',
  'EXPORT',
  'EXPORT40',
  'EXPORT56',
  'LOW',
  'ADH',
  'AECDH',
  'RC2',
  'IDEA',
]);

/** The entries of an OpenSSL cipher string that switch weak ciphers on (entries after `!` or `-` switch them off). */
export function weakCipherEntries(cipherString: string): string[] {
  const weak: string[] = [];
  for (const raw of cipherString.split(/[:, ]+/, 1000)) {
    if (!raw || raw.startsWith('!') || raw.startsWith('-')) continue;
    const entry = raw.replace(/^\+/, '');
    if (
      entry
        .toUpperCase()
        .split(/[-+_]/, 32)
        .some((part) => WEAK_CIPHER_PARTS.has(part))
    )
      weak.push(entry);
  }
  return weak;
}
