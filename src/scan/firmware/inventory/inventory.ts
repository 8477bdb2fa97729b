// The software an image carries, from its package databases (dpkg, opkg, apk), the version strings of
// components such databases often leave out (BusyBox, the kernel, OpenSSL, Dropbear) and /etc/os-release.
// Every component names the file it was read from.
import type { FirmwareContext } from '../firmware-check.ts';
import { type FsEntry, resolveInImage } from '../image-fs.ts';
import { purl } from './purl.ts';
import { parseApkInstalled, parseControlStanzas, parseOsRelease, type Stanza } from './stanzas.ts';
import { BUSYBOX, DROPBEAR, DROPBEAR_BANNER, findVersion, LINUX, OPENSSL, type VersionPattern } from './version-strings.ts';

export type ComponentSource = 'dpkg' | 'opkg' | 'apk' | 'string' | 'kernel-modules' | 'os-release';

export interface SoftwareComponent {
  name: string;
  version: string;
  type: 'application' | 'library' | 'operating-system';
  purl?: string;
  /** Licences as the database states them (SPDX ids or free text). */
  licenses: string[];
  source: ComponentSource;
  /** The file it was read from. */
  evidence: string;
  architecture?: string;
  /** The source package (dpkg Source:, apk origin, opkg SourceName). */
  sourcePackage?: string;
  description?: string;
}

export interface InventorySource {
  source: ComponentSource;
  path: string;
  count: number;
}

export interface OperatingSystem {
  id?: string;
  versionId?: string;
  prettyName?: string;
  path: string;
}

export interface SoftwareInventory {
  components: SoftwareComponent[];
  sources: InventorySource[];
  os?: OperatingSystem;
}

/** Binary files larger than this are searched only in their first part. */
const MAX_BINARY_BYTES = 32 * 1024 * 1024;

export function softwareInventory(context: FirmwareContext): SoftwareInventory {
  return context.memo('software-inventory', () => {
    const os = operatingSystem(context);
    const distro = os?.id ? (os.versionId ? `${os.id}-${os.versionId}` : os.id) : undefined;
    const sources: InventorySource[] = [];
    const components: SoftwareComponent[] = [];
    const add = (found: SoftwareComponent[], source: ComponentSource, path: string) => {
      if (!found.length) return;
      components.push(...found);
      sources.push({ source, path, count: found.length });
    };

    add(dpkgStatus(context, '/var/lib/dpkg/status', os, distro), 'dpkg', '/var/lib/dpkg/status');
    const statusD = context.files((e) => e.path.startsWith('/var/lib/dpkg/status.d/') && !e.path.endsWith('.md5sums'));
    add(
      statusD.flatMap((e) => dpkgStatus(context, e.path, os, distro)),
      'dpkg',
      '/var/lib/dpkg/status.d/',
    );
    const opkg = opkgPackages(context, os);
    add(opkg.components, 'opkg', opkg.path);
    add(apkPackages(context, os, distro), 'apk', '/lib/apk/db/installed');

    const packaged = new Set(components.map((c) => c.name));
    const strings = versionStrings(context).filter((c) => !packaged.has(c.name) && !(c.name === 'linux' && hasKernelPackage(packaged)));
    for (const c of strings) add([c], c.source, c.evidence);
    if (os?.id) {
      const version = os.versionId ?? '';
      add(
        [
          {
            name: os.id,
            version,
            type: 'operating-system',
            purl: purl({ type: 'generic', name: os.id, ...(version ? { version } : {}) }),
            licenses: [],
            source: 'os-release',
            evidence: os.path,
            ...(os.prettyName ? { description: os.prettyName } : {}),
          },
        ],
        'os-release',
        os.path,
      );
    }
    return { components, sources, ...(os ? { os } : {}) };
  });
}

function hasKernelPackage(names: Set<string>): boolean {
  return [...names].some((n) => n.startsWith('linux-image') || n === 'kernel');
}

function readTextFollowing(context: FirmwareContext, path: string): { path: string; text: string } | undefined {
  const entry = resolveInImage(context.fs, path);
  if (entry?.type !== 'file') return undefined;
  const text = context.readText(entry.path);
  return text === undefined ? undefined : { path: entry.path, text };
}

