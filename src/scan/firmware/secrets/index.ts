// The keys and secrets analyzer: private keys, SSH host keys, certificates, cloud tokens and hard-coded
// passwords, all from one shared pass over the image's files (secret-scan.ts). Each token format in
// catalog/rules/secret-patterns.yaml is its own check, so it carries its own provisions.
import type { FirmwareCheck } from '../firmware-check.ts';
import { certificateInventory, sharedDeviceIdentity, weakCertificate } from './checks/certificates.ts';
import { hardCodedPassword } from './checks/hard-coded-password.ts';
import { privateKey } from './checks/private-key.ts';
import { sshHostKey } from './checks/ssh-host-key.ts';
import { tokenChecks } from './checks/tokens.ts';

export const secretChecks: readonly FirmwareCheck[] = [
  privateKey,
  sshHostKey,
  sharedDeviceIdentity,
  weakCertificate,
  certificateInventory,
  ...tokenChecks(),
  hardCodedPassword,
];
