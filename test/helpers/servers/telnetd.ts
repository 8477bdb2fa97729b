// A real busybox telnetd on 127.0.0.1 for the telnet probe tests, running Debian's /bin/login (with its
// PAM delay after a wrong password) or, for the no-login case, a shell straight away. Debian's `busybox`
// package has no telnetd applet; `busybox-static` has it.
import { execFileSync } from 'node:child_process';
import { type Daemon, LOOPBACK, startDaemon } from '../daemon.ts';

export interface TelnetdOptions {
  /** What telnetd runs for each connection: /bin/login, or /bin/sh for a device with no login at all. */
  program: '/bin/login' | '/bin/sh';
}

function busyboxHasTelnetd(): boolean {
  try {
    return execFileSync('busybox', ['--list'], { encoding: 'utf8' }).split('\n').includes('telnetd');
  } catch {
    return false;
  }
}

export async function startTelnetd(options: TelnetdOptions): Promise<Daemon> {
  if (!busyboxHasTelnetd()) throw new Error('busybox has no telnetd applet: install the busybox-static package');
  return startDaemon({
    command: 'busybox',
    args: (port) => ['telnetd', '-F', '-p', String(port), '-b', LOOPBACK, '-l', options.program],
  });
}
