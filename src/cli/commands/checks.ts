// `baseline checks`: every check module the scanners run, with its provisions, severity, rationale and
// remediation. The configuration rules, which are data, are listed by `baseline rules`.
import type { Command } from 'commander';
import { InputError } from '../../io/input-error.ts';
import type { CheckMeta } from '../../scan/check.ts';
import { out, printJson } from '../output.ts';
import { textTable } from '../text-table.ts';

const SOURCES = ['firmware', 'probe'] as const;
type Source = (typeof SOURCES)[number];

async function checksOf(source: Source): Promise<readonly CheckMeta[]> {
  if (source === 'firmware') return (await import('../../scan/firmware/analyze-filesystem.ts')).FIRMWARE_CHECKS;
  return (await import('../../scan/device/toolkit.ts')).PROBE_CHECKS;
}

export function registerChecks(program: Command): void {
  program
    .command('checks')
    .description(
      'list the checks of the firmware scanner and the live probe, each with its provisions, severity, rationale and remediation',
    )
    .option('-s, --source <source>', `only one scanner: ${SOURCES.join(', ')}`)
    .option('--json', 'print JSON: an array of {source, id, title, provisions, severity, rationale, remediation}')
    .addHelpText(
      'after',
      `
Examples:
  baseline checks --source probe
  baseline checks --json | jq '.[] | select(.provisions | index("5.1-1"))'
  baseline rules                 the configuration rules (kernel options, Zephyr symbols, config.txt)`,
    )
    .action(async (options: { source?: string; json?: boolean }) => {
      if (options.source !== undefined && !(SOURCES as readonly string[]).includes(options.source)) {
        throw new InputError(`--source: expected ${SOURCES.join(' or ')}, got "${options.source}"`);
      }
      const sources = options.source ? [options.source as Source] : [...SOURCES];
      const rows: (CheckMeta & { source: Source })[] = [];
      for (const source of sources) {
        for (const c of await checksOf(source)) {
          rows.push({
            source,
            id: c.id,
            title: c.title,
            provisions: c.provisions,
            severity: c.severity,
            rationale: c.rationale,
            remediation: c.remediation,
          });
        }
      }
      if (options.json) return printJson(rows);
      out(
        textTable(
          ['SOURCE', 'CHECK', 'PROVISIONS', 'SEVERITY', 'TITLE'],
          rows.map((r) => [r.source, r.id, r.provisions.join(' '), r.severity, r.title]),
        ),
      );
    });
}
