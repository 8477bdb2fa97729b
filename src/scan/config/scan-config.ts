// `baseline scan config`: reads each file, tells its kind by content (or takes --kind), runs that kind's
// checks, and gathers the findings into one results file in the shared format.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FINDINGS_FORMAT, type Results } from '../../findings/schema.ts';
import { InputError } from '../../io/input-error.ts';
import type { ConfigFile, ConfigKind, ConfigKindName, ConfigScanOptions } from './config-kind.ts';
import { KINDS, kindNamed } from './kinds.ts';

/** Configs are small; a file larger than this is not one, and is not read whole into memory. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

export function readConfigFile(path: string, shownAs = path): ConfigFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new InputError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InputError(`${path}: not a regular file`);
    if (stat.size > MAX_CONFIG_BYTES)
      throw new InputError(`${path}: ${stat.size} bytes is larger than any config (limit ${MAX_CONFIG_BYTES})`);
    const bytes = new Uint8Array(stat.size);
    let offset = 0;
    while (offset < bytes.length) {
      const n = readSync(fd, bytes, offset, bytes.length - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return configFileFrom(shownAs, bytes.subarray(0, offset));
  } finally {
    closeSync(fd);
  }
}

export function configFileFrom(path: string, bytes: Uint8Array): ConfigFile {
  return { path, bytes, text: new TextDecoder('utf-8', { fatal: false }).decode(bytes) };
}

export function detectKind(file: ConfigFile): ConfigKind {
  const scored = KINDS.map((kind) => ({ kind, score: kind.detect(file) })).sort((a, b) => b.score - a.score);
  const best = scored[0];
  if (!best || best.score < 0.5) {
    throw new InputError(`${file.path}: cannot tell what kind of configuration this is; pass --kind ${KINDS.map((k) => k.name).join('|')}`);
  }
  return best.kind;
}

export interface ScannedFile {
  path: string;
  kind: ConfigKindName;
  facts: Record<string, string>;
  findingCount: number;
}

export function scanConfigFiles(
  files: ConfigFile[],
  options: ConfigScanOptions & { kind?: ConfigKindName },
  tool: { name: string; version: string },
): { results: Results; scanned: ScannedFile[] } {
  const results: Results = {
    format: FINDINGS_FORMAT,
    tool: tool.name,
    version: tool.version,
    target: files.map((f) => f.path).join(', '),
    generatedAt: new Date().toISOString(),
    findings: [],
    incomplete: [],
  };
  const scanned: ScannedFile[] = [];
  for (const file of files) {
    const kind = options.kind ? kindNamed(options.kind) : detectKind(file);
    const scan = kind.scan(file, options);
    results.findings.push(...scan.findings);
    results.incomplete.push(...scan.incomplete);
    scanned.push({ path: file.path, kind: kind.name, facts: scan.facts, findingCount: scan.findings.length });
  }
  return { results, scanned };
}
