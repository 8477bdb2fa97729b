// Writes schema/baseline.schema.json from the zod schema, for editor completion of baseline.yaml.
// test/product/json-schema.test.ts fails when the committed file is stale.
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { productJsonSchemaText } from '../src/product/json-schema.ts';

const target = new URL('../schema/baseline.schema.json', import.meta.url).pathname;
writeFileAtomic(target, productJsonSchemaText());
console.log(`wrote ${target}`);
