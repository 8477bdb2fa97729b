// Mozilla's server-side TLS configurations (catalog/rules/tls-profiles.yaml), and the grading of an
// observation against each: which configuration a port meets, and if not, every reason why.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { parseWithSchema, readYamlFile } from '../../../io/yaml-file.ts';
import { type CertificateInfo } from './certificate.ts';
import { acceptedVersions, suitesComplete, type TlsObservation } from './observation.ts';
import { TLS_VERSIONS, versionLabel } from './versions.ts';

export const TLS_PROFILES_FILE = `${CATALOG_DIR}rules/tls-profiles.yaml`;

const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z-]*$/),
  title: z.string().min(3),
  versions: z.array(z.enum(TLS_VERSIONS)).min(1),
  ciphersuites: z.array(z.string().regex(/^TLS_[A-Z0-9_]+$/)),
  ciphers: z.array(z.string().regex(/^TLS_[A-Z0-9_]+$/)),
  certificateTypes: z.array(z.enum(['rsa', 'ecdsa'])).min(1),
  certificateCurves: z.array(z.string().min(1)),
  certificateSignatures: z.array(z.string().min(1)).min(1),
  rsaKeySize: z.number().int().positive().nullable(),
  dhParamSize: z.number().int().positive().nullable(),
  ecdhParamSize: z.number().int().positive(),
  tlsCurves: z.array(z.string().min(1)).min(1),
  maximumCertificateLifespan: z.number().int().positive(),
  recommendedCertificateLifespan: z.number().int().positive(),
});

const fileSchema = z.strictObject({
  source: z.string().min(3),
  url: z.string().regex(/^https:\/\//),
  documentation: z.string().regex(/^https:\/\//),
  profiles: z.array(profileSchema).min(1),
});

export type TlsProfile = z.infer<typeof profileSchema>;
export type TlsProfiles = z.infer<typeof fileSchema>;

let cache: TlsProfiles | undefined;

export function loadTlsProfiles(path = TLS_PROFILES_FILE): TlsProfiles {
  if (path === TLS_PROFILES_FILE && cache) return cache;
  const data = parseWithSchema(readYamlFile(path), fileSchema);
  if (path === TLS_PROFILES_FILE) cache = data;
  return data;
}

export interface ProfileGrade {
  name: string;
  title: string;
  /** undefined when nothing found breaks it but part of what it covers could not be seen. */
  meets: boolean | undefined;
  /** What breaks the profile. */
  reasons: string[];
  /** What could not be judged. */
  unknown: string[];
}

const DAY_MS = 86_400_000;

function sample(names: string[], max = 4): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Mozilla names key types after the signature algorithm: an EC key signs with ECDSA. */
function mozillaKeyType(certificate: CertificateInfo): string {
  return certificate.keyType === 'ec' ? 'ecdsa' : certificate.keyType;
}

function certificateReasons(leaf: CertificateInfo, profile: TlsProfile): string[] {
  const reasons: string[] = [];
  const type = mozillaKeyType(leaf);
  if (!profile.certificateTypes.includes(type as 'rsa' | 'ecdsa')) {
    reasons.push(`certificate key is ${type.toUpperCase()}, not ${profile.certificateTypes.map((t) => t.toUpperCase()).join(' or ')}`);
  } else if (type === 'ecdsa' && (!leaf.curve || !profile.certificateCurves.includes(leaf.curve))) {
    reasons.push(`certificate curve is ${leaf.curve ?? 'unknown'}, not ${profile.certificateCurves.join(' or ')}`);
  } else if (type === 'rsa' && profile.rsaKeySize !== null && (leaf.keyBits ?? 0) < profile.rsaKeySize) {
    reasons.push(`certificate RSA key has ${leaf.keyBits ?? 'an unknown number of'} bits, fewer than ${profile.rsaKeySize}`);
  }
  if (!profile.certificateSignatures.includes(leaf.signatureAlgorithm)) {
    reasons.push(`certificate is signed with ${leaf.signatureAlgorithm}, not ${profile.certificateSignatures.join(', ')}`);
  }
  const lifespan = Math.round((Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore)) / DAY_MS);
  if (lifespan > profile.maximumCertificateLifespan) {
    reasons.push(`certificate is valid for ${lifespan} days, longer than ${profile.maximumCertificateLifespan}`);
  }
  return reasons;
}

export function gradeProfile(observation: TlsObservation, profile: TlsProfile): ProfileGrade {
  const reasons: string[] = [];
  const unknown: string[] = [];
  const accepted = acceptedVersions(observation);
  const outside = accepted.filter((v) => !profile.versions.includes(v.version));
  if (outside.length > 0) reasons.push(`accepts ${outside.map((v) => versionLabel(v.version)).join(', ')}`);
  if (!accepted.some((v) => profile.versions.includes(v.version))) {
    reasons.push(`accepts none of ${profile.versions.map(versionLabel).join(', ')}`);
  }
  const unknownVersions = observation.versions.filter((v) => v.status === 'unknown');
  if (unknownVersions.length > 0) unknown.push(`whether ${unknownVersions.map((v) => versionLabel(v.version)).join(', ')} is accepted`);

  const extraSuites = new Set<string>();
  for (const v of accepted.filter((v) => profile.versions.includes(v.version))) {
    const allowed = v.version === 'TLSv1.3' ? profile.ciphersuites : profile.ciphers;
    for (const suite of v.suites) if (!allowed.includes(suite.name)) extraSuites.add(suite.name);
  }
  if (extraSuites.size > 0) reasons.push(`accepts cipher suites outside the profile: ${sample([...extraSuites])}`);
  if (!suitesComplete(observation)) unknown.push('the full cipher suite list');

  const leaf = observation.certificate?.chain[0];
  if (leaf) reasons.push(...certificateReasons(leaf, profile));
  else if (accepted.length > 0) unknown.push('the certificate');

  // A profile without a DH size has no DHE suites; accepting one is already a cipher suite reason.
  const smallestDh = Math.min(...observation.keyExchange.dhPrimeBits);
  if (profile.dhParamSize !== null && smallestDh < profile.dhParamSize) {
    reasons.push(`uses a ${smallestDh}-bit DH group, smaller than ${profile.dhParamSize}`);
  }
  const curves = observation.keyExchange.ecdhGroups.filter((g) => !profile.tlsCurves.includes(g));
  if (curves.length > 0) reasons.push(`uses key exchange group ${curves.join(', ')}, not ${profile.tlsCurves.join(', ')}`);

  const meets = reasons.length > 0 ? false : unknown.length > 0 ? undefined : true;
  return { name: profile.name, title: profile.title, meets, reasons, unknown };
}

/** Grades against every profile, strictest first as listed in the file. */
export function gradeProfiles(observation: TlsObservation, profiles = loadTlsProfiles()): ProfileGrade[] {
  return profiles.profiles.map((p) => gradeProfile(observation, p));
}
