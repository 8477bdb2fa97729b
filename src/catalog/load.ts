// Loads the standards data from catalog/, validates it, and answers lookups by id or alias.
import { fileURLToPath } from 'node:url';
import { InputError } from '../io/input-error.ts';
import { nearest } from '../io/nearest.ts';
import { parseWithSchema, readYamlFile } from '../io/yaml-file.ts';
import { type EtsiCatalog, etsiCatalogSchema, type Provision, type PstiCatalog, pstiCatalogSchema } from './schema.ts';

export const CATALOG_DIR = fileURLToPath(new URL('../../catalog/', import.meta.url));

export const ETSI_VERSIONS = ['2.1.1', '3.1.3'] as const;
export type EtsiVersion = (typeof ETSI_VERSIONS)[number];
/** The version the PSTI regulations cite, so the one used unless the product file says otherwise. */
export const DEFAULT_ETSI_VERSION: EtsiVersion = '2.1.1';
export const STANDARD_REFS = ['etsi-en-303-645@2.1.1', 'etsi-en-303-645@3.1.3', 'uk-psti-2023'] as const;

export interface LoadedEtsiCatalog extends EtsiCatalog {
  /** Provisions by canonical id and by every alias. */
  byId: Map<string, Provision>;
}

const etsiCache = new Map<string, LoadedEtsiCatalog>();
let pstiCache: PstiCatalog | undefined;

export function parseStandardRef(ref: string): { standard: 'etsi-en-303-645'; version: EtsiVersion } | { standard: 'uk-psti-2023' } {
  if (ref === 'uk-psti-2023') return { standard: 'uk-psti-2023' };
  const [name, version = DEFAULT_ETSI_VERSION] = ref.split('@');
  if (name === 'etsi-en-303-645' && (ETSI_VERSIONS as readonly string[]).includes(version)) {
    return { standard: 'etsi-en-303-645', version: version as EtsiVersion };
  }
  throw new InputError(`unknown standard "${ref}"; expected one of ${STANDARD_REFS.join(', ')}`);
}

export function loadEtsiCatalog(version: EtsiVersion = DEFAULT_ETSI_VERSION): LoadedEtsiCatalog {
  const cached = etsiCache.get(version);
  if (cached) return cached;
  const file = readYamlFile(`${CATALOG_DIR}etsi-en-303-645/${version}.yaml`);
  const data = parseWithSchema(file, etsiCatalogSchema);
  const catalog = { ...data, byId: indexProvisions(data) };
  checkReferences(catalog, file.path);
  etsiCache.set(version, catalog);
  return catalog;
}

export function loadPstiCatalog(): PstiCatalog {
  if (pstiCache) return pstiCache;
  const file = readYamlFile(`${CATALOG_DIR}uk-psti-2023.yaml`);
  pstiCache = parseWithSchema(file, pstiCatalogSchema);
  return pstiCache;
}

function indexProvisions(catalog: EtsiCatalog): Map<string, Provision> {
  const byId = new Map<string, Provision>();
  for (const provision of catalog.provisions) {
    for (const key of [provision.id, ...provision.aliases]) {
      if (byId.has(key)) throw new Error(`catalog ${catalog.version}: id or alias "${key}" is used twice`);
      byId.set(key, provision);
    }
  }
  return byId;
}

// The data is ours, so a dangling reference is a bug in the data: fail loudly.
function checkReferences(catalog: LoadedEtsiCatalog, path: string): void {
  const clauses = new Set(catalog.clauses.map((c) => c.number));
  const conditions = new Set(catalog.conditions.map((c) => c.number));
  const features = new Set(catalog.features.map((f) => f.letter));
  for (const p of catalog.provisions) {
    if (!clauses.has(p.clause)) throw new Error(`${path}: ${p.id} names unknown clause ${p.clause}`);
    for (const n of p.conditions) if (!conditions.has(n)) throw new Error(`${path}: ${p.id} names unknown condition ${n}`);
    for (const f of p.features) if (!features.has(f)) throw new Error(`${path}: ${p.id} names unknown feature ${f}`);
    const conditional = p.status.includes('C');
    if (conditional !== p.conditions.length > 0) throw new Error(`${path}: ${p.id} status ${p.status} disagrees with its conditions`);
    const featured = p.status.includes('F');
    if (featured !== p.features.length > 0) throw new Error(`${path}: ${p.id} status ${p.status} disagrees with its features`);
  }
}

/** Finds a provision by id or alias ("6.1-1" for "6-1"), or undefined. */
export function findProvision(catalog: LoadedEtsiCatalog, id: string): Provision | undefined {
  return catalog.byId.get(id.trim());
}

/** Like findProvision, but an unknown id is an input error that suggests the nearest id. */
export function requireProvision(catalog: LoadedEtsiCatalog, id: string, where = ''): Provision {
  const provision = findProvision(catalog, id);
  if (provision) return provision;
  throw new InputError(`${where}${unknownProvisionMessage(catalog, id)}`);
}

export function unknownProvisionMessage(catalog: LoadedEtsiCatalog, id: string): string {
  const suggestion = nearest(id, [...catalog.byId.keys()]) ?? '';
  const canonical = catalog.byId.get(suggestion)?.id ?? suggestion;
  return `unknown provision "${id}" in EN 303 645 V${catalog.version}; did you mean "${canonical}"?`;
}

/** The status as Table B.1 prints it: "M", "M C (1)", "M C (14) F (e)". */
export function formatStatus(provision: Provision): string {
  const base = provision.status.startsWith('M') ? 'M' : 'R';
  let text = base;
  if (provision.conditions.length) text += ` C (${provision.conditions.join(', ')})`;
  if (provision.features.length) text += ` F (${provision.features.join(', ')})`;
  return text;
}

export function isMandatory(provision: Provision): boolean {
  return provision.status.startsWith('M');
}

export function tableB1Provisions(catalog: EtsiCatalog): Provision[] {
  return catalog.provisions.filter((p) => p.inTableB1);
}
