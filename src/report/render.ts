// Builds the requested documents, renders them in the requested formats, and writes them all or none.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Assessment } from '../assess/assess.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { InputError } from '../io/input-error.ts';
import { renderCsv } from './csv.ts';
import { DOCUMENT_IDS, type DocumentId, FORMATS, type Format, type ReportDocument } from './document.ts';
import { buildGaps } from './gaps.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { renderPdfs } from './pdf.ts';
import { renderSarif } from './sarif.ts';
import { buildStatement } from './statement.ts';
import { buildTableB1 } from './table-b1.ts';

const BUILDERS: Record<DocumentId, (a: Assessment) => ReportDocument> = {
  'table-b1': buildTableB1,
  statement: buildStatement,
  gaps: buildGaps,
};

/** SARIF carries results, so only the gap report has a SARIF form. */
const SARIF_DOCUMENTS: readonly DocumentId[] = ['gaps'];

export interface RenderedFile {
  document: DocumentId;
  format: Format;
  /** Where it goes; undefined means standard output. */
  path: string | undefined;
  content: string | Uint8Array;
  note?: string;
}

export interface ReportRequest {
  documents: DocumentId[];
  formats: Format[];
  out?: string;
  generator: string;
  version: string;
}

export function parseList<T extends string>(value: string, allowed: readonly T[], what: string, all: readonly T[] = allowed): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.includes('all')) return [...all];
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new InputError(`unknown ${what} "${item}"; expected ${allowed.join(', ')} or all`);
    }
  }
  return [...new Set(items)] as T[];
}

export const parseDocuments = (value: string) => parseList(value, DOCUMENT_IDS, 'document');
export const parseFormats = (value: string) => parseList(value, FORMATS, 'format');

export async function renderReports(a: Assessment, request: ReportRequest, progress: (line: string) => void): Promise<RenderedFile[]> {
  const pairs = request.documents.flatMap((d) =>
    request.formats
      .filter((f) => f !== 'sarif' || SARIF_DOCUMENTS.includes(d) || request.documents.length === 1)
      .map((f) => [d, f] as const),
  );
  for (const [d, f] of pairs) {
    if (f === 'sarif' && !SARIF_DOCUMENTS.includes(d))
      throw new InputError(`SARIF is written for the gap report only; use --document gaps --format sarif`);
  }
  const single = pairs.length === 1;
  const outIsDir =
    request.out !== undefined && (!single || request.out.endsWith('/') || (existsSync(request.out) && statSync(request.out).isDirectory()));
  if (!single && request.out === undefined) throw new InputError('several documents or formats need --out DIR to write them into');
  if (single && request.out === undefined && pairs[0]?.[1] === 'pdf') throw new InputError('a PDF needs --out FILE');

  const docs = new Map(request.documents.map((d) => [d, BUILDERS[d](a)]));
  const target = (d: DocumentId, f: Format) =>
    request.out === undefined ? undefined : outIsDir ? join(request.out, `${d}.${f}`) : request.out;
  const files: RenderedFile[] = [];
  const pdfWanted: Array<{ doc: ReportDocument; html: string }> = [];
  for (const [d, f] of pairs) {
    const doc = docs.get(d) as ReportDocument;
    const html = () => renderHtml(doc, request.generator);
    switch (f) {
      case 'md':
        files.push({ document: d, format: f, path: target(d, f), content: renderMarkdown(doc) });
        break;
      case 'html':
        files.push({ document: d, format: f, path: target(d, f), content: html() });
        break;
      case 'csv':
        files.push({ document: d, format: f, path: target(d, f), content: renderCsv(doc) });
        break;
      case 'json':
        files.push({ document: d, format: f, path: target(d, f), content: `${JSON.stringify(doc.data, null, 2)}\n` });
        break;
      case 'sarif':
        files.push({ document: d, format: f, path: target(d, f), content: renderSarif(a, request.version) });
        break;
      case 'pdf':
        pdfWanted.push({ doc, html: html() });
        files.push({ document: d, format: f, path: target(d, f), content: new Uint8Array() });
        break;
    }
  }
  if (pdfWanted.length) {
    progress(`rendering ${pdfWanted.length} PDF${pdfWanted.length > 1 ? 's' : ''}...`);
    const pdfs = await renderPdfs(pdfWanted);
    const pdfFiles = files.filter((f) => f.format === 'pdf');
    pdfs.forEach((pdf, i) => {
      const file = pdfFiles[i] as RenderedFile;
      file.content = pdf.bytes;
      if (pdf.renderer === 'pdfkit') file.note = 'Chromium not found: rendered with the plain pdfkit layout';
    });
  }
  return files;
}

/** Writes every rendered file atomically; standard output gets the single unnamed one. */
export function writeRendered(files: RenderedFile[], stdout: (text: string) => void, progress: (line: string) => void): void {
  for (const file of files) {
    if (file.path === undefined) {
      stdout(typeof file.content === 'string' ? file.content : Buffer.from(file.content).toString('latin1'));
      continue;
    }
    writeFileAtomic(file.path, file.content);
    progress(`wrote ${file.path}${file.note ? ` (${file.note})` : ''}`);
  }
}
