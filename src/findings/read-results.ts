// Reads a results file written by any scanner. JSON.parse is fast; only on failure is the file
// re-read with the YAML parser (JSON is YAML) to point at the line and column of the problem.
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../io/input-error.ts';
import { parseWithSchema, readYamlFile } from '../io/yaml-file.ts';
import { type Results, resultsSchema } from './schema.ts';

const MAX_RESULTS_BYTES = 256 * 1024 * 1024;

export function readResultsFile(path: string): Results {
  let text: string;
  try {
    if (statSync(path).size > MAX_RESULTS_BYTES) throw new InputError(`${path}: results file is larger than 256 MiB`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read results file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    readYamlFile(path, text); // throws with the position of the syntax error
    throw new InputError(`${path}: not a JSON results file`);
  }
  const quick = resultsSchema.safeParse(data);
  if (quick.success) return quick.data;
  return parseWithSchema(readYamlFile(path, text), resultsSchema);
}
