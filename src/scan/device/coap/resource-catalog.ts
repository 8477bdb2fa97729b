// The CoAP resources worth a GET when a device lists them (catalog/probe/coap-resources.yaml), loaded and
// checked, and the test that picks them out of a /.well-known/core answer.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { severitySchema } from '../../../findings/schema.ts';
import { parseWithSchema, readYamlFile, schemaIssueError } from '../../../io/yaml-file.ts';

export const COAP_RESOURCES_FILE = `${CATALOG_DIR}probe/coap-resources.yaml`;

const entrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  match: z.string().min(2),
  title: z.string().min(3),
  kind: z.enum(['configuration', 'credentials', 'keys', 'firmware', 'debug', 'device-information']),
  severity: severitySchema,
  rationale: z.string().min(10),
  source: z.string().min(3),
});

const fileSchema = z.strictObject({ resources: z.array(entrySchema).min(1).max(40) });

export type CoapResourceEntry = z.infer<typeof entrySchema> & { pattern: RegExp };

export function loadCoapResourceCatalog(path = COAP_RESOURCES_FILE, text?: string): CoapResourceEntry[] {
  const file = readYamlFile(path, text);
  const data = parseWithSchema(file, fileSchema);
  const ids = new Set<string>();
  return data.resources.map((entry, index) => {
    if (ids.has(entry.id)) throw schemaIssueError(file, ['resources', index, 'id'], `id "${entry.id}" is used twice`);
    ids.add(entry.id);
    try {
      return { ...entry, pattern: new RegExp(entry.match, 'i') };
    } catch (error) {
      throw schemaIssueError(file, ['resources', index, 'match'], `not a regular expression: ${(error as Error).message}`);
    }
  });
}

let cached: CoapResourceEntry[] | undefined;

export function coapResourceCatalog(): CoapResourceEntry[] {
  cached ??= loadCoapResourceCatalog();
  return cached;
}

/** The first catalog entry a path matches. */
export function classifyResource(path: string, catalog = coapResourceCatalog()): CoapResourceEntry | undefined {
  return catalog.find((entry) => entry.pattern.test(path));
}
