// Real SSH servers for the probe tests: Debian's OpenSSH sshd with a config written per test, and
// Dropbear, each on a free 127.0.0.1 port with host keys generated into a temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, makeTempDir, removingOnStop, startDaemon } from '../daemon.ts';

export interface SshServer extends Daemon {
  /** The directory holding the keys and config; removed by stop(). */
  dir: string;
  /** `ssh-keygen -l` output per host key file (OpenSSH) or dropbearkey -y output (Dropbear). */
  keyFingerprints: string[];
}

export interface OpenSshHostKey {
  type: 'ed25519' | 'ecdsa' | 'rsa' | 'dsa';
  bits?: number;
}

export interface OpenSshOptions {
  hostKeys: OpenSshHostKey[];
  /** sshd_config lines; they override this helper's defaults (PAM off, LogLevel ERROR). */
  extra?: string[];
}

const SSHD = '/usr/sbin/sshd';

/** Starts sshd in the foreground (-D -e) with its own config, host keys and pid file; PAM off for fast failures. */
export async function startOpenSsh(options: OpenSshOptions): Promise<SshServer> {
  mkdirSync('/run/sshd', { recursive: true });
  const temp = makeTempDir('sshd');
  const keyFiles = options.hostKeys.map((key, i) => {
    const file = join(temp.path, `host_${key.type}_${i}`);
    execFileSync('ssh-keygen', ['-q', '-t', key.type, ...(key.bits ? ['-b', String(key.bits)] : []), '-N', '', '-C', 'test', '-f', file]);
    return file;
  });
  const keyFingerprints = keyFiles.map((f) =>
    execFileSync('ssh-keygen', ['-l', '-f', `${f}.pub`])
      .toString()
      .trim(),
  );
  const config = join(temp.path, 'sshd_config');
  try {
    const daemon = await startDaemon({
      command: SSHD,
      args: () => ['-D', '-e', '-f', config],
      prepare: (port) =>
        writeFileSync(
          config,
          [
            // sshd keeps the first value of a keyword: the test's lines go first so that they win.
            ...(options.extra ?? []),
            `Port ${port}`,
            'ListenAddress 127.0.0.1',
            ...keyFiles.map((f) => `HostKey ${f}`),
            `PidFile ${join(temp.path, 'sshd.pid')}`,
            'UsePAM no',
            'StrictModes no',
            'LogLevel ERROR',
            'MaxStartups 100:30:200',
            '',
          ].join('\n'),
        ),
    });
    return withCleanup(daemon, temp, keyFingerprints);
  } catch (error) {
    temp.remove();
    throw error;
  }
}

export type DropbearKeyType = 'ed25519' | 'ecdsa' | 'rsa' | 'dss';

/** Starts dropbear in the foreground (-F -E) with keys from dropbearkey. */
export async function startDropbear(keys: { type: DropbearKeyType; bits?: number }[], extraArgs: string[] = []): Promise<SshServer> {
  const temp = makeTempDir('dropbear');
  const keyFiles = keys.map((key, i) => {
    const file = join(temp.path, `dropbear_${key.type}_${i}`);
    execFileSync('dropbearkey', ['-t', key.type, ...(key.bits ? ['-s', String(key.bits)] : []), '-f', file], { stdio: 'ignore' });
    return file;
  });
  const keyFingerprints = keyFiles.map((f) => execFileSync('dropbearkey', ['-y', '-f', f]).toString().trim());
  try {
    const daemon = await startDaemon({
      command: 'dropbear',
      args: (port) => ['-F', '-E', '-p', `127.0.0.1:${port}`, ...keyFiles.flatMap((f) => ['-r', f]), ...extraArgs],
    });
    return withCleanup(daemon, temp, keyFingerprints);
  } catch (error) {
    temp.remove();
    throw error;
  }
}

function withCleanup(daemon: Daemon, temp: { path: string; remove: () => void }, keyFingerprints: string[]): SshServer {
  return removingOnStop({ ...daemon, dir: temp.path, keyFingerprints }, temp.remove);
}

/** The "SHA256:..." fingerprints in ssh-keygen -l or dropbearkey -y output. */
export function sha256Fingerprints(lines: string[]): string[] {
  return lines.flatMap((l) => [...l.matchAll(/SHA256:[A-Za-z0-9+/]+/g)].map((m) => m[0]));
}
