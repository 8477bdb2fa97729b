// Validates one catalog YAML file against its schema and prints status counts: a quick check while editing data.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { etsiCatalogSchema, pstiCatalogSchema } from '../src/catalog/schema.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: check-catalog-file.ts FILE');
const raw = parse(readFileSync(file, 'utf8'));
const schema = raw?.standard === 'uk-psti-2023' ? pstiCatalogSchema : etsiCatalogSchema;
const result = schema.safeParse(raw);
if (!result.success) {
  for (const issue of result.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
  process.exit(1);
}
const data = result.data;
if ('provisions' in data) {
  const counts: Record<string, number> = {};
  for (const p of data.provisions.filter((p) => p.inTableB1)) counts[p.status] = (counts[p.status] ?? 0) + 1;
  console.log(`${data.provisions.length} provisions, ${data.provisions.filter((p) => p.inTableB1).length} in Table B.1`, counts);
} else {
  console.log(
    `${data.requirements.length} requirements, ${data.exceptedProducts.length} excepted, ${data.statementFields.length} statement fields`,
  );
}
