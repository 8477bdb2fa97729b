// `baseline catalog`: the standards as data, for people and for scripts.
import type { Command } from 'commander';
import { catalogEntries } from '../../catalog/entries.ts';
import { DEFAULT_ETSI_VERSION, loadEtsiCatalog, parseStandardRef, STANDARD_REFS } from '../../catalog/load.ts';
import { InputError } from '../../io/input-error.ts';
import { didYouMean } from '../../io/nearest.ts';
import { out, printJson } from '../output.ts';
import { textTable } from '../text-table.ts';

const DEFAULT_REF = `etsi-en-303-645@${DEFAULT_ETSI_VERSION}`;
const standardHelp = `standard to show: ${STANDARD_REFS.join(', ')}`;

export function registerCatalog(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('list the provisions of ETSI EN 303 645 (V2.1.1 or V3.1.3) or the UK PSTI requirements')
    .option('-s, --standard <ref>', standardHelp, DEFAULT_REF)
    .option('--json', 'print JSON: an array of {id, status, conditions, title, ...}')
    // Options after `show` or `conditions` belong to them, not to `catalog` itself.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `
Examples:
  baseline catalog                                   EN 303 645 V2.1.1, the version the PSTI cites
  baseline catalog --standard etsi-en-303-645@3.1.3  the 78 rows of V3.1.3
  baseline catalog --standard uk-psti-2023 --json    PSTI requirements, statement fields, exceptions
  baseline catalog show 5.1-1                        one provision in full
  baseline catalog conditions                        the questions a product file answers`,
    )
    .action((options: { standard: string; json?: boolean }) => {
      const entries = catalogEntries(options.standard);
      if (options.json) return printJson(entries);
      out(
        textTable(
          ['ID', 'STATUS', 'TITLE'],
          entries.map((e) => [e.inTableB1 === false ? `${e.id}*` : e.id, e.statusText, e.title]),
        ),
      );
      if (entries.some((e) => e.inTableB1 === false)) out('* outside Table B.1: judged from the whole statement\n');
    });

  catalog
    .command('show <id>')
    .description('show one provision (or PSTI requirement) in full; aliases such as 6.1-1 work')
    .option('-s, --standard <ref>', standardHelp, DEFAULT_REF)
    .option('--json', 'print JSON')
    .action((id: string, options: { standard: string; json?: boolean }) => {
      const entries = catalogEntries(options.standard);
      const entry = entries.find((e) => e.id === id || e.aliases?.includes(id));
      if (!entry) {
        const ids = entries.flatMap((e) => [e.id, ...(e.aliases ?? [])]);
        throw new InputError(`unknown id "${id}" in ${options.standard}${didYouMean(id, ids)}`);
      }
      if (options.json) return printJson(entry);
      const rows: Array<[string, string]> = [
        ['Id', entry.id],
        ['Status', entry.statusText],
        ['Title', entry.title],
        ['Summary', entry.summary],
      ];
      if (entry.clause) rows.push(['Clause', entry.clause]);
      if (entry.paragraph) rows.push(['Where', entry.paragraph]);
      if (entry.kind === 'provision') {
        const parsed = parseStandardRef(options.standard);
        if (parsed.standard === 'etsi-en-303-645') {
          const cat = loadEtsiCatalog(parsed.version);
          for (const n of entry.conditions) {
            const c = cat.conditions.find((x) => x.number === n);
            rows.push([`Condition ${n}`, `${c?.key}: ${c?.question}`]);
          }
          for (const l of entry.features) {
            const f = cat.features.find((x) => x.letter === l);
            rows.push([`Feature ${l}`, `${f?.key}: ${f?.question}`]);
          }
        }
        if (entry.testCases?.length) rows.push(['TS 103 701 tests', entry.testCases.join(', ')]);
        if (entry.ixit?.length) rows.push(['IXIT', entry.ixit.join(', ')]);
        if (entry.aliases?.length) rows.push(['Aliases', entry.aliases.join(', ')]);
      }
      out(`${rows.map(([k, v]) => `${`${k}:`.padEnd(18)}${v}`).join('\n')}\n`);
      out("\nSummaries are in our own words; the standard's text is ETSI's copyright. Read your own copy for the wording.\n");
    });

  catalog
    .command('conditions')
    .description('list the numbered conditions (and V3 features) that a product file answers')
    .option('-s, --standard <ref>', 'etsi-en-303-645@2.1.1 or etsi-en-303-645@3.1.3', DEFAULT_REF)
    .option('--json', 'print JSON')
    .action((options: { standard: string; json?: boolean }) => {
      const parsed = parseStandardRef(options.standard);
      if (parsed.standard !== 'etsi-en-303-645') throw new InputError('conditions belong to EN 303 645; pick one of its versions');
      const cat = loadEtsiCatalog(parsed.version);
      if (options.json) return printJson({ conditions: cat.conditions, features: cat.features });
      out(
        textTable(
          ['#', 'KEY', 'QUESTION'],
          cat.conditions.map((c) => [String(c.number), c.key, c.question]),
        ),
      );
      if (cat.features.length)
        out(
          `\n${textTable(
            ['F', 'KEY', 'QUESTION'],
            cat.features.map((f) => [f.letter, f.key, f.question]),
          )}`,
        );
    });
}
