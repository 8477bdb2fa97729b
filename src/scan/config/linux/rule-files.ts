// Loads the Linux rule tables from catalog/rules/ and checks what a zod schema cannot see alone:
// unique ids. The data is ours, so a problem in it is reported as file:line like any input error.
import type { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { parseWithSchema, readYamlFile, schemaIssueError } from '../../../io/yaml-file.ts';

export const RULES_DIR = `${CATALOG_DIR}rules/`;

export function loadRuleFile<T extends z.ZodType<{ rules: Array<{ id: string }> }>>(schema: T, path: string, text?: string): z.infer<T> {
  const file = readYamlFile(path, text);
  const data = parseWithSchema(file, schema);
  const seen = new Set<string>();
  data.rules.forEach((rule, index) => {
    if (seen.has(rule.id)) throw schemaIssueError(file, ['rules', index, 'id'], `rule id "${rule.id}" is used twice`);
    seen.add(rule.id);
  });
  return data;
}

/** Loads once per process: the tables are read-only data. */
export function cached<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}
