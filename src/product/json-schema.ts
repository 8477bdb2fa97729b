// The product file's JSON Schema, derived from the zod schema so the two cannot drift apart.
import { z } from 'zod';
import { productFileSchema } from './schema.ts';

export function productJsonSchemaText(): string {
  const schema = z.toJSONSchema(productFileSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  const withHeader = {
    $id: 'https://baseline-iot.dev/schema/baseline.schema.json',
    title: 'Baseline product file (baseline.yaml)',
    description: 'A connected product, its manufacturer, and its claims against ETSI EN 303 645 for the UK PSTI.',
    ...schema,
  };
  return `${JSON.stringify(withHeader, null, 2)}\n`;
}
