import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import type { FoundCertificate } from '../key-material.ts';
import { isTrustStorePath, secretScan } from '../secret-scan.ts';

function ownCertificates(context: Parameters<FirmwareCheck['run']>[0]): FoundCertificate[] {
  return secretScan(context).material.filter((m): m is FoundCertificate => m.kind === 'certificate' && !isTrustStorePath(m.path));
}

const where = (c: FoundCertificate) => ({ path: c.path, ...(c.line !== undefined ? { line: c.line } : {}) });

export function certificateLabel(c: FoundCertificate): string {
  return `certificate "${c.subject || '(no subject)'}"`;
}

export const certificateInventory: FirmwareCheck = {
  id: 'firmware/certificate',
  title: 'Certificate in the image',
  provisions: ['5.5-1'],
  severity: 'info',
  rationale:
    'Certificates shipped in the image pin which servers the device trusts or which identity it presents. Their expiry must outlast the support period, and their keys and signatures must be sound; system CA bundles are summarised, not listed.',
  remediation: 'Check that each certificate is still needed, outlasts the support period, and uses a sound key and signature algorithm.',
  run(context) {
    const drafts: FindingDraft[] = ownCertificates(context).map((c) => ({
      result: 'info',
      location: where(c),
      message: `${certificateLabel(c)}${c.selfSigned ? ' (self-signed)' : `, issued by "${c.issuer}"`}: ${c.keyDescription}, ${c.signatureAlgorithm}, valid to ${c.validTo}${c.expired ? ' (expired)' : ''}`,
      evidence: `SPKI ${c.publicKeyFingerprint}`,
    }));
    const bundles = new Map<string, number>();
    for (const m of secretScan(context).material) {
      if (m.kind === 'certificate' && isTrustStorePath(m.path)) bundles.set(m.path, (bundles.get(m.path) ?? 0) + 1);
    }
    if (bundles.size > 0) {
      const total = [...bundles.values()].reduce((a, b) => a + b, 0);
      const first = [...bundles.keys()][0] as string;
      drafts.push({
        result: 'info',
        location: { path: first },
        message: `system trust store: ${total} CA certificate${total === 1 ? '' : 's'} in ${bundles.size} file${bundles.size === 1 ? '' : 's'}`,
      });
    }
    return drafts;
  },
};

const WEAK_SIGNATURE = /md2|md4|md5|sha1(?!\d)|sha-1(?!\d)/i;

export const weakCertificate: FirmwareCheck = {
  id: 'firmware/weak-certificate',
  title: 'Certificate with a weak key or signature',
  provisions: ['5.5-1'],
  severity: 'medium',
  rationale:
    'RSA keys under 2048 bits, elliptic curves under 256 bits and MD5 or SHA-1 signatures are no longer best-practice cryptography (NIST SP 800-131A, CA/Browser Forum Baseline Requirements): such a certificate can be forged or its key factored. An expired certificate no longer authenticates anything.',
  remediation:
    'Reissue the certificate with RSA ≥ 2048 bits or ECDSA P-256 or stronger, signed with SHA-256 or better, valid for the support period.',
  run(context) {
    const drafts: FindingDraft[] = [];
    for (const c of ownCertificates(context)) {
      const weak: string[] = [];
      if ((c.keyType === 'rsa' || c.keyType === 'rsa-pss' || c.keyType === 'dsa') && c.keyBits !== undefined && c.keyBits < 2048)
        weak.push(`${c.keyType.toUpperCase()} key of ${c.keyBits} bits`);
      if (c.keyType === 'ec' && c.keyBits !== undefined && c.keyBits < 256) weak.push(`${c.keyBits}-bit elliptic curve`);
      // A self-signed certificate's own signature is not what protects it when it is a trust anchor.
      if (WEAK_SIGNATURE.test(c.signatureAlgorithm) && !c.selfSigned) weak.push(`signature ${c.signatureAlgorithm}`);
      if (WEAK_SIGNATURE.test(c.signatureAlgorithm) && c.selfSigned) weak.push(`self-signature ${c.signatureAlgorithm}`);
      if (c.expired) weak.push(`expired on ${c.validTo}`);
      if (weak.length === 0) continue;
      drafts.push({
        result: 'fail',
        location: where(c),
        message: `${certificateLabel(c)}: ${weak.join(', ')}`,
        evidence: `SPKI ${c.publicKeyFingerprint}`,
        ...(weak.every((w) => w.startsWith('expired') || w.startsWith('self-signature')) ? { severity: 'low' as const } : {}),
      });
    }
    return drafts;
  },
};

export const sharedDeviceIdentity: FirmwareCheck = {
  id: 'firmware/shared-device-identity',
  title: 'Certificate and its private key shipped together',
  provisions: ['5.4-4', '5.5-1'],
  severity: 'high',
  rationale:
    'A certificate whose private key is in the same image is a device identity that every unit shares: a TLS client or server identity for the cloud, the MQTT broker or the local web interface that anyone can extract and present as any unit, or use to impersonate the device to its users.',
  remediation:
    'Provision a unique key and certificate per unit in production or at first start (from a per-device CSR), stored in protected storage.',
  run(context) {
    const material = secretScan(context).material;
    const keys = new Map<string, string>();
    for (const m of material) if (m.kind === 'private-key' && m.fingerprint && !keys.has(m.fingerprint)) keys.set(m.fingerprint, m.path);
    return ownCertificates(context)
      .filter((c) => keys.has(c.publicKeyFingerprint))
      .map((c) => ({
        result: 'fail' as const,
        location: where(c),
        message: `${certificateLabel(c)} is shipped with its private key (${keys.get(c.publicKeyFingerprint)}): every unit has the same identity`,
        evidence: `SPKI ${c.publicKeyFingerprint}`,
      }));
  },
};