export function operatingSystem(context: FirmwareContext): OperatingSystem | undefined {
  for (const path of ['/etc/os-release', '/usr/lib/os-release', '/etc/openwrt_release']) {
    const file = readTextFollowing(context, path);
    if (!file) continue;
    const fields = parseOsRelease(file.text);
    // /etc/openwrt_release uses DISTRIB_* names.
    const id = fields.get('ID') ?? fields.get('DISTRIB_ID')?.toLowerCase();
    const versionId = fields.get('VERSION_ID') ?? fields.get('DISTRIB_RELEASE');
    const prettyName = fields.get('PRETTY_NAME') ?? fields.get('DISTRIB_DESCRIPTION');
    return { path, ...(id ? { id: id.toLowerCase() } : {}), ...(versionId ? { versionId } : {}), ...(prettyName ? { prettyName } : {}) };
  }
  return undefined;
}

function dpkgStatus(
  context: FirmwareContext,
  path: string,
  os: OperatingSystem | undefined,
  distro: string | undefined,
): SoftwareComponent[] {
  const text = context.readText(path);
  if (text === undefined) return [];
  const namespace = os?.id ?? 'debian';
  return parseControlStanzas(text).flatMap((s) => {
    const name = s.fields.get('Package');
    const version = s.fields.get('Version');
    const status = s.fields.get('Status');
    // Distroless status.d files may carry no Status field: the file's presence means installed.
    if (!name || !version || (status !== undefined && !status.endsWith(' installed'))) return [];
    const architecture = s.fields.get('Architecture');
    const sourceField = s.fields.get('Source');
    const sourcePackage = sourceField?.split(' ')[0];
    return [
      {
        name,
        version,
        type: packageType(name, s),
        purl: purl({ type: 'deb', namespace, name, version, qualifiers: { arch: architecture, distro, upstream: sourcePackage } }),
        licenses: [],
        source: 'dpkg' as const,
        evidence: path,
        ...(architecture ? { architecture } : {}),
        ...(sourcePackage ? { sourcePackage } : {}),
        ...description(s, 'Description'),
      },
    ];
  });
}

function description(s: Stanza, field: string): { description?: string } {
  const d = s.fields.get(field)?.split('\n')[0];
  return d ? { description: d } : {};
}

function packageType(name: string, s: Stanza): SoftwareComponent['type'] {
  const section = s.fields.get('Section') ?? '';
  return name.startsWith('lib') || section.includes('libs') ? 'library' : 'application';
}

function opkgPackages(context: FirmwareContext, os: OperatingSystem | undefined): { components: SoftwareComponent[]; path: string } {
  const infoDirs = ['/usr/lib/opkg/info/', '/var/lib/opkg/info/'];
  const controls = new Map<string, { stanza: Stanza; path: string }>();
  for (const e of context.files((f: FsEntry) => infoDirs.some((d) => f.path.startsWith(d)) && f.path.endsWith('.control'))) {
    const text = context.readText(e.path, 256 * 1024);
    const stanza = text === undefined ? undefined : parseControlStanzas(text)[0];
    const name = stanza?.fields.get('Package');
    if (stanza && name) controls.set(name, { stanza, path: e.path });
  }
  const statusPath = ['/usr/lib/opkg/status', '/var/lib/opkg/status'].find((p) => context.fs.entry(p)?.type === 'file');
  const statusText = statusPath ? context.readText(statusPath) : undefined;
  const namespace = os?.id === 'openwrt' ? 'openwrt' : undefined;
  const component = (stanza: Stanza, control: Stanza | undefined, evidence: string): SoftwareComponent[] => {
    const get = (f: string) => stanza.fields.get(f) ?? control?.fields.get(f);
    const name = get('Package');
    const version = get('Version');
    if (!name || !version) return [];
    const architecture = get('Architecture');
    const license = get('License');
    const sourcePackage = get('SourceName');
    return [
      {
        name,
        version,
        type: packageType(name, stanza),
        purl: purl({ type: 'opkg', ...(namespace ? { namespace } : {}), name, version, qualifiers: { arch: architecture } }),
        licenses: license ? [license] : [],
        source: 'opkg',
        evidence,
        ...(architecture ? { architecture } : {}),
        ...(sourcePackage ? { sourcePackage } : {}),
        ...(control ? description(control, 'Description') : {}),
      },
    ];
  };
  if (statusText !== undefined && statusPath) {
    const components = parseControlStanzas(statusText)
      .filter((s) => (s.fields.get('Status') ?? '').endsWith(' installed'))
      .flatMap((s) => component(s, controls.get(s.fields.get('Package') ?? '')?.stanza, statusPath));
    return { components, path: statusPath };
  }
  // No status file (a read-only squashfs with the overlay missing): the control files still list what was built in.
  const components = [...controls.values()].flatMap(({ stanza, path }) => component(stanza, undefined, path));
  return { components, path: infoDirs[0] as string };
}

