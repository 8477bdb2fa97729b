import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { updateMechanisms } from '../mechanisms.ts';

export const updateVerificationDisabled: FirmwareCheck = {
  id: 'firmware/update-verification-disabled',
  title: 'Update mechanism installs unverified software',
  provisions: ['5.3-7', '5.3-9', '5.3-10'],
  severity: 'high',
  rationale:
    'An update client that installs what it is given without checking a signature (trusted=yes, gpg-verify=false, no check_signature, no ArtifactVerifyKey, SWUpdate without signed images) lets anyone who can reach it, or sit on its download path, install their own software on the device.',
  remediation:
    'Turn verification on and ship the public key: RAUC keyring, SWUpdate CONFIG_SIGNED_IMAGES with public-key-file, Mender ArtifactVerifyKey, opkg `option check_signature` with /etc/opkg/keys, signed apt repositories with Signed-By, OSTree gpg-verify=true.',
  run(context) {
    const drafts: FindingDraft[] = [];
    for (const m of updateMechanisms(context)) {
      for (const v of m.verification) {
        if (v.status === 'disabled') drafts.push({ result: 'fail', location: v.place, message: `${m.name}: ${v.detail}` });
        else if (v.status === 'unknown')
          drafts.push({ result: 'info', severity: 'info', location: v.place, message: `${m.name}: ${v.detail}` });
      }
    }
    return drafts;
  },
};
