import type { FirmwareCheck } from '../../firmware-check.ts';
import { updateMechanisms } from '../mechanisms.ts';

export const updateSignatureVerified: FirmwareCheck = {
  id: 'firmware/update-signature-verified',
  title: 'Update mechanism verifies signatures on the device',
  provisions: ['5.3-9', '5.3-10'],
  severity: 'info',
  rationale:
    "The update client's configuration shows it checks a signature against a key held on the device before installing (RAUC's keyring, SWUpdate built for signed images, Mender's ArtifactVerifyKey, opkg's usign keys, apt and apk keyrings, OSTree's GPG verification): the device itself confirms authenticity and integrity through a trust relationship. Whether the algorithms are best practice (5.3-7) is not judged from configuration.",
  remediation: 'Nothing to fix; keep the signing keys off the build machines that anyone can reach.',
  run(context) {
    return updateMechanisms(context).flatMap((m) =>
      m.verification.some((v) => v.status === 'disabled')
        ? []
        : m.verification
            .filter((v) => v.status === 'verified')
            .map((v) => ({ result: 'pass' as const, location: v.place, message: `${m.name}: ${v.detail}` })),
    );
  },
};
