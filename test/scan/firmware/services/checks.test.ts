// The services analyzer on small realistic root filesystems, one per init system: systemd, SysV with rc
// links, busybox inittab (and busybox init without one), inetd and xinetd, OpenWrt procd with uci, runit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { riskyServiceChecks } from '../../../../src/scan/firmware/services/checks/risky-service.ts';
import { rootService } from '../../../../src/scan/firmware/services/checks/root-service.ts';
import { serialConsole } from '../../../../src/scan/firmware/services/checks/serial-console.ts';
import { serviceChecks } from '../../../../src/scan/firmware/services/index.ts';
import { bootInventory } from '../../../../src/scan/firmware/services/boot-services.ts';
import { openDirectoryFs } from '../../../../src/scan/firmware/directory-fs.ts';
import { firmwareContext } from '../../../../src/scan/firmware/firmware-check.ts';
import { buildTree, firmwareRuleTester, type Tree } from '../../../helpers/firmware-rule-tester.ts';
import type { FirmwareCheck } from '../../../../src/scan/firmware/firmware-check.ts';

const risky = (id: string) => riskyServiceChecks().find((c) => c.id === `firmware/service/${id}`) as FirmwareCheck;
const busybox = { 'bin/busybox': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1]), 'sbin/init': { symlink: '/bin/busybox' } };

const unit = (exec: string, extra = '') =>
  `[Unit]\nDescription=x\n\n[Service]\n${extra}ExecStart=${exec}\n\n[Install]\nWantedBy=multi-user.target\n`;
const systemd = (units: Record<string, string>, enabled: string[], wants = 'multi-user.target.wants'): Tree => {
  const tree: Tree = {};
  for (const [name, text] of Object.entries(units)) tree[`lib/systemd/system/${name}`] = text;
  for (const name of enabled)
    tree[`etc/systemd/system/${wants}/${name}`] = { symlink: `/lib/systemd/system/${name.replace(/@[^.]+\./, '@.')}` };
  return tree;
};

const sysvScript = (daemon: string) =>
  `#!/bin/sh\n### BEGIN INIT INFO\n# Provides: x\n### END INIT INFO\ncase "$1" in\n  start)\n    start-stop-daemon -S -q -x ${daemon} -- -F\n    ;;\n  stop)\n    killall ${daemon.split('/').pop()}\n    ;;\nesac\n`;

const procdScript = (command: string, user = '') =>
  `#!/bin/sh /etc/rc.common\nSTART=50\nUSE_PROCD=1\n\nstart_service() {\n\tprocd_open_instance\n\tprocd_set_param command ${command}\n${user ? `\tprocd_set_param user ${user}\n` : ''}\tprocd_set_param respawn\n\tprocd_close_instance\n}\n`;

