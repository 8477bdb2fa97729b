// The update mechanisms an image carries and whether each checks what it installs. Read from their own
// configuration:
//   SWUpdate  /etc/swupdate.cfg (public-key-file), `-k` on its command line, and whether the binary was
//             built with CONFIG_SIGNED_IMAGES (its usage text then offers -k/--key)
//   RAUC      /etc/rauc/system.conf [keyring] path= (RAUC refuses unsigned bundles: a keyring is the trust)
//   Mender    /etc/mender/mender.conf ArtifactVerifyKey(s) (without one the client accepts unsigned artifacts)
//   opkg      option check_signature in /etc/opkg.conf or /etc/opkg/*.conf, usign keys in /etc/opkg/keys
//   apt       [trusted=yes], allow-insecure, AllowUnauthenticated, AllowInsecureRepositories; keyrings
//   apk       /etc/apk/keys and --allow-untrusted
//   OSTree    remotes' gpg-verify / sign-verify in /etc/ostree/remotes.d/*.conf and /ostree/repo/config
// plus OpenWrt's sysupgrade and fwupd, recognised but not judged.
import type { FirmwareContext } from '../firmware-check.ts';
import { numberedLines, splitWords } from '../daemons/config-text.ts';

export interface Place {
  path: string;
  line?: number;
}

export type VerificationStatus = 'verified' | 'disabled' | 'unknown';

export interface Verification {
  status: VerificationStatus;
  place: Place;
  detail: string;
}

export interface UpdateSource {
  url: string;
  place: Place;
}

export interface UpdateMechanism {
  name: string;
  /** What showed it is there. */
  place: Place;
  verification: Verification[];
  sources: UpdateSource[];
}

const at = (path: string, line?: number): Place => (line === undefined ? { path } : { path, line });

export function updateMechanisms(context: FirmwareContext): UpdateMechanism[] {
  return context.memo('update-mechanisms', () =>
    [swupdate, rauc, mender, opkg, apt, apk, ostree, recognisedOnly].flatMap((reader) => reader(context)),
  );
}

function exists(context: FirmwareContext, ...paths: string[]): string | undefined {
  return paths.find((p) => context.fs.entry(p) !== undefined);
}

function hasFilesUnder(context: FirmwareContext, dir: string): boolean {
  return context.files((e) => e.path.startsWith(dir)).length > 0;
}

function binaryContains(context: FirmwareContext, path: string, needle: string): boolean | undefined {
  try {
    return Buffer.from(context.fs.read(path, 16 * 1024 * 1024)).indexOf(needle) !== -1;
  } catch {
    return undefined;
  }
}

const SCRIPT_DIRS =
  /^\/(?:etc\/init\.d|etc\/default|etc\/systemd\/system|lib\/systemd\/system|usr\/lib\/systemd\/system|usr\/lib\/swupdate|etc\/swupdate)\//;

