// How every scanning command prints: a human summary by default, the shared findings JSON with --json,
// SARIF with --sarif; and its exit code from --fail-on.
import type { Command } from 'commander';
import { resultsToSarif } from '../findings/sarif.ts';
import { formatLocation, type Results, SEVERITY_ORDER, type Severity, severitySchema } from '../findings/schema.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { InputError } from '../io/input-error.ts';
import { listOr } from '../io/yaml-file.ts';
import { EXIT, out, progress } from './output.ts';

export interface FindingsOutputOptions {
  json?: boolean;
  sarif?: boolean;
  out?: string;
  failOn: string;
}

export function addFindingsOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print the results in the shared findings format (docs/findings-format.md)')
    .option('--sarif', 'print SARIF 2.1.0 for code-scanning UIs')
    .option('-o, --out <file>', 'write the JSON (or SARIF) results to this file instead of standard output')
    .option('--fail-on <severity>', `exit 1 when a failing finding is at or above: ${SEVERITY_ORDER.join(', ')}`, 'low');
}

const STATUS: Record<string, string> = { fail: 'FAIL', pass: 'OK', 'not-applicable': 'N/A', info: 'INFO' };

/** Emits the results as asked, and returns the exit code. */
export function emitResults(results: Results, options: FindingsOutputOptions, summary: () => string): number {
  const threshold = severitySchema.safeParse(options.failOn);
  if (!threshold.success) throw new InputError(`--fail-on: expected ${listOr([...SEVERITY_ORDER])}, got "${options.failOn}"`);
  if (options.json && options.sarif) throw new InputError('--json and --sarif: pick one');
  const machine = options.sarif
    ? resultsToSarif(results)
    : options.json || options.out
      ? `${JSON.stringify(results, null, 2)}\n`
      : undefined;
  if (machine !== undefined && options.out) {
    writeFileAtomic(options.out, machine);
    progress(`wrote ${options.out}`);
    out(summary());
  } else if (machine !== undefined) out(machine);
  else out(summary());
  return failsAtOrAbove(results, threshold.data) ? EXIT.notConformant : EXIT.ok;
}

export function failsAtOrAbove(results: Results, threshold: Severity): boolean {
  const floor = SEVERITY_ORDER.indexOf(threshold);
  return results.findings.some((f) => f.result === 'fail' && SEVERITY_ORDER.indexOf(f.severity) >= floor);
}

/** One line per finding, failures first: STATUS severity check location: message [provisions]. */
export function findingLines(results: Results): string[] {
  const order = ['fail', 'info', 'not-applicable', 'pass'];
  const sorted = [...results.findings].sort(
    (a, b) => order.indexOf(a.result) - order.indexOf(b.result) || SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity),
  );
  return sorted.map(
    (f) =>
      `${(STATUS[f.result] ?? f.result).padEnd(4)} ${f.severity.padEnd(8)} ${f.check}  ${formatLocation(f.location)}: ${f.message} [${f.provisions.join(', ')}]`,
  );
}

export function countLine(results: Results): string {
  const count = (r: string) => results.findings.filter((f) => f.result === r).length;
  return `${count('fail')} failing, ${count('pass')} ok, ${count('not-applicable')} not applicable, ${count('info')} informational`;
}