firmwareRuleTester(risky('telnet'), {
  valid: [
    {
      name: 'systemd with only sshd enabled',
      tree: systemd({ 'ssh.service': unit('/usr/sbin/sshd -D'), 'telnet.socket': '[Socket]\nListenStream=23\nAccept=yes\n' }, [
        'ssh.service',
      ]),
      result: 'none',
    },
    {
      name: 'a SysV telnet script that is not linked from any runlevel',
      tree: {
        'etc/init.d/telnetd': sysvScript('/usr/sbin/telnetd'),
        'etc/rc2.d/S10ssh': { symlink: '../init.d/ssh' },
        'etc/init.d/ssh': sysvScript('/usr/sbin/sshd'),
      },
      result: 'none',
    },
    {
      name: 'inetd with telnet commented out',
      tree: { 'etc/inetd.conf': '#telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n' },
      result: 'none',
    },
    {
      name: 'xinetd telnet disabled',
      tree: { 'etc/xinetd.d/telnet': 'service telnet\n{\n\tdisable = yes\n\tserver = /usr/sbin/in.telnetd\n}\n' },
      result: 'none',
    },
    {
      name: 'SysV script that only stops telnetd',
      tree: { 'etc/init.d/cleanup': '#!/bin/sh\nkillall telnetd\n', 'etc/rcS.d/S99cleanup': { symlink: '../init.d/cleanup' } },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'systemd socket-activated telnet',
      tree: systemd(
        { 'telnet.socket': '[Socket]\nListenStream=23\nAccept=yes\n', 'telnet@.service': unit('-/usr/sbin/in.telnetd') },
        ['telnet.socket'],
        'sockets.target.wants',
      ),
      message: /telnet.socket started by systemd unit telnet.socket/,
    },
    {
      name: 'SysV rc link to an init script',
      tree: { 'etc/init.d/telnetd': sysvScript('/usr/sbin/telnetd'), 'etc/rc3.d/S50telnetd': { symlink: '../init.d/telnetd' } },
      message: /telnetd started by sysv telnetd: \/usr\/sbin\/telnetd -F/,
      path: '/etc/init.d/telnetd',
    },
    {
      name: 'busybox inittab runs telnetd directly',
      tree: { ...busybox, 'etc/inittab': '::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/login\n' },
      message: /telnetd started by \/etc\/inittab \(respawn\)/,
      path: '/etc/inittab',
    },
    {
      name: 'busybox init without inittab, rcS runs the S scripts',
      tree: {
        ...busybox,
        'etc/init.d/rcS': '#!/bin/sh\nfor i in /etc/init.d/S??* ; do\n  $i start\ndone\n',
        'etc/init.d/S50telnet': '#!/bin/sh\n/usr/sbin/telnetd -l /bin/sh\n',
      },
      message: /telnetd started by busybox-init/,
      path: '/etc/init.d/S50telnet',
    },
    {
      name: 'Buildroot-style: inittab runs rcS, rcS runs the S scripts, one starts telnetd through a variable',
      tree: {
        ...busybox,
        'etc/inittab': '::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n',
        'etc/init.d/rcS': '#!/bin/sh\nfor i in /etc/init.d/S??* ; do\n  $i start\ndone\n',
        'etc/init.d/S50telnet':
          '#!/bin/sh\nDAEMON=/usr/sbin/telnetd\nPIDFILE=/var/run/telnetd.pid\ncase "$1" in\n  start)\n    start-stop-daemon -S -q -p "$PIDFILE" -x "${DAEMON}" -- -F\n    ;;\nesac\n',
      },
      message: /^telnetd started by \/etc\/init\.d\/S50telnet, run from \/etc\/inittab \(sysinit\): \/usr\/sbin\/telnetd -F$/,
      path: '/etc/init.d/S50telnet',
    },
    {
      name: 'inetd through tcpd',
      tree: { 'etc/inetd.conf': 'telnet stream tcp nowait root /usr/sbin/tcpd in.telnetd\n' },
      message: /in\.telnetd started by inetd telnet/,
      path: '/etc/inetd.conf',
    },
    {
      name: 'xinetd with disable = no',
      tree: {
        'etc/xinetd.d/telnet':
          'service telnet\n{\n\tdisable = no\n\tsocket_type = stream\n\tuser = root\n\tserver = /usr/sbin/in.telnetd\n}\n',
      },
      message: /in\.telnetd started by xinetd telnet/,
    },
    {
      name: 'OpenWrt procd script linked from rc.d',
      tree: {
        'etc/init.d/telnet': procdScript('/usr/sbin/telnetd -F -l /bin/login.sh'),
        'etc/rc.d/S50telnet': { symlink: '../init.d/telnet' },
      },
      message: /telnetd started by procd telnet/,
    },
    {
      name: 'runit service through chpst',
      tree: {
        'etc/sv/telnetd/run': '#!/bin/sh\nexec 2>&1\nexec chpst -u root tcpsvd -vE 0.0.0.0 23 telnetd -i\n',
        'etc/runit/runsvdir/default/telnetd': { symlink: '/etc/sv/telnetd' },
      },
      message: /telnetd started by runit telnetd/,
    },
  ],
});

firmwareRuleTester(risky('ftp'), {
  valid: [
    { name: 'vsftpd installed but not enabled', tree: { 'lib/systemd/system/vsftpd.service': unit('/usr/sbin/vsftpd') }, result: 'none' },
  ],
  invalid: [
    {
      name: 'systemd vsftpd',
      tree: systemd({ 'vsftpd.service': unit('/usr/sbin/vsftpd /etc/vsftpd.conf') }, ['vsftpd.service']),
      message: /vsftpd started by systemd unit vsftpd.service/,
    },
    {
      name: 'busybox ftpd behind tcpsvd in inittab',
      tree: { 'etc/inittab': '::respawn:/usr/bin/tcpsvd -vE 0.0.0.0 21 ftpd -w /\n' },
      message: /ftpd started by \/etc\/inittab/,
    },
  ],
});

