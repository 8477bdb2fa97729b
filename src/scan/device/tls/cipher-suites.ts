// The cipher suite registry (catalog/rules/tls-cipher-suites.yaml): what each IANA code point means, which
// protocol versions may carry it, and the weaknesses it carries, with how serious each weakness is.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { severitySchema } from '../../../findings/schema.ts';
import { parseWithSchema, readYamlFile } from '../../../io/yaml-file.ts';
import { TLS_VERSIONS, type TlsVersion, versionRank } from './versions.ts';
import { hex4 } from './records.ts';

export const TLS_CIPHER_SUITES_FILE = `${CATALOG_DIR}rules/tls-cipher-suites.yaml`;

export const LEGACY_KINDS = ['null', 'export', 'anon', 'rc4', 'rc2', 'des', '3des', 'idea', 'md5', 'cbc'] as const;
export type LegacyKind = (typeof LEGACY_KINDS)[number];

const suiteSchema = z.strictObject({
  code: z.string().regex(/^0x[0-9A-F]{4}$/),
  iana: z.string().regex(/^TLS_[A-Za-z0-9_]+$/),
  openssl: z.string().min(1).optional(),
  minVersion: z.enum(TLS_VERSIONS),
  keyExchange: z.enum(['RSA', 'DH', 'DHE', 'ECDH', 'ECDHE', 'PSK', 'DHE-PSK', 'ECDHE-PSK', 'RSA-PSK', 'SRP', 'any']),
  authentication: z.enum(['RSA', 'DSS', 'ECDSA', 'PSK', 'SRP', 'anon', 'any']),
  encryption: z.string().min(3),
  mac: z.enum(['MD5', 'SHA', 'SHA256', 'SHA384', 'AEAD']),
  aead: z.boolean(),
  forwardSecrecy: z.boolean(),
  legacy: z.array(z.enum(LEGACY_KINDS)),
  source: z.enum(['openssl', 'iana']),
});

const weaknessSchema = z.strictObject({
  kind: z.enum(LEGACY_KINDS),
  severity: severitySchema,
  /** True when one suite with the weakness is a finding; false when it matters only if every suite has it. */
  perSuite: z.boolean(),
  rationale: z.string().min(10),
  source: z.string().min(3),
});

const fileSchema = z.strictObject({
  source: z.string().min(3),
  weaknesses: z.array(weaknessSchema).min(1),
  suites: z.array(suiteSchema).min(1),
});

export type CipherSuiteEntry = z.infer<typeof suiteSchema> & { value: number };
export type SuiteWeakness = z.infer<typeof weaknessSchema>;

export interface CipherSuiteRegistry {
  suites: CipherSuiteEntry[];
  byCode: Map<number, CipherSuiteEntry>;
  weaknesses: Map<LegacyKind, SuiteWeakness>;
}

let cache: CipherSuiteRegistry | undefined;

export function loadCipherSuites(path = TLS_CIPHER_SUITES_FILE): CipherSuiteRegistry {
  if (path === TLS_CIPHER_SUITES_FILE && cache) return cache;
  const file = readYamlFile(path);
  const data = parseWithSchema(file, fileSchema);
  const suites = data.suites.map((s) => ({ ...s, value: Number.parseInt(s.code.slice(2), 16) }));
  const byCode = new Map<number, CipherSuiteEntry>();
  for (const suite of suites) {
    if (byCode.has(suite.value)) throw new Error(`${path}: cipher suite ${suite.code} is listed twice`);
    byCode.set(suite.value, suite);
  }
  const weaknesses = new Map(data.weaknesses.map((w) => [w.kind, w]));
  for (const kind of LEGACY_KINDS) if (!weaknesses.has(kind)) throw new Error(`${path}: weakness "${kind}" has no entry`);
  const registry = { suites, byCode, weaknesses };
  if (path === TLS_CIPHER_SUITES_FILE) cache = registry;
  return registry;
}

/** The suites a ClientHello for `version` may offer: TLS 1.3 has its own set, older versions share the rest. */
export function suitesForVersion(version: TlsVersion, registry = loadCipherSuites()): CipherSuiteEntry[] {
  if (version === 'TLSv1.3') return registry.suites.filter((s) => s.minVersion === 'TLSv1.3');
  return registry.suites.filter((s) => s.minVersion !== 'TLSv1.3' && versionRank(s.minVersion) <= versionRank(version));
}

/** What a report says about a suite the server chose: the registry's facts, or the bare code point. */
export interface SuiteFacts {
  code: number;
  name: string;
  openssl?: string;
  known: boolean;
  aead: boolean;
  forwardSecrecy: boolean;
  legacy: LegacyKind[];
}

export function suiteFacts(code: number, registry = loadCipherSuites()): SuiteFacts {
  const entry = registry.byCode.get(code);
  if (!entry) return { code, name: `unknown suite 0x${hex4(code)}`, known: false, aead: false, forwardSecrecy: false, legacy: [] };
  return {
    code,
    name: entry.iana,
    ...(entry.openssl ? { openssl: entry.openssl } : {}),
    known: true,
    aead: entry.aead,
    forwardSecrecy: entry.forwardSecrecy,
    legacy: entry.legacy,
  };
}
