// CSV per RFC 4180. Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
import type { ReportDocument } from './document.ts';

export function renderCsv(doc: ReportDocument): string {
  const lines = [doc.csv.columns, ...doc.csv.rows].map((row) => row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
