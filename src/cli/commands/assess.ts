// `baseline assess`: verdicts from the product file and the scan evidence; exit 0 conformant, 1 not, 2 bad input.
import type { Command } from 'commander';
import { type Assessment, assess } from '../../assess/assess.ts';
import { assessmentJson } from '../../assess/assessment-json.ts';
import { InputError } from '../../io/input-error.ts';
import { DEFAULT_PRODUCT_FILE, loadProduct } from '../../product/load.ts';
import { EXIT, out, printJson } from '../output.ts';
import { textTable } from '../text-table.ts';
import { VERSION } from '../version.ts';

export interface AssessCliOptions {
  evidence?: string[];
  asOf?: string;
}

export function assessFromCli(file: string | undefined, options: AssessCliOptions): Assessment {
  if (options.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) {
    throw new InputError(`--as-of: expected a date written YYYY-MM-DD, got "${options.asOf}"`);
  }
  const product = loadProduct(file ?? DEFAULT_PRODUCT_FILE);
  return assess(product, { evidence: options.evidence ?? [], ...(options.asOf ? { asOf: options.asOf } : {}) });
}

export function addAssessOptions(command: Command): Command {
  return command
    .option('-e, --evidence <results.json...>', 'results files from baseline scan or probe (repeatable)')
    .option('--as-of <date>', 'judge waivers and support periods as of this day (YYYY-MM-DD); default today');
}

export function registerAssess(program: Command): void {
  addAssessOptions(
    program
      .command('assess [file]')
      .description(
        `check the claims in a product file (default ${DEFAULT_PRODUCT_FILE}) against the standard's rules and the scan evidence`,
      ),
  )
    .option('--json', 'print the full assessment as JSON')
    .addHelpText(
      'after',
      `
Verdicts: PASS, FAIL, NOT APPLICABLE (a condition rules it out), NOT ASSESSED (a claim or an answer is missing).
Exit codes: 0 conformant, 1 not conformant (a FAIL or NOT ASSESSED, here or for the PSTI), 2 invalid input.

Examples:
  baseline assess examples/smart-thermostat/baseline.yaml
  baseline assess baseline.yaml --evidence scans/firmware.json --evidence scans/probe.json
  baseline assess baseline.yaml --json | jq '.provisions[] | select(.verdict == "FAIL")'`,
    )
    .action((file: string | undefined, options: AssessCliOptions & { json?: boolean }) => {
      const a = assessFromCli(file, options);
      if (options.json) printJson(assessmentJson(a, { name: 'baseline', version: VERSION }));
      else out(summary(a));
      process.exitCode = a.conformant ? EXIT.ok : EXIT.notConformant;
    });
}

function summary(a: Assessment): string {
  const f = a.product.file;
  const lines: string[] = [];
  lines.push(`${f.product.name}${f.product.model ? ` (${f.product.model})` : ''} by ${f.manufacturer.name}`);
  lines.push(`ETSI EN 303 645 V${a.standard.version} (${a.standard.date}), assessed ${a.asOf}`);
  for (const s of a.evidence.sources) {
    lines.push(`evidence: ${s.path}: ${s.tool} ${s.version} on ${s.target}, ${s.findingCount} findings`);
    for (const part of s.incomplete) lines.push(`  not read: ${part.part}: ${part.reason}`);
  }
  lines.push('');
  lines.push(
    textTable(
      ['CLAUSE', 'VERDICT', 'PASS', 'FAIL', 'OPEN', 'N/A', 'TITLE'],
      a.clauses.map((c) => [
        c.number,
        c.verdict,
        String(c.counts.PASS),
        String(c.counts.FAIL),
        String(c.counts['NOT ASSESSED']),
        String(c.counts['NOT APPLICABLE']),
        c.title,
      ]),
    ),
  );
  const open = a.provisions.filter((p) => p.verdict === 'FAIL' || p.verdict === 'NOT ASSESSED');
  open.sort((x, y) => Number(y.verdict === 'FAIL') - Number(x.verdict === 'FAIL') || Number(y.mandatory) - Number(x.mandatory));
  if (open.length) {
    lines.push('Open provisions:');
    for (const p of open) {
      lines.push(`  ${p.verdict.padEnd(12)} ${p.id.padEnd(7)} ${p.status.padEnd(9)} ${p.title}`);
      for (const reason of p.reasons) lines.push(`      - ${reason}`);
    }
    lines.push('');
  }
  lines.push('UK PSTI (SI 2023/1007):');
  for (const r of a.psti.requirements) {
    lines.push(`  ${r.verdict.padEnd(14)} ${r.title}: ${r.route}`);
    for (const reason of r.reasons) lines.push(`      - ${reason}`);
  }
  const c = a.overall.counts;
  lines.push('');
  lines.push(
    `EN 303 645: ${a.overall.verdict} (${c.PASS} pass, ${c.FAIL} fail, ${c['NOT ASSESSED']} not assessed, ${c['NOT APPLICABLE']} not applicable)`,
  );
  lines.push(`PSTI: ${a.psti.verdict}`);
  lines.push(a.conformant ? 'CONFORMANT' : 'NOT CONFORMANT');
  return `${lines.join('\n')}\n`;
}
