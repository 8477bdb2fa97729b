import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { dropbearOptions } from '../dropbear.ts';
import { passwordAccounts } from '../passwords.ts';
import { sshdConfig, sshdSetting } from '../sshd.ts';

export const sshPasswordAuthentication: FirmwareCheck = {
  id: 'firmware/ssh-password-authentication',
  title: 'SSH password login to an account whose password is in the image',
  provisions: ['5.5-4'],
  severity: 'medium',
  rationale:
    'A password stored in the image is the same on every unit; with SSH password authentication on, it is the network credential of every device sold. Public keys provisioned per unit, or passwords set per unit, avoid that.',
  remediation:
    'OpenSSH: `PasswordAuthentication no` and keys provisioned per unit. Dropbear: `-s` (OpenWrt: `option PasswordAuth off`), or ship the accounts locked until the user sets a password.',
  run(context) {
    const drafts: FindingDraft[] = [];
    const accounts = passwordAccounts(context);
    if (!accounts.length) return drafts;
    const names = accounts.map((c) => c.username).join(', ');
    const sshd = sshdConfig(context);
    if (sshd) {
      // PasswordAuthentication defaults to yes.
      const { value, option } = sshdSetting(sshd, 'PasswordAuthentication', 'yes');
      if (value === 'yes')
        drafts.push({
          result: 'fail',
          location: option ? { path: option.path, line: option.line } : { path: sshd.files[0] ?? '/etc/ssh/sshd_config' },
          message: `sshd accepts passwords (PasswordAuthentication ${option ? 'yes' : 'unset, default yes'}) and ${names} ${accounts.length > 1 ? 'have' : 'has'} a password stored in the image`,
          ...(option ? { evidence: `${option.keyword} ${option.value}` } : {}),
        });
    }
    const dropbear = dropbearOptions(context);
    if (dropbear && !dropbear.flags.has('s'))
      drafts.push({
        result: 'fail',
        location: dropbear.configPlace,
        message: `dropbear accepts passwords (no -s) and ${names} ${accounts.length > 1 ? 'have' : 'has'} a password stored in the image`,
      });
    return drafts;
  },
};
