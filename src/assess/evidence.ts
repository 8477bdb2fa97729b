// Gathers findings from results files and ties them to the product's catalog and waivers.
import { resolve } from 'node:path';
import type { LoadedEtsiCatalog } from '../catalog/load.ts';
import { unknownProvisionMessage } from '../catalog/load.ts';
import { readResultsFile } from '../findings/read-results.ts';
import { type Finding, formatLocation, type Results } from '../findings/schema.ts';
import { InputError } from '../io/input-error.ts';
import type { Product } from '../product/load.ts';
import type { Waiver } from '../product/schema.ts';

export interface EvidenceSource {
  path: string;
  tool: string;
  version: string;
  target: string;
  findingCount: number;
  incomplete: Results['incomplete'];
}

export interface AttributedFinding {
  finding: Finding;
  /** The results file it came from. */
  source: string;
  /** Canonical provision ids in the product's version of the standard. */
  provisions: string[];
  /** The waiver that matches it, if any; `active` is false once the waiver has expired. */
  waiver?: { waiver: Waiver; active: boolean };
}

export interface Evidence {
  sources: EvidenceSource[];
  findings: AttributedFinding[];
}

/** Results files named on the command line plus those the product file cites as `scan` evidence. */
export function evidencePaths(product: Product, extra: readonly string[]): string[] {
  const paths = extra.map((p) => resolve(p));
  for (const claim of product.claims.values()) {
    for (const ref of claim.evidence) if (ref.scan) paths.push(resolve(product.dir, ref.scan));
  }
  return [...new Set(paths)];
}

export function loadEvidence(product: Product, paths: readonly string[], asOf: string): Evidence {
  const sources: EvidenceSource[] = [];
  const findings: AttributedFinding[] = [];
  for (const path of paths) {
    const results = readResultsFile(path);
    sources.push({
      path,
      tool: results.tool,
      version: results.version,
      target: results.target,
      findingCount: results.findings.length,
      incomplete: results.incomplete,
    });
    results.findings.forEach((finding, index) => {
      const provisions = finding.provisions.flatMap((id) => mapProvisionId(product.catalog, id, `${path}: findings.${index}.provisions: `));
      const waiver = matchingWaiver(product.file.waivers, finding);
      findings.push({
        finding,
        source: path,
        provisions: [...new Set(provisions)],
        ...(waiver ? { waiver: { waiver, active: waiver.expires >= asOf } } : {}),
      });
    });
  }
  return { sources, findings };
}

// Scanners cite V2.1.1 ids; a V3 product splits some of them into A and B and renames 4-1.
function mapProvisionId(catalog: LoadedEtsiCatalog, id: string, where: string): string[] {
  const direct = catalog.byId.get(id);
  if (direct) return [direct.id];
  const split = ['A', 'B'].map((suffix) => catalog.byId.get(`${id}${suffix}`)?.id).filter((v) => v !== undefined);
  if (split.length) return split;
  if (id === '4-1' && catalog.byId.has('5.0-1')) return ['5.0-1'];
  if (id === '5.0-1' && catalog.byId.has('4-1')) return ['4-1'];
  throw new InputError(`${where}${unknownProvisionMessage(catalog, id)}`);
}

export function matchingWaiver(waivers: readonly Waiver[], finding: Finding): Waiver | undefined {
  const where = formatLocation(finding.location);
  return waivers.find((w) => w.check === finding.check && (w.location === undefined || where.startsWith(w.location)));
}
