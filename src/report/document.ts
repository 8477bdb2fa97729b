// A neutral document model: the three documents build it once, and each format renders it.
import type { Verdict } from '../assess/verdict.ts';

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string; emphasis?: 'note' | 'warning' }
  | { kind: 'fields'; rows: Array<[label: string, value: string]> }
  | { kind: 'table'; columns: string[]; rows: TableRow[]; nowrap?: number[] }
  /** An empty line to sign on paper, for the statement's signature. */
  | { kind: 'signature'; label: string };

export type TableRow = { group: string } | { cells: string[]; verdict?: Verdict };

export const DOCUMENT_IDS = ['table-b1', 'statement', 'gaps'] as const;
export type DocumentId = (typeof DOCUMENT_IDS)[number];

export interface ReportDocument {
  id: DocumentId;
  title: string;
  /** Watermark shown when the document must not be issued as it stands. */
  draft?: string;
  blocks: Block[];
  /** What --format json writes: the document's facts, not its layout. */
  data: unknown;
  /** What --format csv writes: one flat table. */
  csv: { columns: string[]; rows: string[][] };
}

export const FORMATS = ['md', 'html', 'pdf', 'csv', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];
