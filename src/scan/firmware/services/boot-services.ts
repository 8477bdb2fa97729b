// What starts at boot, gathered once per filesystem (memoised) from every init system an embedded Linux
// image may use: systemd *.wants links, SysV rc?.d links, inittab (sysvinit and busybox), busybox init
// without an inittab, inetd and xinetd, OpenWrt procd (rc.d links) and uci, and runit. Links and
// ExecStart paths resolve inside the image only. Init scripts are read for the commands they run, so that
// a daemon started by a script is named with the script and line that start it.
import type { FirmwareContext } from '../firmware-check.ts';
import { type FsEntry, normaliseImagePath, resolveInImage } from '../image-fs.ts';
import {
  basename,
  parseInetd,
  parseInittab,
  parseUci,
  parseUnitFile,
  parseXinetd,
  scriptCommands,
  splitWords,
  unitValues,
} from './parsers.ts';

export type Starter = 'systemd' | 'sysv' | 'inittab' | 'busybox-init' | 'inetd' | 'xinetd' | 'procd' | 'uci' | 'runit';

export interface BootService {
  /** The unit, script, inittab id or inetd service that starts it. */
  service: string;
  starter: Starter;
  /** The program's words as written (argv[0] first). */
  argv: string[];
  /** Names it is known by: argv[0]'s base name, the busybox applet, programs a wrapper (tcpsvd, tcpd) runs. */
  programs: string[];
  /** The user it runs as, when the starter says (User=, inetd's user field, chpst -u); undefined means root. */
  user?: string;
  /** Where it is started from. */
  source: string;
  line?: number;
  /** inittab: the action (respawn, askfirst, sysinit, …) and the tty field. */
  action?: string;
  tty?: string;
  /** systemd: the unit name, with the instance of a template. */
  unit?: string;
  /** argv[0] is a shell script whose commands are listed as services of their own. */
  script?: string;
}

export interface BootInventory {
  services: BootService[];
  notes: string[];
}

const WRAPPERS = new Set([
  'tcpsvd',
  'udpsvd',
  'tcpd',
  'nohup',
  'setsid',
  'env',
  'nice',
  'ionice',
  'taskset',
  'chroot',
  'su',
  'sudo',
  'runuser',
  'busybox',
]);
const MAX_SCRIPT_BYTES = 256 * 1024;

/** The names a command is known by. */
export function programNames(argv: readonly string[]): string[] {
  const first = argv[0];
  if (!first) return [];
  const names = [basename(first)];
  if (WRAPPERS.has(names[0] as string))
    for (const arg of argv.slice(1)) if (!arg.startsWith('-') && /^[A-Za-z/][\w./-]{0,128}$/.test(arg)) names.push(basename(arg));
  return [...new Set(names)];
}

function service(partial: Omit<BootService, 'programs'>): BootService {
  return { ...partial, programs: programNames(partial.argv) };
}

/** A script file inside the image, when the path (after links) is a regular text file. */
function scriptText(context: FirmwareContext, path: string): { path: string; text: string } | undefined {
  const entry = resolveInImage(context.fs, path);
  if (!entry || entry.type !== 'file') return undefined;
  const text = context.readText(entry.path, MAX_SCRIPT_BYTES);
  if (text === undefined || text.includes('\0')) return undefined;
  return { path: entry.path, text };
}

