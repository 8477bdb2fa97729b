import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { dropbearOptions } from '../dropbear.ts';
import { blankPasswordAccounts } from '../passwords.ts';
import { sshdConfig, sshdMatchSettings, sshdSetting } from '../sshd.ts';

export const sshEmptyPasswords: FirmwareCheck = {
  id: 'firmware/ssh-empty-passwords',
  title: 'SSH server accepts empty passwords',
  provisions: ['5.5-4'],
  severity: 'critical',
  rationale:
    'With empty passwords allowed, any account whose password field is empty can be entered over the network with no secret at all: network access without authentication.',
  remediation: 'OpenSSH: `PermitEmptyPasswords no` (the default). Dropbear: never start it with `-B`.',
  run(context) {
    const drafts: FindingDraft[] = [];
    const blank = blankPasswordAccounts(context).map((c) => c.username);
    const who = blank.length ? `; accounts with no password: ${blank.join(', ')}` : '';
    const sshd = sshdConfig(context);
    if (sshd) {
      const { value, option } = sshdSetting(sshd, 'PermitEmptyPasswords', 'no');
      const settings = [
        ...(value === 'yes' && option ? [{ option, scope: '' }] : []),
        ...sshdMatchSettings(sshd, 'PermitEmptyPasswords')
          .filter(({ option: o }) => o.value.toLowerCase() === 'yes')
          .map(({ block, option: o }) => ({ option: o, scope: ` for connections matching "${block.criteria}"` })),
      ];
      for (const { option: o, scope } of settings)
        drafts.push({
          result: 'fail',
          location: { path: o.path, line: o.line },
          message: `sshd accepts empty passwords${scope} (PermitEmptyPasswords yes)${who}`,
          evidence: `${o.keyword} ${o.value}`,
        });
    }
    const dropbear = dropbearOptions(context);
    const flagB = dropbear?.flags.get('B');
    if (flagB)
      drafts.push({
        result: 'fail',
        location: flagB,
        message: `dropbear is started with -B, allowing blank password logins${who}`,
        evidence: '-B',
      });
    return drafts;
  },
};
