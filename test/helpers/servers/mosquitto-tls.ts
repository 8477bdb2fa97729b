// A Mosquitto 2 broker on 127.0.0.1 with a TLS listener that demands a client certificate signed by the
// test's CA (require_certificate true): the case where a TLS probe must still report what the handshake
// showed although it cannot finish it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, LOOPBACK, makeTempDir, removingOnStop, startDaemon } from '../daemon.ts';

export interface MosquittoTlsOptions {
  /** PEM files: the CA that client certificates must chain to, and the broker's certificate and key. */
  caFile: string;
  certificate: string;
  key: string;
  requireCertificate: boolean;
  /** The tls_version option (e.g. "tlsv1.2"), when not Mosquitto's default. */
  tlsVersion?: string;
}

export async function startMosquittoTls(options: MosquittoTlsOptions): Promise<Daemon> {
  const dir = makeTempDir('mosquitto-tls');
  const conf = join(dir.path, 'mosquitto.conf');
  try {
    const daemon = await startDaemon({
      command: '/usr/sbin/mosquitto',
      args: () => ['-c', conf],
      prepare: (port) =>
        writeFileSync(
          conf,
          [
            `listener ${port} ${LOOPBACK}`,
            // Stay root rather than drop to the mosquitto user, who cannot read the test's private temp dirs.
            'user root',
            'persistence false',
            'log_dest stderr',
            'allow_anonymous true',
            `cafile ${options.caFile}`,
            `certfile ${options.certificate}`,
            `keyfile ${options.key}`,
            `require_certificate ${options.requireCertificate}`,
            ...(options.tlsVersion ? [`tls_version ${options.tlsVersion}`] : []),
            '',
          ].join('\n'),
        ),
    });
    return removingOnStop(daemon, dir.remove);
  } catch (error) {
    dir.remove();
    throw error;
  }
}
