// The catalog as a flat list of entries, the shape `baseline catalog --json` prints.
import { formatStatus, type LoadedEtsiCatalog, loadEtsiCatalog, loadPstiCatalog, parseStandardRef } from './load.ts';

export interface CatalogEntry {
  id: string;
  kind: 'provision' | 'requirement' | 'statement-field' | 'excepted-product';
  status: string;
  /** The status as Table B.1 prints it, with condition numbers and feature letters. */
  statusText: string;
  conditions: number[];
  features: string[];
  title: string;
  summary: string;
  clause?: string;
  inTableB1?: boolean;
  testCases?: string[];
  ixit?: string[];
  aliases?: string[];
  deemedCompliance?: unknown;
  points?: unknown;
  paragraph?: string;
}

export function catalogEntries(ref: string): CatalogEntry[] {
  const parsed = parseStandardRef(ref);
  if (parsed.standard === 'etsi-en-303-645') return etsiEntries(loadEtsiCatalog(parsed.version));
  const psti = loadPstiCatalog();
  const base = { conditions: [], features: [] };
  return [
    ...psti.requirements.map((r) => ({
      ...base,
      id: r.id,
      kind: 'requirement' as const,
      status: r.status,
      statusText: r.status,
      title: r.title,
      summary: r.summary,
      paragraph: `Schedule 1 paragraph ${r.paragraph}`,
      points: r.points,
      deemedCompliance: r.deemedCompliance,
    })),
    ...psti.statementFields.map((f) => ({
      ...base,
      id: f.id,
      kind: 'statement-field' as const,
      status: 'M',
      statusText: 'M',
      title: f.title,
      summary: f.summary,
      paragraph: `Schedule 4 paragraph ${f.paragraph}`,
    })),
    ...psti.exceptedProducts.map((e) => ({
      ...base,
      id: e.id,
      kind: 'excepted-product' as const,
      status: 'excepted',
      statusText: 'excepted',
      title: e.title,
      summary: e.summary,
      paragraph: `Schedule 3 paragraph ${e.paragraph}`,
    })),
  ];
}

function etsiEntries(catalog: LoadedEtsiCatalog): CatalogEntry[] {
  return catalog.provisions.map((p) => ({
    id: p.id,
    kind: 'provision',
    status: p.status,
    statusText: formatStatus(p),
    conditions: p.conditions,
    features: p.features,
    title: p.title,
    summary: p.summary,
    clause: p.clause,
    inTableB1: p.inTableB1,
    testCases: p.testCases,
    ixit: p.ixit,
    aliases: p.aliases,
  }));
}
