// Signs in a root filesystem that the system checks its own software when it boots: dm-verity set up by
// veritysetup, /etc/veritytab or systemd-veritysetup, a roothash= on a kernel command line, initramfs
// scripts that open a verity device, U-Boot's environment. These are indicators only: secure boot starts
// in ROM and the bootloader, outside the root filesystem, and signed FIT images are read elsewhere.
import type { FirmwareContext } from '../firmware-check.ts';
import { numberedLines } from '../daemons/config-text.ts';

export interface Indicator {
  /** Strong: the rootfs is configured to be verified (a roothash or veritytab entry). Weak: the tools are there. */
  strength: 'configured' | 'tooling';
  path: string;
  line?: number;
  detail: string;
}

const BOOT_TEXT =
  /^\/(?:boot\/(?:cmdline[^/]*|[^/]*\.txt|extlinux\/extlinux\.conf|grub\/grub\.cfg|loader\/entries\/[^/]+\.conf|boot\.cmd|uEnv[^/]*)|etc\/kernel\/cmdline|uEnv\.txt|etc\/fw_env\.config|etc\/u-boot-initial-env|etc\/default\/grub)$/;
const INITRAMFS_SCRIPT =
  /^\/(?:init|scripts\/.+|etc\/initramfs-tools\/.+|usr\/share\/initramfs-tools\/.+|lib\/dracut\/.+|usr\/lib\/dracut\/.+|etc\/init\.d\/.+)$/;

export function bootIntegrityIndicators(context: FirmwareContext): Indicator[] {
  return context.memo('boot-integrity', () => {
    const found: Indicator[] = [];
    const veritytab = context.readText('/etc/veritytab');
    if (veritytab !== undefined) {
      const entry = numberedLines(veritytab).find((l) => l.text.trim() && !l.text.trim().startsWith('#'));
      found.push(
        entry
          ? {
              strength: 'configured',
              path: '/etc/veritytab',
              line: entry.line,
              detail: `/etc/veritytab sets up a dm-verity device (${entry.text.trim().split(/\s+/)[0]})`,
            }
          : { strength: 'tooling', path: '/etc/veritytab', detail: '/etc/veritytab exists but lists no device' },
      );
    }
    for (const path of ['/sbin/veritysetup', '/usr/sbin/veritysetup', '/usr/bin/veritysetup']) {
      if (context.fs.entry(path)) found.push({ strength: 'tooling', path, detail: 'veritysetup (dm-verity tooling) is installed' });
    }
    for (const e of context.files((f) => /\/systemd-veritysetup[^/]*$/.test(f.path)).slice(0, 3))
      found.push({ strength: 'tooling', path: e.path, detail: 'systemd-veritysetup is installed' });
    for (const e of context.files((f) => BOOT_TEXT.test(f.path) || INITRAMFS_SCRIPT.test(f.path))) {
      const text = context.readText(e.path, 256 * 1024);
      if (text === undefined) continue;
      for (const { line, text: raw } of numberedLines(text)) {
        if (raw.trimStart().startsWith('#')) continue;
        if (/(?:^|[\s"'])(?:systemd\.verity_)?roothash=[0-9a-fA-F$]/.test(raw)) {
          found.push({
            strength: 'configured',
            path: e.path,
            line,
            detail: 'a roothash= is passed to the kernel: the root filesystem is checked by dm-verity',
          });
          break;
        }
        if (/\bveritysetup\b|\bdm-verity\b/.test(raw) && INITRAMFS_SCRIPT.test(e.path)) {
          found.push({ strength: 'configured', path: e.path, line, detail: 'an early-boot script opens a dm-verity device' });
          break;
        }
        if (/^\s*verify\s*=\s*(?:yes|1)\b/i.test(raw)) {
          found.push({
            strength: 'tooling',
            path: e.path,
            line,
            detail: "U-Boot's environment sets verify=yes (image checksums are checked; signatures need a signed FIT)",
          });
          break;
        }
      }
    }
    return found;
  });
}
