// PDF from the same HTML, printed by headless Chromium; where Chromium is absent, a plainer pdfkit layout.
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { chromium } from 'playwright-core';
import type { ReportDocument } from './document.ts';

export const CHROMIUM_PATH = process.env.BASELINE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_TIMEOUT_MS = 60_000;

// Flags that keep a headless Chromium from reaching out to the network or prompting on first start.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface PdfResult {
  bytes: Uint8Array;
  renderer: 'chromium' | 'pdfkit';
}

/** Renders every document in one browser session: starting Chromium is the slow part. */
export async function renderPdfs(items: Array<{ doc: ReportDocument; html: string }>): Promise<PdfResult[]> {
  if (!existsSync(CHROMIUM_PATH))
    return Promise.all(items.map(async ({ doc }) => ({ bytes: await renderWithPdfkit(doc), renderer: 'pdfkit' as const })));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: CHROMIUM_TIMEOUT_MS });
  try {
    const context = await browser.newContext({ offline: true, javaScriptEnabled: false });
    // The documents are self-contained; refuse any request a hostile value might still provoke.
    await context.route('**/*', (route) => route.abort());
    const results: PdfResult[] = [];
    for (const { html } of items) {
      const page = await context.newPage();
      page.setDefaultTimeout(CHROMIUM_TIMEOUT_MS);
      await page.setContent(html, { waitUntil: 'load' });
      const bytes = await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate:
          '<div style="font-size:8px;width:100%;text-align:center;color:#57606a"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
        margin: { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' },
      });
      results.push({ bytes, renderer: 'chromium' });
      await page.close();
    }
    return results;
  } finally {
    await browser.close();
  }
}

// pdfkit's standard fonts only carry Latin-1; anything else is replaced rather than garbled.
function latin1(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[^\t\n\r\x20-\x7e\xa0-\xff]/g, '?');
}

export function renderWithPdfkit(doc: ReportDocument): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const pdf = new PDFDocument({ size: 'A4', margin: 42, info: { Title: doc.title, Creator: 'Baseline' } });
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    pdf.on('error', reject);
    if (doc.draft)
      pdf
        .font('Helvetica-Bold')
        .fontSize(11)
        .fillColor('#b3261e')
        .text(latin1(`DRAFT: ${doc.draft}`))
        .fillColor('black')
        .moveDown();
    for (const block of doc.blocks) {
      switch (block.kind) {
        case 'heading':
          pdf
            .moveDown(0.5)
            .font('Helvetica-Bold')
            .fontSize([0, 18, 14, 12][block.level] ?? 12)
            .text(latin1(block.text))
            .moveDown(0.3);
          break;
        case 'paragraph':
          pdf.font('Helvetica').fontSize(10).text(latin1(block.text)).moveDown(0.4);
          break;
        case 'fields':
          for (const [label, value] of block.rows) {
            pdf
              .font('Helvetica-Bold')
              .fontSize(10)
              .text(`${latin1(label)}: `, { continued: true })
              .font('Helvetica')
              .text(latin1(value));
          }
          pdf.moveDown(0.4);
          break;
        case 'signature':
          pdf
            .moveDown(1.5)
            .font('Helvetica-Bold')
            .fontSize(10)
            .text(`${latin1(block.label)}: ______________________________`)
            .moveDown();
          break;
        case 'table': {
          const table = pdf
            .fontSize(8)
            .font('Helvetica')
            .table({ defaultStyle: { padding: 3 } });
          table.row(block.columns.map((c) => ({ text: latin1(c), font: { src: 'Helvetica-Bold' }, backgroundColor: '#eeeeee' })));
          for (const row of block.rows) {
            if ('group' in row) table.row([{ text: latin1(row.group), colSpan: block.columns.length, font: { src: 'Helvetica-Bold' } }]);
            else table.row(row.cells.map(latin1));
          }
          table.end();
          pdf.moveDown();
          break;
        }
      }
    }
    pdf.end();
  });
}
