// `baseline report`: Table B.1, the PSTI statement of compliance and the gap report, in every format.
import type { Command } from 'commander';
import { DEFAULT_PRODUCT_FILE } from '../../product/load.ts';
import { DOCUMENT_IDS, FORMATS } from '../../report/document.ts';
import { parseDocuments, parseFormats, renderReports, writeRendered } from '../../report/render.ts';
import { out, progress } from '../output.ts';
import { GENERATOR, VERSION } from '../version.ts';
import { type AssessCliOptions, addAssessOptions, assessFromCli } from './assess.ts';

export function registerReport(program: Command): void {
  addAssessOptions(program.command('report [file]').description(`write the documents for a product file (default ${DEFAULT_PRODUCT_FILE})`))
    .option('-d, --document <list>', `${DOCUMENT_IDS.join(', ')} or all (comma-separated)`, 'all')
    .option('-f, --format <list>', `${FORMATS.join(', ')} or all (comma-separated; sarif is for gaps)`, 'all')
    .option(
      '-o, --out <path>',
      'a file for one document in one format, else a folder (created if needed); stdout when omitted for one text document',
    )
    .addHelpText(
      'after',
      `
Documents:
  table-b1   Table B.1, the implementation conformance statement, completed from the product file and evidence
  statement  the PSTI statement of compliance with every Schedule 4 field (refuses to render while a field is missing)
  gaps       every FAIL and NOT ASSESSED provision, mandatory first, with what would close it

PDF is printed by headless Chromium (/usr/bin/chromium, or $BASELINE_CHROMIUM) from the same HTML;
without Chromium a plainer pdfkit layout is written and the output says so.
Files are written whole or not at all. Exit codes: 0 written, 2 invalid input.

Examples:
  baseline report examples/smart-thermostat/baseline.yaml --out out/thermostat
  baseline report baseline.yaml --document table-b1 --format md > table-b1.md
  baseline report baseline.yaml --document statement --format pdf --out statement.pdf
  baseline report baseline.yaml --document gaps --format sarif --out gaps.sarif`,
    )
    .action(async (file: string | undefined, options: AssessCliOptions & { document: string; format: string; out?: string }) => {
      const documents = parseDocuments(options.document);
      const formats = parseFormats(options.format);
      const a = assessFromCli(file, options);
      const files = await renderReports(
        a,
        { documents, formats, ...(options.out !== undefined ? { out: options.out } : {}), generator: GENERATOR, version: VERSION },
        progress,
      );
      writeRendered(files, out, progress);
      if (options.out !== undefined) {
        const c = a.overall.counts;
        progress(
          `EN 303 645 V${a.standard.version}: ${a.overall.verdict} (${c.PASS} pass, ${c.FAIL} fail, ${c['NOT ASSESSED']} not assessed, ${c['NOT APPLICABLE']} not applicable); PSTI: ${a.psti.verdict}`,
        );
      }
    });
}
