// `baseline init`: asks the condition questions on a terminal, or takes them as flags, and writes baseline.yaml.
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEFAULT_ETSI_VERSION, type LoadedEtsiCatalog, loadEtsiCatalog, parseStandardRef } from '../../catalog/load.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { InputError } from '../../io/input-error.ts';
import { didYouMean } from '../../io/nearest.ts';
import { buildProductFile } from '../../product/init.ts';
import { DEFAULT_PRODUCT_FILE, loadProduct } from '../../product/load.ts';
import { progress } from '../output.ts';

interface InitOptions {
  file: string;
  standard: string;
  name?: string;
  model?: string;
  type?: string;
  firmware?: string;
  manufacturer?: string;
  address?: string;
  yes: string[];
  no: string[];
  force?: boolean;
}

const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/baseline.schema.json', import.meta.url));
const collect = (value: string, previous: string[]) => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function registerInit(program: Command): void {
  program
    .command('init')
    .description("write a new product file: asks the standard's condition questions, or takes them as flags without a terminal")
    .option('--file <path>', 'where to write', DEFAULT_PRODUCT_FILE)
    .option(
      '-s, --standard <ref>',
      'etsi-en-303-645@2.1.1 (cited by the PSTI) or etsi-en-303-645@3.1.3',
      `etsi-en-303-645@${DEFAULT_ETSI_VERSION}`,
    )
    .option('--name <name>', 'product name')
    .option('--model <model>', 'model designation')
    .option('--type <type>', 'product type, e.g. "smart thermostat"')
    .option('--firmware <version>', 'firmware version')
    .option('--manufacturer <name>', 'manufacturer name')
    .option('--address <address>', 'manufacturer address')
    .option('--yes <keys>', 'conditions or features that hold (comma-separated keys, repeatable)', collect, [])
    .option('--no <keys>', 'conditions or features that do not hold (comma-separated keys, repeatable)', collect, [])
    .option('--force', 'overwrite an existing file')
    .addHelpText(
      'after',
      `
Every condition must be answered. On a terminal, init asks for whatever the flags leave open;
without one (CI, scripts) the flags must answer everything. List the keys with: baseline catalog conditions

Example:
  baseline init --name "Hearth Thermostat" --manufacturer "Hearth Ltd" \\
    --yes passwords-used,user-authentication,update-mechanism,updates-over-network,automatic-updates-or-notifications,not-constrained-device \\
    --no preinstalled-passwords,software-not-updatable,telemetry-collected,consent-based-processing,hardcoded-unique-identity,physical-debug-interface`,
    )
    .action(async (options: InitOptions) => {
      if (existsSync(options.file) && !options.force) throw new InputError(`${options.file}: already exists; pass --force to overwrite it`);
      const parsed = parseStandardRef(options.standard);
      if (parsed.standard !== 'etsi-en-303-645')
        throw new InputError('--standard: a product file is written against a version of EN 303 645');
      const catalog = loadEtsiCatalog(parsed.version);
      const { conditions, features } = answersFromFlags(catalog, options);
      const interactive = process.stdin.isTTY === true;
      const rl = interactive ? createInterface({ input: process.stdin, output: process.stderr }) : undefined;
      try {
        // Lines are read through the iterator, which queues them: answers typed (or pasted) ahead of a
        // question are kept, not lost.
        const lines = rl?.[Symbol.asyncIterator]();
        const ask = async (question: string): Promise<string> => {
          if (!lines) return '';
          process.stderr.write(question);
          const next = await lines.next();
          if (next.done) throw new InputError('init: the input ended before every question was answered');
          return String(next.value).trim();
        };
        const name = options.name ?? (await ask('Product name: '));
        const manufacturer = options.manufacturer ?? (await ask('Manufacturer name: '));
        const missing: string[] = [];
        if (!name) missing.push('--name');
        if (!manufacturer) missing.push('--manufacturer');
        for (const c of catalog.conditions) {
          if (conditions.has(c.number) || (c.negates !== undefined && conditions.has(c.negates))) continue;
          if (!rl) {
            missing.push(`condition ${c.key}`);
            continue;
          }
          const yes = await askYesNo(ask, `[${c.number}] ${c.question} (y/n) `);
          conditions.set(c.number, yes);
          if (c.negates !== undefined) conditions.set(c.negates, !yes);
        }
        for (const f of catalog.features) {
          if (features.has(f.letter)) continue;
          if (!rl) {
            missing.push(`feature ${f.key}`);
            continue;
          }
          features.set(f.letter, await askYesNo(ask, `(${f.letter}) ${f.question} (y/n) `));
        }
        if (missing.length) {
          throw new InputError(
            `init: no terminal to ask on, and these are unanswered: ${missing.join(', ')} (use --name, --manufacturer, --yes KEY and --no KEY)`,
          );
        }
        // Derive each negated condition from its partner so the file never contradicts itself.
        for (const c of catalog.conditions) {
          if (c.negates !== undefined && conditions.has(c.negates)) conditions.set(c.number, !conditions.get(c.negates));
        }
        const text = buildProductFile({
          catalog,
          product: { name, ...pick(options, ['model', 'type']), ...(options.firmware ? { firmwareVersion: options.firmware } : {}) },
          manufacturer: { name: manufacturer, ...(options.address ? { address: options.address } : {}) },
          conditions,
          features,
          schemaPath: relative(dirname(resolve(options.file)), SCHEMA_FILE),
        });
        writeFileAtomic(options.file, text);
        const product = loadProduct(options.file); // proves the file is valid before we say so
        progress(`wrote ${options.file}: ${product.claims.size} applicable provisions to claim; next: baseline assess ${options.file}`);
      } finally {
        rl?.close();
      }
    });
}

async function askYesNo(ask: (q: string) => Promise<string>, question: string): Promise<boolean> {
  for (;;) {
    const answer = (await ask(question)).toLowerCase();
    if (['y', 'yes'].includes(answer)) return true;
    if (['n', 'no'].includes(answer)) return false;
  }
}

function pick(options: InitOptions, keys: Array<'model' | 'type'>): Partial<Record<'model' | 'type', string>> {
  return Object.fromEntries(keys.filter((k) => options[k]).map((k) => [k, options[k]]));
}

function answersFromFlags(catalog: LoadedEtsiCatalog, options: InitOptions) {
  const conditions = new Map<number, boolean>();
  const features = new Map<string, boolean>();
  const keys = [...catalog.conditions.map((c) => c.key), ...catalog.features.map((f) => f.key)];
  for (const [list, value] of [
    [options.yes, true],
    [options.no, false],
  ] as const) {
    for (const key of list) {
      const condition = catalog.conditions.find((c) => c.key === key || String(c.number) === key);
      const feature = catalog.features.find((f) => f.key === key || f.letter === key);
      if (condition) {
        conditions.set(condition.number, value);
        if (condition.negates !== undefined) conditions.set(condition.negates, !value);
      } else if (feature) features.set(feature.letter, value);
      else throw new InputError(`--${value ? 'yes' : 'no'}: unknown condition or feature "${key}"${didYouMean(key, keys)}`);
    }
  }
  return { conditions, features };
}
