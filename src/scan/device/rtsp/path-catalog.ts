// The RTSP stream paths the probe asks for (catalog/probe/rtsp-paths.yaml), in the order they are tried.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { parseWithSchema, readYamlFile, schemaIssueError } from '../../../io/yaml-file.ts';

export const RTSP_PATHS_FILE = `${CATALOG_DIR}probe/rtsp-paths.yaml`;

/** More than this and the probe stops being a probe. */
export const MAX_RTSP_PATHS = 8;

// An absolute path with an optional query, printable ASCII, no dot segments.
const requestPath = z
  .string()
  .regex(/^\/[\x21-\x7e]*$/, 'an absolute path of printable ASCII without spaces')
  .refine((p) => !/(^|\/)\.\.?(\/|$|\?)/.test(p.split('?')[0] ?? ''), 'no . or .. segments');

const entrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  path: requestPath,
  title: z.string().min(3),
  source: z.string().min(3),
});

const fileSchema = z.strictObject({ paths: z.array(entrySchema).min(1).max(MAX_RTSP_PATHS) });

export type RtspPathEntry = z.infer<typeof entrySchema>;

export function loadRtspPaths(path = RTSP_PATHS_FILE, text?: string): RtspPathEntry[] {
  const file = readYamlFile(path, text);
  const data = parseWithSchema(file, fileSchema);
  const ids = new Set<string>();
  const paths = new Set<string>(['/']);
  data.paths.forEach((entry, index) => {
    if (ids.has(entry.id)) throw schemaIssueError(file, ['paths', index, 'id'], `id "${entry.id}" is used twice`);
    if (paths.has(entry.path))
      throw schemaIssueError(file, ['paths', index, 'path'], `path ${entry.path} is listed twice (or is /, always tried)`);
    ids.add(entry.id);
    paths.add(entry.path);
  });
  return data.paths;
}

let cached: RtspPathEntry[] | undefined;

export function rtspPaths(): RtspPathEntry[] {
  cached ??= loadRtspPaths();
  return cached;
}
