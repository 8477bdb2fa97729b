import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { isSshHostKeyPath, secretScan } from '../secret-scan.ts';
import { keyLabel } from './private-key.ts';

export const sshHostKey: FirmwareCheck = {
  id: 'firmware/ssh-host-key',
  title: 'SSH host key baked into the image',
  provisions: ['5.4-4'],
  severity: 'high',
  rationale:
    "An SSH host key shipped in the image gives every unit the same host identity: anyone with the image can impersonate any unit to its users (or decrypt recorded sessions with non-ephemeral key exchanges), and users cannot tell units apart. OpenSSH's and dropbear's init scripts generate host keys when none exist.",
  remediation:
    'Remove /etc/ssh/ssh_host_*_key and /etc/dropbear/dropbear_*_host_key from the image and generate them on first boot (ssh-keygen -A, dropbearkey, or dropbear -R), into persistent per-unit storage.',
  run(context) {
    const drafts: FindingDraft[] = [];
    const scan = secretScan(context);
    const seen = new Set<string>();
    for (const m of scan.material) {
      if (m.kind !== 'private-key' || !isSshHostKeyPath(m.path)) continue;
      seen.add(m.path);
      drafts.push({
        result: 'fail',
        location: { path: m.path },
        message: `SSH host key ${keyLabel(m)} is the same on every unit`,
        evidence: m.sshFingerprint ?? m.fingerprint ?? `${m.format} host key [redacted]`,
      });
    }
    // A host key file that none of the parsers recognised is still a host key.
    for (const e of context.files((entry) => isSshHostKeyPath(entry.path) && entry.size > 0)) {
      if (seen.has(e.path)) continue;
      drafts.push({
        result: 'fail',
        location: { path: e.path },
        message: `SSH host key file in a format not recognised (${e.size} bytes) is the same on every unit`,
        severity: 'medium',
      });
    }
    return drafts;
  },
};
