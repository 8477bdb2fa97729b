// Writes a new baseline.yaml from the maker's answers: complete and valid, with every applicable
// provision listed as not yet assessed.
import { Document, type YAMLMap } from 'yaml';
import { applicability } from '../assess/applicability.ts';
import { formatStatus, type LoadedEtsiCatalog } from '../catalog/load.ts';

export interface InitAnswers {
  catalog: LoadedEtsiCatalog;
  product: { name: string; model?: string; type?: string; firmwareVersion?: string };
  manufacturer: { name: string; address?: string };
  /** Condition answers by number. */
  conditions: Map<number, boolean>;
  /** Feature answers by letter (V3). */
  features: Map<string, boolean>;
  /** Path from the new file to schema/baseline.schema.json, for editor completion. */
  schemaPath?: string;
}

export function buildProductFile(answers: InitAnswers): string {
  const { catalog } = answers;
  const applicable = catalog.provisions.filter((p) => p.inTableB1 && applicability(p, answers).applies !== false);
  const ruledOut = catalog.provisions.filter((p) => p.inTableB1 && applicability(p, answers).applies === false);
  const data = {
    standard: { id: 'etsi-en-303-645', version: catalog.version },
    product: answers.product,
    manufacturer: answers.manufacturer,
    conditions: Object.fromEntries(
      catalog.conditions.filter((c) => c.negates === undefined).map((c) => [c.key, answers.conditions.get(c.number) ?? false]),
    ),
    ...(catalog.features.length
      ? { features: Object.fromEntries(catalog.features.map((f) => [f.key, answers.features.get(f.letter) ?? false])) }
      : {}),
    provisions: Object.fromEntries(applicable.map((p) => [p.id, { support: null, detail: '', evidence: [] }])),
    waivers: [],
  };
  const doc = new Document(data);
  const header = [
    ` Baseline product file: the product, its manufacturer and its claims against ETSI EN 303 645 V${catalog.version}.`,
    ' Fill in supportPeriod, vulnerabilityDisclosure and statement before writing the statement of compliance,',
    ' then claim each provision: support Y, N or N/A, a detail (or justification), and evidence.',
    ' `baseline catalog show ID` explains a provision; `baseline assess` checks this file.',
  ];
  doc.commentBefore = header.join('\n');
  const provisions = doc.get('provisions') as YAMLMap | undefined;
  if (provisions) {
    for (const item of provisions.items) {
      const provision = catalog.byId.get(String((item.key as { value?: unknown })?.value ?? item.key));
      if (provision && item.key && typeof item.key === 'object') {
        (item.key as { commentBefore?: string }).commentBefore = ` ${provision.id} [${formatStatus(provision)}] ${provision.title}`;
      }
    }
    if (ruledOut.length) {
      provisions.comment = ` Not applicable by the condition answers: ${ruledOut.map((p) => p.id).join(', ')}`;
    }
  }
  const schemaLine = answers.schemaPath ? `# yaml-language-server: $schema=${answers.schemaPath}\n` : '';
  return schemaLine + doc.toString({ lineWidth: 0 });
}
