// Writes schema/baseline.schema.json from the zod schema, for editor completion of baseline.yaml.
// With --check it only verifies that the committed file is current (the test command runs that).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { productJsonSchemaText } from '../src/product/json-schema.ts';

const target = new URL('../schema/baseline.schema.json', import.meta.url).pathname;
const text = productJsonSchemaText();
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error(`${target} is stale: run node scripts/generate-schema.ts`);
    process.exit(1);
  }
} else {
  writeFileAtomic(target, text);
  console.log(`wrote ${target}`);
}