firmwareRuleTester(risky('tftp'), {
  valid: [
    {
      name: 'dnsmasq without TFTP',
      tree: { 'etc/config/dhcp': "config dnsmasq\n\toption domain 'lan'\n\toption enable_tftp '0'\n" },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'OpenWrt dnsmasq with enable_tftp',
      tree: { 'etc/config/dhcp': "config dnsmasq\n\toption domain 'lan'\n\toption enable_tftp '1'\n\toption tftp_root '/tmp'\n" },
      message: /dnsmasq-tftp started by uci dnsmasq/,
      path: '/etc/config/dhcp',
    },
    {
      name: 'inetd tftpd over udp',
      tree: { 'etc/inetd.conf': 'tftp dgram udp wait root /usr/sbin/in.tftpd in.tftpd -s /srv/tftp\n' },
      message: /in\.tftpd/,
    },
  ],
});

firmwareRuleTester(risky('r-services'), {
  valid: [{ name: 'no inetd', tree: { 'etc/hostname': 'x\n' }, result: 'none' }],
  invalid: [
    {
      name: 'rlogin in inetd.conf',
      tree: { 'etc/inetd.conf': 'login stream tcp nowait root /usr/sbin/in.rlogind in.rlogind\n' },
      message: /in\.rlogind started by inetd login/,
    },
  ],
});

firmwareRuleTester(risky('gdbserver'), {
  valid: [{ name: 'gdbserver present but not started', tree: { 'usr/bin/gdbserver': new Uint8Array([0x7f, 0x45]) }, result: 'none' }],
  invalid: [
    {
      name: 'SysV script starting gdbserver',
      tree: { 'etc/init.d/debug': '#!/bin/sh\ngdbserver --multi :2345 &\n', 'etc/rcS.d/S90debug': { symlink: '/etc/init.d/debug' } },
      message: /gdbserver started by sysv debug/,
    },
  ],
});

firmwareRuleTester(risky('adbd'), {
  valid: [{ name: 'unit installed, not enabled', tree: { 'lib/systemd/system/adbd.service': unit('/usr/bin/adbd') }, result: 'none' }],
  invalid: [
    {
      name: 'enabled adbd unit',
      tree: systemd({ 'adbd.service': unit('/usr/bin/adbd') }, ['adbd.service']),
      message: /adbd started by systemd unit adbd.service/,
    },
  ],
});

firmwareRuleTester(risky('debug-shell'), {
  valid: [
    {
      name: 'debug-shell masked',
      tree: {
        ...systemd({ 'debug-shell.service': unit('/bin/sh') }, []),
        'etc/systemd/system/sysinit.target.wants/debug-shell.service': { symlink: '/lib/systemd/system/debug-shell.service' },
        'etc/systemd/system/debug-shell.service': { symlink: '/dev/null' },
      },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'debug-shell enabled',
      tree: systemd({ 'debug-shell.service': unit('/bin/sh', 'TTYPath=/dev/tty9\n') }, ['debug-shell.service'], 'sysinit.target.wants'),
      message: /debug-shell.service started by systemd/,
    },
  ],
});

firmwareRuleTester(risky('upnp'), {
  valid: [
    {
      name: 'miniupnpd script without an rc.d link',
      tree: { 'etc/init.d/miniupnpd': procdScript('/usr/sbin/miniupnpd -f /var/etc/miniupnpd.conf') },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'OpenWrt miniupnpd enabled',
      tree: {
        'etc/init.d/miniupnpd': procdScript('/usr/sbin/miniupnpd -f /var/etc/miniupnpd.conf'),
        'etc/rc.d/S94miniupnpd': { symlink: '../init.d/miniupnpd' },
      },
      message: /miniupnpd started by procd miniupnpd/,
    },
  ],
});

