// A real Mosquitto 2 broker on 127.0.0.1 for the MQTT probe tests: anonymous or with a password file,
// plain or TLS (a throwaway self-signed certificate), optionally holding retained messages.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, LOOPBACK, makeTempDir, removingOnStop, startDaemon } from '../daemon.ts';
import { makeSelfSignedCertificate } from '../self-signed.ts';

export interface MosquittoOptions {
  allowAnonymous: boolean;
  /** Accounts written to a password file with mosquitto_passwd. */
  users?: { username: string; password: string }[];
  tls?: boolean;
  /** Published with mosquitto_pub -r once the broker is up, so that a subscriber to # sees them. */
  retained?: { topic: string; payload: string }[];
}

/** stop() also removes the broker's files. */
export type Mosquitto = Daemon;

export async function startMosquitto(options: MosquittoOptions): Promise<Mosquitto> {
  const dir = makeTempDir('mosquitto');
  // Mosquitto started as root drops to the mosquitto user before reading the password file and keys.
  chmodSync(dir.path, 0o755);
  const conf = join(dir.path, 'mosquitto.conf');
  const passwords = join(dir.path, 'passwords');
  const cert = join(dir.path, 'cert.pem');
  const key = join(dir.path, 'key.pem');
  if (options.users?.length) {
    options.users.forEach((u, i) =>
      execFileSync('mosquitto_passwd', [...(i === 0 ? ['-c'] : []), '-b', passwords, u.username, u.password], { stdio: 'ignore' }),
    );
    chmodSync(passwords, 0o644);
  }
  if (options.tls) {
    makeSelfSignedCertificate({ cert: cert, key: key });
    chmodSync(key, 0o644);
  }
  let daemon: Daemon;
  try {
    daemon = await startDaemon({
      command: '/usr/sbin/mosquitto',
      args: () => ['-c', conf],
      prepare: (port) =>
        writeFileSync(
          conf,
          [
            `listener ${port} ${LOOPBACK}`,
            'persistence false',
            'log_dest stderr',
            `allow_anonymous ${options.allowAnonymous}`,
            ...(options.users?.length ? [`password_file ${passwords}`] : []),
            ...(options.tls ? [`certfile ${cert}`, `keyfile ${key}`] : []),
            '',
          ].join('\n'),
        ),
    });
  } catch (error) {
    dir.remove();
    throw error;
  }
  const publisher = options.users?.[0];
  for (const message of options.retained ?? []) {
    execFileSync(
      'mosquitto_pub',
      [
        '-h',
        LOOPBACK,
        '-p',
        String(daemon.port),
        ...(options.tls ? ['--insecure', '--cafile', cert] : []),
        ...(publisher ? ['-u', publisher.username, '-P', publisher.password] : []),
        '-r',
        '-t',
        message.topic,
        '-m',
        message.payload,
      ],
      { stdio: 'ignore', timeout: 5000 },
    );
  }
  return removingOnStop(daemon, dir.remove);
}
