// Reads a YAML file keeping its source positions, so that a schema violation found later
// can still be reported as file:line:column.
import { readFileSync } from 'node:fs';
import { type Document, isCollection, isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { InputError, located } from './input-error.ts';

const MAX_YAML_BYTES = 8 * 1024 * 1024;

export interface YamlFile {
  path: string;
  data: unknown;
  /** Line and column of the deepest node that exists along a data path. */
  locate(dataPath: readonly PropertyKey[]): { line: number; column: number } | undefined;
}

export function readYamlFile(path: string, text?: string): YamlFile {
  let source = text;
  if (source === undefined) {
    try {
      source = readFileSync(path, 'utf8');
    } catch (error) {
      throw new InputError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  if (source.length > MAX_YAML_BYTES) throw new InputError(`${path}: file is larger than ${MAX_YAML_BYTES} bytes`);
  const lineCounter = new LineCounter();
  // uniqueKeys and a small alias budget: a hostile file must not balloon through anchors.
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = firstError.linePos?.[0] ?? lineCounter.linePos(firstError.pos[0]);
    const what = firstError.message.split('\n')[0] ?? firstError.message;
    throw new InputError(located(path, pos?.line, pos?.col, `YAML syntax error: ${what}`));
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message}`);
  }
  return {
    path,
    data,
    locate(dataPath) {
      const node = deepestNode(doc, dataPath);
      if (!node?.range) return undefined;
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    },
  };
}

function deepestNode(doc: Document, dataPath: readonly PropertyKey[]): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const key of dataPath) {
    if (isMap(node)) {
      const pair = node.items.find((item) => String((item.key as { value?: unknown })?.value ?? item.key) === String(key));
      if (!pair) break;
      // Point at a scalar value itself; at the key for an empty value or a nested block, whose own
      // position is the line after the key.
      node = pair.value ?? pair.key;
      found = (pair.value && !isCollection(pair.value) ? pair.value : pair.key) as Node;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (!node) break;
      found = node as Node;
    } else break;
  }
  return found;
}

/** Validates YAML data against a schema; the first issue becomes a one-line InputError. */
export function parseWithSchema<T extends z.ZodType>(file: YamlFile, schema: T, data: unknown = file.data): z.infer<T> {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new InputError(`${file.path}: invalid content`);
  throw schemaIssueError(file, issue.path, describeIssue(issue));
}

export function schemaIssueError(file: YamlFile, path: readonly PropertyKey[], problem: string): InputError {
  const pos = file.locate(path);
  const field = path.length ? `${path.map(String).join('.')}: ` : '';
  return new InputError(located(file.path, pos?.line, pos?.column, `${field}${problem}`));
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const got = 'input' in issue ? describeValue(issue.input) : undefined;
  switch (issue.code) {
    case 'invalid_value':
      return `expected ${listOr(issue.values.map((v) => String(v)))}, got ${got}`;
    case 'invalid_type':
      return issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${got}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return got === undefined ? issue.message : `${issue.message}, got ${got}`;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

export function listOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