function apkPackages(context: FirmwareContext, os: OperatingSystem | undefined, distro: string | undefined): SoftwareComponent[] {
  const path = '/lib/apk/db/installed';
  const text = context.readText(path, 64 * 1024 * 1024);
  if (text === undefined) return [];
  const namespace = os?.id ?? 'alpine';
  return parseApkInstalled(text).flatMap((s) => {
    const name = s.fields.get('P');
    const version = s.fields.get('V');
    if (!name || !version) return [];
    const architecture = s.fields.get('A');
    const license = s.fields.get('L');
    const origin = s.fields.get('o');
    const d = s.fields.get('T');
    return [
      {
        name,
        version,
        type: name.startsWith('lib') || name === 'musl' ? ('library' as const) : ('application' as const),
        purl: purl({ type: 'apk', namespace, name, version, qualifiers: { arch: architecture, distro } }),
        licenses: license ? [license] : [],
        source: 'apk' as const,
        evidence: path,
        ...(architecture ? { architecture } : {}),
        ...(origin ? { sourcePackage: origin } : {}),
        ...(d ? { description: d } : {}),
      },
    ];
  });
}

function readBinary(context: FirmwareContext, path: string): Uint8Array | undefined {
  try {
    return context.fs.read(path, MAX_BINARY_BYTES);
  } catch (error) {
    if (error instanceof Error && error.name === 'ImageReadError') {
      context.fs.problems.push({ part: path, reason: error.message });
      return undefined;
    }
    throw error;
  }
}

const STRING_TARGETS: { test: RegExp; patterns: VersionPattern[]; type: SoftwareComponent['type'] }[] = [
  { test: /\/busybox$/, patterns: [BUSYBOX], type: 'application' },
  { test: /\/libcrypto\.so[^/]*$/, patterns: [OPENSSL], type: 'library' },
  { test: /\/(?:dropbear|dropbearmulti)$/, patterns: [DROPBEAR, DROPBEAR_BANNER], type: 'application' },
  { test: /^\/boot\/(?:vmlinux[^/]*|Image|zImage|uImage|kernel[^/]*\.img)$/, patterns: [LINUX], type: 'operating-system' },
];

/** Components found by their version strings, and the kernel by /lib/modules/<version>/. */
export function versionStrings(context: FirmwareContext): SoftwareComponent[] {
  const found = new Map<string, SoftwareComponent>();
  const record = (name: string, version: string, type: SoftwareComponent['type'], source: ComponentSource, evidence: string) => {
    const key = `${name}@${version}`;
    if (!found.has(key))
      found.set(key, { name, version, type, purl: purl({ type: 'generic', name, version }), licenses: [], source, evidence });
  };
  for (const e of context.files((f) => STRING_TARGETS.some((t) => t.test.test(f.path)))) {
    const target = STRING_TARGETS.find((t) => t.test.test(e.path));
    if (!target) continue;
    const bytes = readBinary(context, e.path);
    if (!bytes) continue;
    for (const pattern of target.patterns) {
      const version = findVersion(bytes, pattern);
      if (version) {
        record(pattern.name, version, target.type, 'string', e.path);
        break;
      }
    }
  }
  for (const e of context.fs.entries()) {
    const match = /^\/(?:usr\/)?lib\/modules\/(\d{1,2}\.\d{1,3}(?:\.\d{1,4})?[^/]{0,64})$/.exec(e.path);
    if (match && e.type === 'directory') record('linux', match[1] as string, 'operating-system', 'kernel-modules', e.path);
  }
  return [...found.values()];
}
