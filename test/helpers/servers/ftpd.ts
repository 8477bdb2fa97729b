// A real vsftpd on 127.0.0.1 for the FTP probe tests: anonymous access on or off, local logins through
// PAM (the account made by ensureLoginUser), and optionally TLS required for local logins.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, LOOPBACK, makeTempDir, removingOnStop, startDaemon } from '../daemon.ts';
import { makeSelfSignedCertificate } from '../self-signed.ts';

export interface VsftpdOptions {
  anonymous: boolean;
  /** Offer AUTH TLS and refuse local logins without it (force_local_logins_ssl). */
  tls?: boolean;
  /** Seconds vsftpd waits before answering a failed login (its delay_failed_login, default 1). */
  failedLoginDelay?: number;
}

export async function startVsftpd(options: VsftpdOptions): Promise<Daemon> {
  const dir = makeTempDir('vsftpd');
  chmodSync(dir.path, 0o755);
  const empty = join(dir.path, 'empty');
  const anon = join(dir.path, 'anon');
  mkdirSync(empty);
  mkdirSync(anon);
  writeFileSync(join(anon, 'README'), 'public files\n');
  const cert = join(dir.path, 'cert.pem');
  const key = join(dir.path, 'key.pem');
  if (options.tls) {
    makeSelfSignedCertificate({ cert: cert, key: key });
  }
  const conf = join(dir.path, 'vsftpd.conf');
  try {
    const daemon = await startDaemon({
      command: '/usr/sbin/vsftpd',
      prepare: (port) =>
        writeFileSync(
          conf,
          [
            'listen=YES',
            'listen_ipv6=NO',
            `listen_address=${LOOPBACK}`,
            `listen_port=${port}`,
            'background=NO',
            `anonymous_enable=${options.anonymous ? 'YES' : 'NO'}`,
            `anon_root=${anon}`,
            'local_enable=YES',
            'write_enable=NO',
            // The test accounts have no home directory: log them in as the ftp guest account instead.
            'guest_enable=YES',
            'guest_username=ftp',
            `secure_chroot_dir=${empty}`,
            'pam_service_name=vsftpd',
            'seccomp_sandbox=NO',
            'xferlog_enable=NO',
            'syslog_enable=NO',
            `vsftpd_log_file=${join(dir.path, 'vsftpd.log')}`,
            `delay_failed_login=${options.failedLoginDelay ?? 1}`,
            ...(options.tls
              ? [
                  'ssl_enable=YES',
                  `rsa_cert_file=${cert}`,
                  `rsa_private_key_file=${key}`,
                  'force_local_logins_ssl=YES',
                  'allow_anon_ssl=YES',
                ]
              : ['ssl_enable=NO']),
            '',
          ].join('\n'),
        ),
      args: () => [conf],
    });
    return removingOnStop(daemon, dir.remove);
  } catch (error) {
    dir.remove();
    throw error;
  }
}