/** The commands a started script runs, each as its own BootService attributed to the script's line. */
function expandScript(context: FirmwareContext, base: BootService, seen: Set<string>, depth = 0): BootService[] {
  const first = base.argv[0];
  if (!first || !first.startsWith('/') || depth > 3) return [];
  const script = scriptText(context, first);
  if (!script || !/^#!|^\s*(#|[a-zA-Z_])/.test(script.text) || seen.has(script.path)) return [];
  if (!script.text.startsWith('#!') && !/\/init\.d\/|\/sv\/|\/service\/|\/runit\//.test(script.path)) return [];
  seen.add(script.path);
  // The script is not the daemon: what it runs is named below, by its own line.
  base.programs = [];
  base.script = script.path;
  const found: BootService[] = [];
  let scriptUser: string | undefined;
  for (const cmd of scriptCommands(script.text)) {
    if (cmd.argv[0] === 'procd_set_param') {
      scriptUser = cmd.user;
      continue;
    }
    const started = service({
      service: base.service,
      starter: base.starter,
      argv: cmd.argv,
      source: script.path,
      line: cmd.line,
      ...(cmd.user ? { user: cmd.user } : base.user ? { user: base.user } : {}),
      // What the script runs is started the way the script is (an inittab entry's action).
      ...(base.action ? { action: base.action } : {}),
    });
    found.push(started);
    // rcS-style scripts run other scripts: follow them, a few levels deep.
    if (/\/(init\.d|rc\.d)\//.test(cmd.argv[0] ?? '')) found.push(...expandScript(context, started, seen, depth + 1));
  }
  if (scriptUser) for (const s of found) s.user ??= scriptUser;
  // busybox's sample rcS runs every /etc/init.d/S??* script in order.
  if (/\/etc\/init\.d\/S\?\?\*|\/etc\/init\.d\/S\*/.test(script.text)) {
    for (const e of context.files((f) => /^\/etc\/init\.d\/S[^/]{1,64}$/.test(f.path))) {
      found.push(
        ...expandScript(
          context,
          { ...base, service: basename(e.path), argv: [e.path], programs: [basename(e.path)], source: script.path, line: 1 },
          seen,
          depth + 1,
        ),
      );
    }
  }
  return found;
}

function withScripts(context: FirmwareContext, services: BootService[]): BootService[] {
  const seen = new Set<string>();
  return services.flatMap((s) => [s, ...expandScript(context, s, seen)]);
}

const SYSTEMD_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

function findUnit(context: FirmwareContext, name: string): FsEntry | undefined {
  for (const dir of SYSTEMD_DIRS) {
    const entry = resolveInImage(context.fs, `${dir}/${name}`);
    if (entry) return entry;
  }
  return undefined;
}

function systemdServices(context: FirmwareContext): BootService[] {
  const links = [...context.fs.entries()].filter((e) =>
    /^\/(?:etc|lib|usr\/lib)\/systemd\/system\/[^/]{1,128}\.(?:wants|requires)\/[^/]{1,256}$/.test(e.path),
  );
  const result: BootService[] = [];
  const done = new Set<string>();
  for (const link of links) {
    const unitName = basename(link.path);
    if (done.has(unitName)) continue;
    done.add(unitName);
    // Masked: a link to /dev/null in /etc/systemd/system overrides everything.
    const mask = context.fs.entry(`/etc/systemd/system/${unitName}`);
    if (mask?.type === 'symlink' && mask.linkTarget === '/dev/null') continue;
    const template = unitName.replace(/@[^.]{1,128}\./, '@.');
    const instance = /@([^.]{1,128})\./.exec(unitName)?.[1] ?? '';
    const entry = resolveInImage(context.fs, link.path) ?? findUnit(context, unitName) ?? findUnit(context, template);
    const base = { service: unitName, starter: 'systemd' as const, unit: unitName, source: link.path };
    if (!entry || entry.type !== 'file') {
      result.push(service({ ...base, argv: [] }));
      continue;
    }
    const unit = parseUnitFile(context.readText(entry.path, MAX_SCRIPT_BYTES) ?? '');
    const user = unitValues(unit, 'Service', 'User').at(-1)?.value;
    const dynamic = /^(yes|true|1|on)$/i.test(unitValues(unit, 'Service', 'DynamicUser').at(-1)?.value ?? '');
    const execs = unitValues(unit, 'Service', 'ExecStart');
    const userField = dynamic ? { user: 'dynamic' } : user && user !== 'root' && user !== '0' ? { user } : {};
    if (execs.length === 0) result.push(service({ ...base, argv: [], source: entry.path, ...userField }));
    for (const exec of execs) {
      const command = exec.value
        .replace(/^[-@:+!]{1,4}/, '')
        .replaceAll('%i', instance)
        .replaceAll('%I', instance);
      result.push(service({ ...base, argv: splitWords(command), source: entry.path, line: exec.line, ...userField }));
    }
    // Socket-activated services: telnet.socket with Accept=yes starts telnet@.service per connection.
    if (unitName.endsWith('.socket')) {
      const target = unitName.replace(/\.socket$/, unitValues(unit, 'Socket', 'Accept').at(-1)?.value === 'yes' ? '@.service' : '.service');
      const svc = findUnit(context, target);
      if (svc?.type === 'file') {
        const svcUnit = parseUnitFile(context.readText(svc.path, MAX_SCRIPT_BYTES) ?? '');
        for (const exec of unitValues(svcUnit, 'Service', 'ExecStart'))
          result.push(service({ ...base, argv: splitWords(exec.value.replace(/^[-@:+!]{1,4}/, '')), source: svc.path, line: exec.line }));
      }
    }
  }
  return result;
}

/** SysV rc?.d and OpenWrt rc.d start links, resolved inside the image. */
function rcLinks(context: FirmwareContext): BootService[] {
  const result: BootService[] = [];
  const seen = new Set<string>();
  for (const e of context.fs.entries()) {
    const m = /^\/etc\/(rc[0-6S]\.d|rc\.d)\/S\d{0,3}([^/]{1,128})$/.exec(e.path);
    if (!m || (e.type !== 'symlink' && e.type !== 'file')) continue;
    const target = resolveInImage(context.fs, e.path);
    if (!target || target.type !== 'file' || seen.has(target.path)) continue;
    if (/^\/etc\/rc[016]\.d\//.test(e.path)) continue;
    seen.add(target.path);
    const text = context.readText(target.path, MAX_SCRIPT_BYTES) ?? '';
    const procd = m[1] === 'rc.d' || /^\s*USE_PROCD=1/m.test(text);
    result.push(service({ service: basename(target.path), starter: procd ? 'procd' : 'sysv', argv: [target.path], source: e.path }));
  }
  return result;
}

function inittabServices(context: FirmwareContext, notes: string[]): BootService[] {
  const text = context.readText('/etc/inittab');
  if (text === undefined) {
    const init = resolveInImage(context.fs, '/sbin/init');
    const busybox = init && /busybox/.test(init.path);
    if (!busybox) return [];
    notes.push('busybox init with no /etc/inittab: it runs /etc/init.d/rcS and starts shells (askfirst) on the console and tty2–tty4');
    const at = { starter: 'busybox-init' as const, source: '/sbin/init' };
    return [
      service({ ...at, service: 'sysinit', argv: ['/etc/init.d/rcS'], action: 'sysinit' }),
      ...['console', 'tty2', 'tty3', 'tty4'].map((tty) => service({ ...at, service: tty, argv: ['-/bin/sh'], action: 'askfirst', tty })),
    ];
  }
  return parseInittab(text)
    .filter(
      (e) =>
        !/^(ctrlaltdel|shutdown|restart|powerfail|powerwait|powerfailnow|powerokwait|ondemand|off|kbrequest|initdefault)$/.test(e.action),
    )
    .map((e) => {
      const argv = splitWords(e.process);
      const ttyArg = argv.slice(1).find((a) => /^(\/dev\/)?(tty[A-Za-z0-9]{1,16}|console|hvc\d{1,3})$/.test(a));
      const tty = (/^(tty|console|hvc)/.test(e.id) ? e.id : ttyArg)?.replace(/^\/dev\//, '');
      return service({
        service: e.id || `${e.action}@${e.line}`,
        starter: 'inittab',
        argv,
        source: '/etc/inittab',
        line: e.line,
        action: e.action,
        ...(tty ? { tty } : {}),
      });
    });
}

function inetdServices(context: FirmwareContext): BootService[] {
  const text = context.readText('/etc/inetd.conf');
  if (text === undefined) return [];
  return parseInetd(text).map((e) => {
    const argv = e.server === 'internal' ? ['internal'] : [e.server, ...e.args.slice(1)];
    const s = service({
      service: e.service,
      starter: 'inetd',
      argv,
      source: '/etc/inetd.conf',
      line: e.line,
      ...(e.user !== 'root' ? { user: e.user } : {}),
    });
    // The program name inetd passes as argv[0] (e.g. tcpd's real daemon) names it too.
    if (e.args[0]) s.programs = [...new Set([...s.programs, ...programNames(e.args)])];
    return s;
  });
}

function xinetdServices(context: FirmwareContext): BootService[] {
  const files = context.files((e) => e.path === '/etc/xinetd.conf' || /^\/etc\/xinetd\.d\/[^/]{1,128}$/.test(e.path));
  return files.flatMap((f) =>
    parseXinetd(context.readText(f.path, MAX_SCRIPT_BYTES) ?? '')
      .filter((s) => (s.attributes.get('disable') ?? 'no') !== 'yes' && s.attributes.get('server'))
      .map((s) => {
        const user = s.attributes.get('user');
        return service({
          service: s.name,
          starter: 'xinetd',
          argv: [s.attributes.get('server') as string, ...splitWords(s.attributes.get('server_args') ?? '')],
          source: f.path,
          line: s.line,
          ...(user && user !== 'root' ? { user } : {}),
        });
      }),
  );
}

/** uci settings that start servers on their own: dnsmasq's TFTP server, and dropbear instances. */
function uciServices(context: FirmwareContext): BootService[] {
  const result: BootService[] = [];
  const dhcp = context.readText('/etc/config/dhcp');
  for (const s of parseUci(dhcp ?? '')) {
    if (s.type === 'dnsmasq' && s.options.get('enable_tftp') === '1')
      result.push({
        service: 'dnsmasq',
        starter: 'uci',
        argv: ['dnsmasq', '--enable-tftp'],
        programs: ['dnsmasq-tftp'],
        source: '/etc/config/dhcp',
        line: s.line,
      });
  }
  return result;
}

function runitServices(context: FirmwareContext): BootService[] {
  const result: BootService[] = [];
  const seen = new Set<string>();
  for (const e of context.fs.entries()) {
    const m = /^\/(?:etc\/runit\/runsvdir\/default|etc\/service|var\/service)\/([^/]{1,128})$/.exec(e.path);
    if (!m) continue;
    const run = resolveInImage(context.fs, `${e.path}/run`);
    if (!run || run.type !== 'file' || seen.has(run.path)) continue;
    seen.add(run.path);
    result.push(service({ service: m[1] as string, starter: 'runit', argv: [run.path], source: normaliseImagePath(e.path).path }));
  }
  return result;
}

export function bootInventory(context: FirmwareContext): BootInventory {
  return context.memo('boot-services', () => {
    const notes: string[] = [];
    const direct = [
      ...systemdServices(context),
      ...rcLinks(context),
      ...inittabServices(context, notes),
      ...inetdServices(context),
      ...xinetdServices(context),
      ...uciServices(context),
      ...runitServices(context),
    ];
    return { services: withScripts(context, direct), notes };
  });
}
