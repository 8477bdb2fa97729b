// Real web servers on 127.0.0.1 for the HTTP probe tests: nginx with an htpasswd-protected admin area
// (made by `htpasswd -b`), a config file on one of the catalog's paths, optionally TLS or a catch-all
// that answers 200 to every path; lighttpd with Digest authentication from an htdigest file.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Daemon, LOOPBACK, type LoopbackHost, makeTempDir, removingOnStop, startDaemon } from '../daemon.ts';
import { makeSelfSignedCertificate } from '../self-signed.ts';

export interface NginxOptions {
  /** The admin area's account, written with htpasswd -b. */
  admin: { username: string; password: string };
  tls?: boolean;
  /** Every path answers 200 with the same page, as single-page-app firmware does. */
  catchAll?: boolean;
  /** More files for the web root, by path relative to it (e.g. ".well-known/security.txt"). */
  files?: Record<string, string>;
  /** Listen on ::1 instead of 127.0.0.1. */
  host?: LoopbackHost;
}

/** A WLED-style configuration served at /json/cfg (a catalog path), with a Wi-Fi password in it. */
export const WLED_CONFIG = JSON.stringify({
  rev: [1, 0],
  vid: 2405180,
  id: { mdns: 'wled-kitchen', name: 'Kitchen LEDs' },
  nw: { ins: [{ ssid: 'HomeNetwork', psk: 'hunter2-wifi-secret', pskl: 19, ip: [0, 0, 0, 0] }] },
  ap: { ssid: 'WLED-AP', pskl: 8, chan: 1 },
});

/**
 * The page a catch-all device sends for every path. Its inline defaults happen to match a catalog
 * entry's patterns (Shelly /settings): only the comparison with a random path keeps it from being reported.
 */
export const CATCH_ALL_PAGE =
  '<!doctype html><html><head><title>Smart Plug</title></head><body><div id="app"></div>' +
  '<script>window.defaults={"wifi_sta":{"enabled":false},"login":{"enabled":true}};</script>' +
  '<script src="/static/app.js"></script></body></html>';

const STOCK_INDEX = '<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1></body></html>\n';

export async function startNginx(options: NginxOptions): Promise<Daemon> {
  const dir = makeTempDir('nginx');
  const www = join(dir.path, 'www');
  const htpasswd = join(dir.path, 'htpasswd');
  const conf = join(dir.path, 'nginx.conf');
  const cert = join(dir.path, 'cert.pem');
  const key = join(dir.path, 'key.pem');
  mkdirSync(join(www, 'admin'), { recursive: true });
  mkdirSync(join(www, 'json'), { recursive: true });
  writeFileSync(join(www, 'index.html'), STOCK_INDEX);
  writeFileSync(join(www, 'admin', 'index.html'), '<html><body>Router administration</body></html>\n');
  writeFileSync(join(www, 'json', 'cfg'), WLED_CONFIG);
  for (const [path, content] of Object.entries(options.files ?? {})) {
    const target = join(www, path);
    if (!target.startsWith(`${www}/`)) throw new Error(`${path} is outside the web root`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  execFileSync('htpasswd', ['-c', '-b', htpasswd, options.admin.username, options.admin.password], { stdio: 'ignore' });
  if (options.tls) {
    makeSelfSignedCertificate({ cert: cert, key: key });
  }
  const site = options.catchAll
    ? `location / { default_type text/html; return 200 '${CATCH_ALL_PAGE}'; }`
    : [
        'location = /json/cfg { default_type application/json; }',
        `location /admin/ { auth_basic "Router Admin"; auth_basic_user_file ${htpasswd}; }`,
      ].join('\n    ');
  const temp = (name: string) => `${name}_temp_path ${join(dir.path, name)};`;
  try {
    const host = options.host ?? LOOPBACK;
    const daemon = await startDaemon({
      command: '/usr/sbin/nginx',
      host,
      prepare: (port) =>
        writeFileSync(
          conf,
          `user root;
worker_processes 1;
error_log stderr;
events { worker_connections 64; }
http {
  access_log off;
  server_tokens on;
  types { text/html html; text/plain txt; application/json json; }
  default_type application/octet-stream;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server {
    listen ${host.includes(':') ? `[${host}]` : host}:${port}${options.tls ? ' ssl' : ''};
    ${options.tls ? `ssl_certificate ${cert}; ssl_certificate_key ${key};` : ''}
    root ${www};
    ${site}
  }
}
`,
        ),
      args: () => ['-e', 'stderr', '-c', conf, '-g', `daemon off; pid ${join(dir.path, 'nginx.pid')};`],
    });
    return removingOnStop(daemon, dir.remove);
  } catch (error) {
    dir.remove();
    throw error;
  }
}

export interface LighttpdOptions {
  realm: string;
  account: { username: string; password: string };
  /** The Digest algorithm lighttpd asks for (MD5 by default). */
  algorithm?: 'MD5' | 'SHA-256';
}

/** lighttpd with mod_auth Digest over an htdigest file on /admin/. */
export async function startLighttpd(options: LighttpdOptions): Promise<Daemon> {
  const dir = makeTempDir('lighttpd');
  chmodSync(dir.path, 0o755);
  const www = join(dir.path, 'www');
  mkdirSync(join(www, 'admin'), { recursive: true });
  writeFileSync(join(www, 'index.html'), '<html><head><title>IP Camera</title></head><body><a href="/admin/">Setup</a></body></html>\n');
  writeFileSync(join(www, 'admin', 'index.html'), '<html><body>Camera setup</body></html>\n');
  // htdigest lines are user:realm:H(user:realm:password); lighttpd reads the hash as the algorithm's.
  const { username, password } = options.account;
  const hash = options.algorithm === 'SHA-256' ? 'sha256' : 'md5';
  const ha1 = createHash(hash).update(`${username}:${options.realm}:${password}`).digest('hex');
  const htdigest = join(dir.path, 'htdigest');
  writeFileSync(htdigest, `${username}:${options.realm}:${ha1}\n`);
  const conf = join(dir.path, 'lighttpd.conf');
  try {
    const daemon = await startDaemon({
      command: '/usr/sbin/lighttpd',
      prepare: (port) =>
        writeFileSync(
          conf,
          `server.modules = ("mod_auth", "mod_authn_file")
server.document-root = "${www}"
server.bind = "${LOOPBACK}"
server.port = ${port}
server.errorlog = "${join(dir.path, 'error.log')}"
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html")
auth.backend = "htdigest"
auth.backend.htdigest.userfile = "${htdigest}"
auth.require = ("/admin/" => ("method" => "digest", "realm" => "${options.realm}", "require" => "valid-user"${
            options.algorithm ? `, "algorithm" => "${options.algorithm}"` : ''
          }))
`,
        ),
      args: () => ['-D', '-f', conf],
    });
    return removingOnStop(daemon, dir.remove);
  } catch (error) {
    dir.remove();
    throw error;
  }
}
