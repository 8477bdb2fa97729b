// Debian's nginx on 127.0.0.1 as a TLS server for the TLS probe tests: the protocol versions, cipher
// lists, DH group and certificate are the test's to choose, so that legacy, Mozilla intermediate and
// modern configurations can each be measured for real.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, LOOPBACK, makeTempDir, removingOnStop, startDaemon } from '../daemon.ts';

export interface NginxTlsOptions {
  /** PEM files; the master process reads them as root before dropping privileges. */
  certificate: string;
  key: string;
  /** The ssl_protocols value, e.g. "TLSv1 TLSv1.1 TLSv1.2". */
  protocols: string;
  /** The ssl_ciphers value (TLS 1.2 and older). */
  ciphers?: string;
  /** TLS 1.3 suites, passed to OpenSSL with ssl_conf_command. */
  ciphersuites?: string;
  /** A PEM file of DH parameters for DHE suites. */
  dhparam?: string;
  preferServerCiphers?: boolean;
}

/** stop() also removes nginx's temporary directory (not the certificate files, which the test owns). */
export async function startNginxTls(options: NginxTlsOptions): Promise<Daemon> {
  const dir = makeTempDir('nginx-tls');
  const conf = join(dir.path, 'nginx.conf');
  const temp = (name: string) => join(dir.path, name);
  try {
    const daemon = await startDaemon({
      command: '/usr/sbin/nginx',
      prepare: (port) =>
        writeFileSync(
          conf,
          [
            'worker_processes 1;',
            'error_log stderr;',
            'events { worker_connections 256; }',
            'http {',
            '  access_log off;',
            `  client_body_temp_path ${temp('client_body')};`,
            `  proxy_temp_path ${temp('proxy')};`,
            `  fastcgi_temp_path ${temp('fastcgi')};`,
            `  uwsgi_temp_path ${temp('uwsgi')};`,
            `  scgi_temp_path ${temp('scgi')};`,
            '  server {',
            `    listen ${LOOPBACK}:${port} ssl;`,
            `    ssl_certificate ${options.certificate};`,
            `    ssl_certificate_key ${options.key};`,
            `    ssl_protocols ${options.protocols};`,
            ...(options.ciphers ? [`    ssl_ciphers '${options.ciphers}';`] : []),
            ...(options.ciphersuites ? [`    ssl_conf_command Ciphersuites ${options.ciphersuites};`] : []),
            ...(options.dhparam ? [`    ssl_dhparam ${options.dhparam};`] : []),
            `    ssl_prefer_server_ciphers ${options.preferServerCiphers ? 'on' : 'off'};`,
            '    location / { return 200 "ok\\n"; }',
            '  }',
            '}',
            '',
          ].join('\n'),
        ),
      args: () => ['-e', 'stderr', '-p', dir.path, '-c', conf, '-g', `daemon off; pid ${join(dir.path, 'nginx.pid')};`],
    });
    return removingOnStop(daemon, dir.remove);
  } catch (error) {
    dir.remove();
    throw error;
  }
}
