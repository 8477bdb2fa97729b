// The updates and boot analyzer: which update mechanism the image carries, whether it verifies what it
// installs and how it fetches it, and indicators that the root filesystem is verified at boot.
import type { FirmwareCheck } from '../firmware-check.ts';
import { bootIntegrity } from './checks/boot-integrity.ts';
import { updateMechanism } from './checks/update-mechanism.ts';
import { updatePlainHttp } from './checks/update-plain-http.ts';
import { updateSignatureVerified } from './checks/update-signature-verified.ts';
import { updateVerificationDisabled } from './checks/update-verification-disabled.ts';

export const updateChecks: readonly FirmwareCheck[] = [
  updateMechanism,
  updateSignatureVerified,
  updateVerificationDisabled,
  updatePlainHttp,
  bootIntegrity,
];
