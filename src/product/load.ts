// Reads baseline.yaml, validates it against the schema and then against the chosen standard's catalog,
// so every later stage can trust ids, condition answers and feature answers.
import { dirname, resolve } from 'node:path';
import { type LoadedEtsiCatalog, loadEtsiCatalog, loadPstiCatalog, unknownProvisionMessage } from '../catalog/load.ts';
import { didYouMean } from '../io/nearest.ts';
import { parseWithSchema, readYamlFile, schemaIssueError, type YamlFile } from '../io/yaml-file.ts';
import { type Claim, type ProductFile, productFileSchema } from './schema.ts';

export interface Product {
  path: string;
  /** Folder of the product file: relative evidence paths resolve against it. */
  dir: string;
  file: ProductFile;
  catalog: LoadedEtsiCatalog;
  /** Condition answers by condition number; absent when the maker has not answered. */
  conditions: Map<number, boolean>;
  /** Feature answers by letter (V3). */
  features: Map<string, boolean>;
  /** Claims by canonical provision id. */
  claims: Map<string, Claim>;
  /** Line of each claim in the product file, by canonical id, for SARIF and editor links. */
  claimLines: Map<string, number>;
}

export const DEFAULT_PRODUCT_FILE = 'baseline.yaml';

export function loadProduct(path: string = DEFAULT_PRODUCT_FILE): Product {
  const yaml = readYamlFile(path);
  const file = parseWithSchema(yaml, productFileSchema);
  const catalog = loadEtsiCatalog(file.standard.version);
  checkPstiException(yaml, file);
  return {
    path,
    dir: dirname(resolve(path)),
    file,
    catalog,
    conditions: resolveConditions(yaml, file, catalog),
    features: resolveFeatures(yaml, file, catalog),
    claims: resolveClaims(yaml, file, catalog),
    claimLines: new Map(
      Object.keys(file.provisions).map((id) => [catalog.byId.get(id.trim())?.id ?? id, yaml.locate(['provisions', id])?.line ?? 1]),
    ),
  };
}

function resolveConditions(yaml: YamlFile, file: ProductFile, catalog: LoadedEtsiCatalog): Map<number, boolean> {
  const answers = new Map<number, boolean>();
  const byKey = new Map(catalog.conditions.map((c) => [c.key, c]));
  for (const [key, value] of Object.entries(file.conditions)) {
    const condition = byKey.get(key);
    if (!condition) {
      throw schemaIssueError(
        yaml,
        ['conditions', key],
        `unknown condition "${key}" in EN 303 645 V${catalog.version}${didYouMean(key, [...byKey.keys()])}`,
      );
    }
    answers.set(condition.number, value);
  }
  // A condition that is the opposite of another is answered by answering either one.
  for (const condition of catalog.conditions) {
    if (condition.negates === undefined) continue;
    const own = answers.get(condition.number);
    const other = answers.get(condition.negates);
    if (own !== undefined && other !== undefined && own === other) {
      const otherKey = catalog.conditions.find((c) => c.number === condition.negates)?.key;
      throw schemaIssueError(yaml, ['conditions', condition.key], `contradicts "${otherKey}": one must be true and the other false`);
    }
    if (own === undefined && other !== undefined) answers.set(condition.number, !other);
    if (other === undefined && own !== undefined) answers.set(condition.negates, !own);
  }
  return answers;
}

function resolveFeatures(yaml: YamlFile, file: ProductFile, catalog: LoadedEtsiCatalog): Map<string, boolean> {
  const answers = new Map<string, boolean>();
  const entries = Object.entries(file.features);
  if (entries.length && !catalog.features.length) {
    throw schemaIssueError(yaml, ['features'], `EN 303 645 V${catalog.version} has no lettered features; remove this section`);
  }
  for (const [keyOrLetter, value] of entries) {
    const feature = catalog.features.find((f) => f.key === keyOrLetter || f.letter === keyOrLetter);
    if (!feature) {
      const names = catalog.features.map((f) => f.key);
      throw schemaIssueError(yaml, ['features', keyOrLetter], `unknown feature "${keyOrLetter}"${didYouMean(keyOrLetter, names)}`);
    }
    answers.set(feature.letter, value);
  }
  return answers;
}

function resolveClaims(yaml: YamlFile, file: ProductFile, catalog: LoadedEtsiCatalog): Map<string, Claim> {
  const claims = new Map<string, Claim>();
  for (const [id, claim] of Object.entries(file.provisions)) {
    const provision = catalog.byId.get(id.trim());
    if (!provision) throw schemaIssueError(yaml, ['provisions', id], unknownProvisionMessage(catalog, id));
    if (claims.has(provision.id)) {
      throw schemaIssueError(yaml, ['provisions', id], `claims provision ${provision.id} a second time (as "${id}")`);
    }
    claims.set(provision.id, claim);
  }
  return claims;
}

function checkPstiException(yaml: YamlFile, file: ProductFile): void {
  const excepted = file.psti.excepted;
  if (excepted === undefined) return;
  const ids = loadPstiCatalog().exceptedProducts.map((e) => e.id);
  if (!ids.includes(excepted)) {
    throw schemaIssueError(yaml, ['psti', 'excepted'], `unknown excepted product "${excepted}"${didYouMean(excepted, ids)}`);
  }
}
