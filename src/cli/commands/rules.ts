// `baseline rules`: every configuration rule with its rationale and source.
import type { Command } from 'commander';
import { CONFIG_KINDS } from '../../scan/config/config-kind.ts';
import { InputError } from '../../io/input-error.ts';
import { out, printJson } from '../output.ts';
import { textTable } from '../text-table.ts';

export function registerRules(program: Command): void {
  program
    .command('rules')
    .description('list the configuration rules, each with the option or setting it reads, its rationale, source and provisions')
    .option('-k, --kind <kind>', `only one kind: ${CONFIG_KINDS.join(', ')}`)
    .option('--json', 'print JSON: an array of {kind, id, title, setting, expected, provisions, severity, rationale, source}')
    .action(async (options: { kind?: string; json?: boolean }) => {
      const { KINDS } = await import('../../scan/config/kinds.ts');
      if (options.kind !== undefined && !(CONFIG_KINDS as readonly string[]).includes(options.kind)) {
        throw new InputError(`--kind: expected ${CONFIG_KINDS.join(', ')}, got "${options.kind}"`);
      }
      const rules = KINDS.filter((k) => !options.kind || k.name === options.kind).flatMap((k) => k.rules());
      if (options.json) return printJson(rules);
      out(
        textTable(
          ['KIND', 'RULE', 'SETTING', 'EXPECTED', 'PROVISIONS', 'SEVERITY'],
          rules.map((r) => [r.kind, r.id, r.setting, r.expected, r.provisions.join(' '), r.severity]),
        ),
      );
    });
}
