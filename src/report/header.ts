// What every document says first: which product, which standard, which evidence, and when.
import type { Assessment } from '../assess/assess.ts';
import type { EvidenceRef } from '../product/schema.ts';

export function standardName(a: Pick<Assessment, 'standard'>): string {
  return `ETSI EN 303 645 V${a.standard.version} (${a.standard.date})`;
}

export function productFields(a: Assessment): Array<[string, string]> {
  const { product, manufacturer } = a.product.file;
  const rows: Array<[string, string]> = [['Product', product.name]];
  if (product.model) rows.push(['Model', product.model]);
  if (product.firmwareVersion) rows.push(['Firmware version', product.firmwareVersion]);
  rows.push(['Manufacturer', manufacturer.name]);
  rows.push(['Standard', `${standardName(a)}, ${a.standard.title}`]);
  rows.push(['Assessed on', a.asOf]);
  const sources = a.evidence.sources.map((s) => `${s.tool} ${s.version} on ${s.target} (${s.findingCount} findings)`);
  rows.push(['Scan evidence', sources.length ? sources.join('; ') : 'none: claims only']);
  return rows;
}

export function describeEvidenceRef(ref: EvidenceRef): string {
  const what = ref.url ?? ref.file ?? ref.scan ?? '';
  const kind = ref.url ? 'URL' : ref.file ? 'file' : 'scan';
  return `${kind} ${what}${ref.note ? ` (${ref.note})` : ''}`;
}
