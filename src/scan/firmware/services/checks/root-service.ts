import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck, FirmwareContext } from '../../firmware-check.ts';
import { bootInventory } from '../boot-services.ts';
import { commandLine, describeStart } from './risky-service.ts';

/**
 * Network daemons that keep running as root unless told otherwise, and how each is told. Daemons that
 * drop privileges on their own (dnsmasq to nobody, mosquitto to mosquitto, nginx and Apache workers)
 * or need root to log users in (sshd, dropbear) are deliberately absent: flagging them would be noise.
 */
const DAEMONS: Record<string, { option?: RegExp; config?: { path: string; drops: RegExp } }> = {
  httpd: { option: /^-u$/ }, // busybox httpd -u user[:group]
  uhttpd: {},
  lighttpd: { config: { path: '/etc/lighttpd/lighttpd.conf', drops: /^\s*server\.username\s*=\s*"(?!root")[^"]+"/m } },
  mini_httpd: { option: /^-u$/ },
  thttpd: { option: /^-u$/ },
  boa: { config: { path: '/etc/boa/boa.conf', drops: /^\s*User\s+(?!root\b|0\b)\S+/m } },
  goahead: {},
  webs: {},
  mongoose: {},
  'node-red': {},
};

function dropsPrivileges(context: FirmwareContext, name: string, argv: readonly string[]): boolean {
  const daemon = DAEMONS[name];
  if (!daemon) return true;
  if (daemon.option && argv.some((a) => daemon.option?.test(a))) return true;
  if (daemon.config) return daemon.config.drops.test(context.readText(daemon.config.path) ?? '');
  return false;
}

export const rootService: FirmwareCheck = {
  id: 'firmware/root-network-service',
  title: 'Network daemon runs as root',
  provisions: ['5.6-7'],
  severity: 'low',
  rationale:
    'A web server or similar network-facing daemon started as root, with no User= in its unit and no privilege-dropping option set, turns any bug in it into full control of the device. Only daemons known to stay root unless configured otherwise are reported (busybox httpd without -u, uhttpd, lighttpd without server.username, boa, GoAhead, …); daemons that drop privileges by themselves, and SSH servers that need root to log users in, are not.',
  remediation:
    "Run the daemon as a dedicated unprivileged user: User= in its systemd unit, chpst -u or start-stop-daemon -c in its init script, or the daemon's own option (busybox httpd -u, lighttpd server.username); grant only the capabilities it needs (e.g. CAP_NET_BIND_SERVICE).",
  run(context) {
    const drafts: FindingDraft[] = [];
    for (const s of bootInventory(context).services) {
      if (s.user !== undefined) continue;
      const name = s.programs.find((p) => p in DAEMONS);
      if (!name || dropsPrivileges(context, name, s.argv)) continue;
      drafts.push({
        result: 'fail',
        location: { path: s.source, ...(s.line ? { line: s.line } : {}) },
        message: `${name} runs as root, ${describeStart(s)}, with no user set and no privilege-dropping option`,
        evidence: commandLine(s),
      });
    }
    return drafts;
  },
};