firmwareRuleTester(serialConsole, {
  valid: [
    {
      name: 'getty only on a virtual terminal',
      tree: { 'etc/inittab': 'id:3:initdefault:\n1:2345:respawn:/sbin/getty 38400 tty1\n' },
      result: 'none',
    },
    {
      name: 'serial-getty unit installed but not enabled',
      tree: {
        'lib/systemd/system/serial-getty@.service': unit("-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200,57600,38400,9600 %I $TERM"),
      },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'sysvinit getty on ttyS0',
      tree: { 'etc/inittab': 'id:3:initdefault:\nT0:23:respawn:/sbin/getty -L ttyS0 115200 vt100\n' },
      message: /login prompt on serial line ttyS0, started by \/etc\/inittab \(respawn\)/,
      path: '/etc/inittab',
    },
    {
      name: 'busybox shell on ttyAMA0 without login',
      tree: { ...busybox, 'etc/inittab': '::sysinit:/etc/init.d/rcS\nttyAMA0::askfirst:-/bin/sh\n' },
      message: /shell without login on serial line ttyAMA0/,
    },
    {
      name: 'busybox init without inittab: shell on the console',
      tree: { ...busybox, 'etc/init.d/rcS': '#!/bin/sh\nmount -a\n' },
      message: /shell without login on the kernel console/,
    },
    {
      name: 'systemd serial-getty@ttymxc0',
      tree: systemd(
        { 'serial-getty@.service': unit("-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200 %I $TERM") },
        ['serial-getty@ttymxc0.service'],
        'getty.target.wants',
      ),
      message: /login prompt on serial line ttymxc0, started by systemd unit serial-getty@ttymxc0.service/,
    },
  ],
});

firmwareRuleTester(rootService, {
  valid: [
    {
      name: 'busybox httpd dropping to www-data',
      tree: { 'etc/inittab': '::respawn:/usr/sbin/httpd -f -u www-data -h /www\n' },
      result: 'none',
    },
    {
      name: 'systemd unit with User=',
      tree: systemd({ 'web.service': unit('/usr/sbin/lighttpd -D -f /etc/lighttpd/lighttpd.conf', 'User=www\n') }, ['web.service']),
      result: 'none',
    },
    {
      name: 'lighttpd with server.username',
      tree: {
        ...systemd({ 'lighttpd.service': unit('/usr/sbin/lighttpd -D -f /etc/lighttpd/lighttpd.conf') }, ['lighttpd.service']),
        'etc/lighttpd/lighttpd.conf': 'server.username = "www-data"\n',
      },
      result: 'none',
    },
    {
      name: 'dnsmasq and dropbear, which handle privileges themselves',
      tree: { 'etc/inittab': '::respawn:/usr/sbin/dnsmasq -k\n::respawn:/usr/sbin/dropbear -F\n' },
      result: 'none',
    },
    {
      name: 'procd uhttpd with a user',
      tree: {
        'etc/init.d/uhttpd': procdScript('/usr/sbin/uhttpd -f -h /www -p 0.0.0.0:80', 'www'),
        'etc/rc.d/S50uhttpd': { symlink: '../init.d/uhttpd' },
      },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'OpenWrt uhttpd as root',
      tree: {
        'etc/init.d/uhttpd': procdScript('/usr/sbin/uhttpd -f -h /www -p 0.0.0.0:80'),
        'etc/rc.d/S50uhttpd': { symlink: '../init.d/uhttpd' },
      },
      message: /uhttpd runs as root, started by procd uhttpd/,
    },
    { name: 'busybox httpd without -u', tree: { 'etc/inittab': '::respawn:/usr/sbin/httpd -f -h /www\n' }, message: /httpd runs as root/ },
  ],
});

describe('boot inventory', () => {
  it('lists each service with its starter, source and line, resolving links inside the image', () => {
    const root = buildTree({
      ...busybox,
      'etc/inittab': '::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n',
      'etc/init.d/rcS': '#!/bin/sh\n/etc/init.d/network start\n',
      'etc/init.d/network': '#!/bin/sh\nudhcpc -i eth0 &\n',
      'etc/init.d/escape': '#!/bin/sh\n/usr/sbin/telnetd\n',
      'etc/rc3.d/S01escape': { symlink: '../../../../../../etc/passwd' },
    });
    const inventory = bootInventory(firmwareContext(openDirectoryFs(root), 'test'));
    const udhcpc = inventory.services.find((s) => s.programs.includes('udhcpc'));
    assert.deepEqual(udhcpc && { source: udhcpc.source, line: udhcpc.line, starter: udhcpc.starter }, {
      source: '/etc/init.d/network',
      line: 2,
      starter: 'inittab',
    });
    assert.ok(inventory.services.some((s) => s.tty === 'ttyS0' && s.programs[0] === 'getty'));
    // The escaping link resolves to /etc/passwd inside the image, which does not exist: nothing is read from the host.
    assert.equal(
      inventory.services.some((s) => s.programs.includes('telnetd')),
      false,
    );
  });

  it('every service check id is unique', () => {
    const ids = serviceChecks.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length >= 10);
  });
});
