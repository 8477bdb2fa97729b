// The HTTP endpoints the probe asks for (catalog/probe/http-paths.yaml), and the test that says an answer
// really is the file named: status 200, every pattern matching, and a random path not matching too.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { parseWithSchema, readYamlFile, schemaIssueError } from '../../../io/yaml-file.ts';
import { severitySchema } from '../../../findings/schema.ts';

export const HTTP_PATHS_FILE = `${CATALOG_DIR}probe/http-paths.yaml`;

/** More than this and the probe stops being a probe. */
const MAX_ENTRIES = 40;

// An absolute path with an optional query, printable ASCII, no dot segments: nothing but a plain GET.
const requestPath = z
  .string()
  .regex(/^\/[\x21-\x7e]*$/, 'an absolute path of printable ASCII without spaces')
  .refine((p) => !/(^|\/)\.\.?(\/|$|\?)/.test(p.split('?')[0] ?? ''), 'no . or .. segments');

const pattern = z.string().min(3);

const entrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  path: requestPath,
  title: z.string().min(3),
  kind: z.enum(['configuration', 'credentials', 'device-information', 'debug', 'backup']),
  match: z.array(pattern).min(1).max(4),
  severity: severitySchema,
  rationale: z.string().min(10),
  source: z.string().min(3),
});

const fileSchema = z.strictObject({
  paths: z.array(entrySchema).min(1).max(MAX_ENTRIES),
  'login-paths': z.array(z.strictObject({ path: requestPath, note: z.string().min(3) })).max(20),
});

export type EndpointEntry = z.infer<typeof entrySchema> & { patterns: RegExp[] };

export interface EndpointCatalog {
  endpoints: EndpointEntry[];
  loginPaths: string[];
}

export function loadEndpointCatalog(path = HTTP_PATHS_FILE, text?: string): EndpointCatalog {
  const file = readYamlFile(path, text);
  const data = parseWithSchema(file, fileSchema);
  const ids = new Set<string>();
  const paths = new Set<string>();
  const endpoints = data.paths.map((entry, index) => {
    if (ids.has(entry.id)) throw schemaIssueError(file, ['paths', index, 'id'], `id "${entry.id}" is used twice`);
    if (paths.has(entry.path)) throw schemaIssueError(file, ['paths', index, 'path'], `path ${entry.path} is listed twice`);
    ids.add(entry.id);
    paths.add(entry.path);
    const patterns = entry.match.map((source, m) => {
      try {
        return new RegExp(source, 'im');
      } catch (error) {
        throw schemaIssueError(file, ['paths', index, 'match', m], `not a regular expression: ${(error as Error).message}`);
      }
    });
    return { ...entry, patterns };
  });
  return { endpoints, loginPaths: data['login-paths'].map((l) => l.path) };
}

let cachedCatalog: EndpointCatalog | undefined;

export function endpointCatalog(): EndpointCatalog {
  cachedCatalog ??= loadEndpointCatalog();
  return cachedCatalog;
}

export interface EndpointAnswer {
  status: number;
  body: Buffer;
}

/** Bytes of a body the patterns look at: files of interest are small; this keeps the regexes cheap. */
export const MATCHED_BODY_BYTES = 64 * 1024;

function matchesAll(entry: EndpointEntry, body: Buffer): boolean {
  const text = body.subarray(0, MATCHED_BODY_BYTES).toString('latin1');
  return entry.patterns.every((p) => p.test(text));
}

/**
 * True when `answer` is the entry's file: 200, every pattern matches, and the answer to a random path
 * (when the device gave one with status 200) does not match as well.
 */
export function looksExposed(entry: EndpointEntry, answer: EndpointAnswer, randomPathAnswer?: EndpointAnswer): boolean {
  if (answer.status !== 200 || !matchesAll(entry, answer.body)) return false;
  if (randomPathAnswer && randomPathAnswer.status === 200 && matchesAll(entry, randomPathAnswer.body)) return false;
  return true;
}
