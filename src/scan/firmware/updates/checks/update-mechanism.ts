import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { possibleVendorUpdaters, updateMechanisms } from '../mechanisms.ts';

/** A root filesystem of a Linux system, as opposed to a data partition or a bootloader's files. */
function isLinuxRootfs(paths: (p: string) => boolean): boolean {
  return (
    paths('/etc') &&
    (paths('/sbin/init') || paths('/init') || paths('/lib/systemd/systemd') || paths('/usr/lib/systemd/systemd') || paths('/bin/busybox'))
  );
}

export const updateMechanism: FirmwareCheck = {
  id: 'firmware/update-mechanism',
  title: 'Software update mechanism present',
  provisions: ['5.3-2'],
  severity: 'medium',
  rationale:
    'A device that is not constrained has to be able to install updates securely. The image is searched for the update clients and package managers embedded Linux uses (SWUpdate, RAUC, Mender, OSTree, opkg, apt, apk, sysupgrade, fwupd). Finding none in a Linux root filesystem, nor any program named like an updater, means the image gives no sign it can be updated at all; a vendor updater under another name is possible, so say which in the IXIT.',
  remediation: 'Integrate an update client that verifies signed images (SWUpdate, RAUC, Mender, OSTree) or document the vendor mechanism.',
  run(context) {
    const mechanisms = updateMechanisms(context);
    const drafts: FindingDraft[] = mechanisms.map((m) => ({
      result: 'info',
      severity: 'info',
      location: m.place,
      message: `update mechanism found: ${m.name}`,
    }));
    if (mechanisms.length) return drafts;
    const vendor = possibleVendorUpdaters(context);
    if (vendor.length)
      return [
        {
          result: 'info',
          severity: 'info',
          location: { path: vendor[0] as string },
          message: `no known update mechanism, but programs named like an updater: ${vendor.join(', ')}; how they verify updates is not checked`,
        },
      ];
    if (!isLinuxRootfs((p) => context.fs.entry(p) !== undefined)) return [];
    return [
      {
        result: 'fail',
        location: { path: '/' },
        message:
          'no update mechanism found in this Linux root filesystem (looked for SWUpdate, RAUC, Mender, OSTree, opkg, apt, apk, sysupgrade, fwupd and updater-named programs)',
      },
    ];
  },
};
