import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import type { FoundPrivateKey } from '../key-material.ts';
import { isSshHostKeyPath, secretScan } from '../secret-scan.ts';

/** How a key is named in messages: type and fingerprints, never any of its content. */
export function keyLabel(key: FoundPrivateKey): string {
  const prints = [
    key.fingerprint ? `SPKI ${key.fingerprint}` : undefined,
    key.sshFingerprint ? `SSH ${key.sshFingerprint}` : undefined,
  ].filter(Boolean);
  return `${key.algorithm ?? 'private key'} (${key.format}${prints.length ? `; ${prints.join(', ')}` : ''})`;
}

const SHARED_LIBRARY = /\.so(?:\.[0-9.]+)?$/;

export const privateKey: FirmwareCheck = {
  id: 'firmware/private-key',
  title: 'Private key in the image',
  provisions: ['5.4-1', '5.4-3', '5.4-4'],
  severity: 'high',
  rationale:
    'A private key in the firmware image is the same on every unit and readable by anyone who unpacks a download or a flash dump: whatever it signs, decrypts or authenticates can be done by anyone. Keys protected by a passphrase need that passphrase on the device too, so they only slow an attacker down.',
  remediation:
    'Generate keys on each device at first start (or inject them per unit in production) and keep them in protected storage (a secure element, TPM or TEE); ship only public keys and certificates in the image.',
  run(context) {
    const scan = secretScan(context);
    const drafts: FindingDraft[] = [];
    for (const m of scan.material) {
      if (m.kind === 'key-container') {
        drafts.push({
          result: 'info',
          location: { path: m.path },
          message: `${m.format} key container that could not be opened: ${m.note}`,
          severity: 'medium',
        });
        continue;
      }
      if (m.kind !== 'private-key' || isSshHostKeyPath(m.path)) continue;
      // Crypto libraries carry their self-test keys (GnuTLS, OpenSSL's FIPS provider): public test vectors,
      // not device secrets. Said, so a reviewer can confirm, but not failed.
      if (SHARED_LIBRARY.test(m.path)) {
        drafts.push({
          result: 'info',
          location: { path: m.path },
          message: `private key ${keyLabel(m)} embedded in a shared library: usually a self-test vector; confirm it is not a device secret`,
          evidence: m.fingerprint ?? m.sshFingerprint ?? `${m.format} private key [redacted]`,
          severity: 'low',
        });
        continue;
      }
      drafts.push({
        result: 'fail',
        location: { path: m.path, ...(m.line !== undefined ? { line: m.line } : {}) },
        message: m.encrypted
          ? `passphrase-protected private key ${keyLabel(m)}: still shared by every unit, and the passphrase must be somewhere on the device to use it`
          : `private key ${keyLabel(m)} shared by every unit flashed with this image`,
        evidence: m.fingerprint ?? m.sshFingerprint ?? `${m.format} private key [redacted]`,
        ...(m.encrypted ? { severity: 'medium' as const } : {}),
      });
    }
    return drafts;
  },
};