/** URLs (http:// or https://) in a line, cut at quotes, spaces and semicolons. */
function urls(line: string): string[] {
  return [...line.matchAll(/https?:\/\/[^\s"';,]{1,500}/g)].map((m) => m[0]);
}

function swupdate(context: FirmwareContext): UpdateMechanism[] {
  const binary = exists(context, '/usr/bin/swupdate', '/usr/sbin/swupdate', '/sbin/swupdate', '/bin/swupdate');
  const cfg = context.readText('/etc/swupdate.cfg');
  if (!binary && cfg === undefined) return [];
  const mechanism: UpdateMechanism = { name: 'SWUpdate', place: at(binary ?? '/etc/swupdate.cfg'), verification: [], sources: [] };
  let key: Place | undefined;
  for (const { line, text } of numberedLines(cfg ?? '')) {
    if (/^\s*public-key-file\s*=\s*"[^"]+"/.test(text)) key ??= at('/etc/swupdate.cfg', line);
    for (const url of urls(text)) mechanism.sources.push({ url, place: at('/etc/swupdate.cfg', line) });
  }
  for (const e of context.files((f) => SCRIPT_DIRS.test(f.path))) {
    const text = context.readText(e.path, 256 * 1024);
    if (!text?.includes('swupdate')) continue;
    for (const { line, text: raw } of numberedLines(text)) {
      if (!raw.includes('swupdate')) continue;
      const words = splitWords(raw);
      if (words.some((w) => w === '-k' || w === '--key' || w.startsWith('--key='))) key ??= at(e.path, line);
      for (const url of urls(raw)) mechanism.sources.push({ url, place: at(e.path, line) });
    }
  }
  // Built with CONFIG_SIGNED_IMAGES, swupdate's usage text offers the key option, and it will not start without a key.
  const signedBuild = binary ? binaryContains(context, binary, 'public key to verify images') : undefined;
  if (signedBuild === false)
    mechanism.verification.push({
      status: 'disabled',
      place: at(binary as string),
      detail: 'the swupdate binary was built without CONFIG_SIGNED_IMAGES: it installs unsigned .swu images',
    });
  else if (signedBuild === true)
    mechanism.verification.push({
      status: 'verified',
      place: key ?? at(binary as string),
      detail: 'swupdate is built with CONFIG_SIGNED_IMAGES and checks sw-description signatures',
    });
  else if (key) mechanism.verification.push({ status: 'verified', place: key, detail: 'a public key is configured for signed images' });
  else
    mechanism.verification.push({
      status: 'disabled',
      place: mechanism.place,
      detail: 'no public key (public-key-file or -k) is configured, so images are not checked',
    });
  return [mechanism];
}

/** INI sections with their keys' values and lines (RAUC, OSTree, Mender's neighbours). */
export function parseIni(text: string): { section: string; key: string; value: string; line: number }[] {
  const result: { section: string; key: string; value: string; line: number }[] = [];
  let section = '';
  for (const { line, text: raw } of numberedLines(text)) {
    const t = raw.trim();
    if (!t || t.startsWith('#') || t.startsWith(';')) continue;
    if (t.startsWith('[') && t.endsWith(']')) {
      section = t.slice(1, -1).trim();
      continue;
    }
    const eq = t.indexOf('=');
    if (eq > 0) result.push({ section, key: t.slice(0, eq).trim(), value: t.slice(eq + 1).trim(), line });
  }
  return result;
}

function rauc(context: FirmwareContext): UpdateMechanism[] {
  const path = '/etc/rauc/system.conf';
  const text = context.readText(path);
  const binary = exists(context, '/usr/bin/rauc', '/usr/sbin/rauc');
  if (text === undefined && !binary) return [];
  const mechanism: UpdateMechanism = {
    name: 'RAUC',
    place: at(text !== undefined ? path : (binary as string)),
    verification: [],
    sources: [],
  };
  const entries = parseIni(text ?? '');
  const keyring = entries.find((e) => e.section === 'keyring' && (e.key === 'path' || e.key === 'directory'));
  const keyringPath = keyring ? (keyring.value.startsWith('/') ? keyring.value : `/etc/rauc/${keyring.value}`) : undefined;
  if (keyring && keyringPath && context.fs.entry(keyringPath))
    mechanism.verification.push({
      status: 'verified',
      place: at(path, keyring.line),
      detail: `RAUC verifies every bundle's signature against the keyring ${keyringPath}`,
    });
  else
    mechanism.verification.push({
      status: 'unknown',
      place: at(path, keyring?.line),
      detail: keyring
        ? `the keyring ${keyringPath} is not in the image`
        : 'system.conf has no [keyring]; RAUC will refuse to install bundles until one is provided',
    });
  for (const e of entries) for (const url of urls(e.value)) mechanism.sources.push({ url, place: at(path, e.line) });
  return [mechanism];
}

function mender(context: FirmwareContext): UpdateMechanism[] {
  const paths = ['/etc/mender/mender.conf', '/var/lib/mender/mender.conf', '/data/mender/mender.conf'];
  const binary = exists(context, '/usr/bin/mender', '/usr/bin/mender-update', '/usr/bin/mender-auth');
  const found = paths.flatMap((p) => {
    const text = context.readText(p, 1024 * 1024);
    return text === undefined ? [] : [{ path: p, text }];
  });
  if (!found.length && !binary) return [];
  const mechanism: UpdateMechanism = { name: 'Mender', place: at(found[0]?.path ?? (binary as string)), verification: [], sources: [] };
  let key: Place | undefined;
  for (const { path, text } of found) {
    for (const { line, text: raw } of numberedLines(text)) {
      const m = /"(ArtifactVerifyKeys?)"\s*:\s*("[^"]+"|\[\s*"[^"]+)/.exec(raw);
      if (m) key ??= at(path, line);
      const server = /"(?:ServerURL|Servers)"/.test(raw) || /"ServerURL"/.test(raw);
      for (const url of urls(raw)) if (server || raw.includes('URL')) mechanism.sources.push({ url, place: at(path, line) });
    }
  }
  mechanism.verification.push(
    key
      ? { status: 'verified', place: key, detail: 'Mender checks artifact signatures against ArtifactVerifyKey' }
      : {
          status: 'disabled',
          place: mechanism.place,
          detail: 'no ArtifactVerifyKey is configured: the Mender client installs unsigned artifacts',
        },
  );
  return [mechanism];
}

function opkg(context: FirmwareContext): UpdateMechanism[] {
  const confs = ['/etc/opkg.conf', ...context.files((e) => /^\/etc\/opkg\/[^/]+\.conf$/.test(e.path)).map((e) => e.path)];
  const binary = exists(context, '/bin/opkg', '/usr/bin/opkg', '/usr/sbin/opkg');
  const texts = confs.flatMap((p) => {
    const text = context.readText(p);
    return text === undefined ? [] : [{ path: p, text }];
  });
  if (!binary && !texts.length) return [];
  const mechanism: UpdateMechanism = {
    name: 'opkg',
    place: at(binary ?? (texts[0] as { path: string }).path),
    verification: [],
    sources: [],
  };
  let check: { on: boolean; place: Place } | undefined;
  for (const { path, text } of texts) {
    for (const { line, text: raw } of numberedLines(text)) {
      const words = splitWords(raw);
      if (words[0] === 'option' && words[1] === 'check_signature')
        check = { on: !['0', 'false', 'no', 'off'].includes(words[2] ?? '1'), place: at(path, line) };
      if (words[0] === 'src' || words[0] === 'src/gz') {
        const url = words[2];
        if (url) mechanism.sources.push({ url, place: at(path, line) });
      }
    }
  }
  const keys = hasFilesUnder(context, '/etc/opkg/keys/');
  if (!check?.on)
    mechanism.verification.push({
      status: 'disabled',
      place: check?.place ?? mechanism.place,
      detail: check
        ? 'option check_signature is switched off: package lists are not verified'
        : 'option check_signature is not set: package lists are not verified',
    });
  else if (!keys)
    mechanism.verification.push({
      status: 'disabled',
      place: check.place,
      detail: 'check_signature is on but /etc/opkg/keys holds no usign key to verify with',
    });
  else
    mechanism.verification.push({
      status: 'verified',
      place: check.place,
      detail: 'opkg verifies the signed package lists with the usign keys in /etc/opkg/keys',
    });
  return [mechanism];
}

const APT_INSECURE =
  /(?:AllowUnauthenticated|AllowInsecureRepositories|AllowDowngradeToInsecureRepositories|AllowWeakRepositories)\s+"?(?:true|yes|1)"?/i;

function apt(context: FirmwareContext): UpdateMechanism[] {
  const binary = exists(context, '/usr/bin/apt-get', '/usr/bin/apt');
  const lists = context.files(
    (e) => e.path === '/etc/apt/sources.list' || /^\/etc\/apt\/sources\.list\.d\/[^/]+\.(?:list|sources)$/.test(e.path),
  );
  if (!binary && !lists.length) return [];
  const mechanism: UpdateMechanism = {
    name: 'apt',
    place: at(binary ?? (lists[0] as { path: string }).path),
    verification: [],
    sources: [],
  };
  for (const e of lists) {
    const text = context.readText(e.path) ?? '';
    for (const { line, text: raw } of numberedLines(text)) {
      const t = raw.trim();
      if (t.startsWith('#')) continue;
      if (/^deb(?:-src)?\s/.test(t)) {
        const options = /^deb(?:-src)?\s+\[([^\]]{0,1000})\]/.exec(t)?.[1] ?? '';
        if (/(?:^|\s)(?:trusted=yes|allow-insecure=yes|allow-weak=yes)/.test(options))
          mechanism.verification.push({
            status: 'disabled',
            place: at(e.path, line),
            detail: `the source is marked [${options.trim()}]: its packages are installed without a valid signature`,
          });
        for (const url of urls(t)) mechanism.sources.push({ url, place: at(e.path, line) });
      } else if (/^(?:Trusted|Allow-Insecure|Allow-Weak):\s*yes/i.test(t))
        mechanism.verification.push({
          status: 'disabled',
          place: at(e.path, line),
          detail: `${t}: packages from this source are installed without a valid signature`,
        });
      else if (/^URIs:/i.test(t)) for (const url of urls(t)) mechanism.sources.push({ url, place: at(e.path, line) });
    }
  }
  for (const e of context.files((f) => f.path.startsWith('/etc/apt/apt.conf'))) {
    for (const { line, text: raw } of numberedLines(context.readText(e.path) ?? '')) {
      if (!raw.trim().startsWith('//') && APT_INSECURE.test(raw))
        mechanism.verification.push({
          status: 'disabled',
          place: at(e.path, line),
          detail: `${raw.trim()}: apt accepts unsigned or insecure repositories`,
        });
    }
  }
  const keyrings =
    ['/etc/apt/trusted.gpg.d/', '/usr/share/keyrings/', '/etc/apt/keyrings/'].some((d) => hasFilesUnder(context, d)) ||
    !!exists(context, '/etc/apt/trusted.gpg');
  if (!mechanism.verification.length)
    mechanism.verification.push(
      keyrings
        ? {
            status: 'verified',
            place: mechanism.place,
            detail: 'apt verifies signed repository metadata against the keyrings in the image',
          }
        : {
            status: 'unknown',
            place: mechanism.place,
            detail:
              'no apt keyring is in the image: apt would refuse unsigned repositories, so updates would fail rather than go unchecked',
          },
    );
  return [mechanism];
}

function apk(context: FirmwareContext): UpdateMechanism[] {
  const binary = exists(context, '/sbin/apk', '/usr/bin/apk', '/bin/apk');
  const repos = context.readText('/etc/apk/repositories');
  if (!binary && repos === undefined) return [];
  const mechanism: UpdateMechanism = { name: 'apk', place: at(binary ?? '/etc/apk/repositories'), verification: [], sources: [] };
  for (const { line, text } of numberedLines(repos ?? ''))
    for (const url of urls(text)) mechanism.sources.push({ url, place: at('/etc/apk/repositories', line) });
  for (const e of context.files((f) => SCRIPT_DIRS.test(f.path) || f.path.startsWith('/etc/periodic/') || f.path.startsWith('/etc/apk/'))) {
    for (const { line, text } of numberedLines(context.readText(e.path, 256 * 1024) ?? ''))
      if (text.includes('apk') && text.includes('--allow-untrusted'))
        mechanism.verification.push({
          status: 'disabled',
          place: at(e.path, line),
          detail: 'apk is run with --allow-untrusted: unsigned packages are installed',
        });
  }
  if (!mechanism.verification.length)
    mechanism.verification.push(
      hasFilesUnder(context, '/etc/apk/keys/')
        ? {
            status: 'verified',
            place: at('/etc/apk/keys'),
            detail: 'apk verifies signed indexes and packages with the keys in /etc/apk/keys',
          }
        : { status: 'unknown', place: mechanism.place, detail: '/etc/apk/keys holds no key: apk would refuse the repositories' },
    );
  return [mechanism];
}

function ostree(context: FirmwareContext): UpdateMechanism[] {
  const remotes = context.files(
    (e) =>
      /^\/etc\/ostree\/remotes\.d\/[^/]+\.conf$/.test(e.path) ||
      e.path === '/ostree/repo/config' ||
      e.path === '/sysroot/ostree/repo/config',
  );
  const present = context.fs.entry('/ostree') !== undefined || context.fs.entry('/sysroot/ostree') !== undefined || remotes.length > 0;
  if (!present) return [];
  const mechanism: UpdateMechanism = { name: 'OSTree', place: at(remotes[0]?.path ?? '/ostree'), verification: [], sources: [] };
  for (const e of remotes) {
    for (const entry of parseIni(context.readText(e.path) ?? '')) {
      if (!entry.section.startsWith('remote')) continue;
      if ((entry.key === 'gpg-verify' || entry.key === 'gpg-verify-summary' || entry.key === 'sign-verify') && entry.value === 'false')
        mechanism.verification.push({
          status: 'disabled',
          place: at(e.path, entry.line),
          detail: `${entry.section}: ${entry.key}=false, commits from this remote are not verified`,
        });
      if (entry.key === 'url') for (const url of urls(entry.value)) mechanism.sources.push({ url, place: at(e.path, entry.line) });
    }
  }
  if (!mechanism.verification.length && remotes.length)
    mechanism.verification.push({
      status: 'verified',
      place: mechanism.place,
      detail: 'OSTree remotes keep GPG verification on (gpg-verify defaults to true)',
    });
  return [mechanism];
}

/** Mechanisms recognised by their tools; how they verify is not judged here. */
function recognisedOnly(context: FirmwareContext): UpdateMechanism[] {
  const found: UpdateMechanism[] = [];
  const sysupgrade = exists(context, '/sbin/sysupgrade');
  if (sysupgrade) found.push({ name: 'OpenWrt sysupgrade', place: at(sysupgrade), verification: [], sources: [] });
  const fwupd = exists(context, '/usr/bin/fwupdmgr', '/usr/libexec/fwupd/fwupd');
  if (fwupd) found.push({ name: 'fwupd', place: at(fwupd), verification: [], sources: [] });
  return found;
}

const UPDATER_WORDS = new Set(['ota', 'fwupdate', 'fwupgrade', 'updater', 'upgrade', 'update', 'swupd']);

/** Programs whose names suggest a vendor's own updater (ota, fw_update, upgrade): not judged, but a reason not to call the image update-less. */
export function possibleVendorUpdaters(context: FirmwareContext): string[] {
  return context
    .files((e) => {
      if (!/^\/(?:usr\/)?s?bin\//.test(e.path)) return false;
      const base = e.path.slice(e.path.lastIndexOf('/') + 1).toLowerCase();
      const words = base.split(/[-_.]/, 16);
      return (
        words.some((w) => UPDATER_WORDS.has(w)) || (words.includes('fw') && words.some((w) => w.startsWith('upd') || w.startsWith('upg')))
      );
    })
    .map((e) => e.path)
    .slice(0, 10);
}
