// Markdown rendering of a report document (GitHub-flavoured tables).
import type { Block, ReportDocument } from './document.ts';

export function renderMarkdown(doc: ReportDocument): string {
  const out: string[] = [];
  if (doc.draft) out.push(`> **DRAFT:** ${inline(doc.draft)}`, '');
  for (const block of doc.blocks) out.push(renderBlock(block), '');
  return `${out.join('\n').trimEnd()}\n`;
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${inline(block.text)}`;
    case 'paragraph':
      return block.emphasis ? `> ${inline(block.text)}` : inline(block.text);
    case 'fields':
      return block.rows.map(([label, value]) => `- **${inline(label)}:** ${inline(value)}`).join('\n');
    case 'signature':
      return `**${inline(block.label)}:** ______________________________`;
    case 'table': {
      const width = block.columns.length;
      const lines = [`| ${block.columns.map(cell).join(' | ')} |`, `|${' --- |'.repeat(width)}`];
      for (const row of block.rows) {
        if ('group' in row) lines.push(`| **${cell(row.group)}** |${' |'.repeat(width - 1)}`);
        else lines.push(`| ${row.cells.map(cell).join(' | ')} |`);
      }
      return lines.join('\n');
    }
  }
}

// Text from product files and devices must not turn into markup or break a table. URLs become
// autolinks, inside which escapes would be taken literally. A URL stops at characters RFC 3986 never
// allows in one (backtick, backslash, braces, caret), so that "`https://$host$request_uri;`" in a
// remediation does not take the closing backtick into the link.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"`\\{}^]+[^\s<>"`\\{}^.,;:!?)\]]/g;
const MARKUP = /[\\`*_[\]<>|#]/g;

function escapeText(text: string): string {
  let result = '';
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    result += text.slice(last, match.index).replace(MARKUP, (c) => `\\${c}`);
    result += `<${match[0].replaceAll('|', '%7C')}>`;
    last = match.index + match[0].length;
  }
  return result + text.slice(last).replace(MARKUP, (c) => `\\${c}`);
}

function inline(text: string): string {
  return escapeText(text.replace(/\r?\n/g, ' '));
}

function cell(text: string): string {
  return text.split(/\r?\n/).map(escapeText).join('<br>');
}
