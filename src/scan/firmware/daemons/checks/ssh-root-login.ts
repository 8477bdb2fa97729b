import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { dropbearOptions } from '../dropbear.ts';
import { passwordAccounts } from '../passwords.ts';
import { sshdConfig, sshdMatchSettings, sshdSetting } from '../sshd.ts';

export const sshRootLogin: FirmwareCheck = {
  id: 'firmware/ssh-root-login',
  title: 'SSH server lets root log in with a password',
  provisions: ['5.5-4', '5.5-5'],
  severity: 'high',
  rationale:
    'Root can change every security setting of the device. Letting it log in over the network with a password puts all of that behind one guessable secret with a well-known user name; keys (prohibit-password) or a personal account with privilege escalation are the practice.',
  remediation:
    'OpenSSH: `PermitRootLogin prohibit-password` (or no). Dropbear: start it with `-w` (no root login) or `-g` (no root password login); on OpenWrt `option RootPasswordAuth off`.',
  run(context) {
    const drafts: FindingDraft[] = [];
    const sshd = sshdConfig(context);
    if (sshd) {
      // OpenSSH's default since 7.0 is prohibit-password.
      const { value, option } = sshdSetting(sshd, 'PermitRootLogin', 'prohibit-password');
      if (value === 'yes' && option)
        drafts.push({
          result: 'fail',
          location: { path: option.path, line: option.line },
          message: 'sshd permits root to log in with a password (PermitRootLogin yes)',
          evidence: `${option.keyword} ${option.value}`,
        });
      else
        drafts.push({
          result: 'pass',
          location: option ? { path: option.path, line: option.line } : { path: sshd.files[0] ?? '/etc/ssh/sshd_config' },
          message: `sshd does not accept root passwords (PermitRootLogin ${value}${option ? '' : ', the default'})`,
        });
      for (const { block, option: o } of sshdMatchSettings(sshd, 'PermitRootLogin'))
        if (o.value.toLowerCase() === 'yes')
          drafts.push({
            result: 'fail',
            location: { path: o.path, line: o.line },
            message: `sshd permits root to log in with a password for connections matching "${block.criteria}" (Match block at line ${block.line})`,
            evidence: `${o.keyword} ${o.value}`,
          });
    }
    const dropbear = dropbearOptions(context);
    if (dropbear) {
      const blocked = ['w', 'g', 's'].find((f) => dropbear.flags.has(f));
      const root = passwordAccounts(context).find((c) => c.username === 'root');
      if (blocked) {
        const place = dropbear.flags.get(blocked) ?? dropbear.configPlace;
        drafts.push({ result: 'pass', location: place, message: `dropbear refuses root password logins (-${blocked})` });
      } else if (root)
        drafts.push({
          result: 'fail',
          location: dropbear.configPlace,
          message: `dropbear accepts root password logins (no -w, -g or -s) and root has a password stored in ${root.path}`,
          evidence: `dropbear flags: ${[...dropbear.flags.keys()].map((f) => `-${f}`).join(' ') || '(none)'}`,
        });
    }
    return drafts;
  },
};
