// The SSH algorithms no longer regarded as best practice are data (catalog/rules/ssh-algorithms.yaml), so
// that reading a firmware's sshd_config and probing a live server judge by the same list.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { severitySchema, type Severity } from '../../../findings/schema.ts';
import { parseWithSchema, readYamlFile } from '../../../io/yaml-file.ts';
import { globMatcher } from './config-text.ts';

export const SSH_ALGORITHMS_FILE = `${CATALOG_DIR}rules/ssh-algorithms.yaml`;

export const SSH_ALGORITHM_KINDS = ['cipher', 'mac', 'kex', 'signature'] as const;
export type SshAlgorithmKind = (typeof SSH_ALGORITHM_KINDS)[number];

const ruleSchema = z.strictObject({
  match: z.string().regex(/^[a-z0-9*?@.+-]+$/),
  kind: z.enum(SSH_ALGORITHM_KINDS),
  severity: severitySchema,
  rationale: z.string().min(10),
  source: z.string().min(3),
});

const fileSchema = z.strictObject({
  source: z.string().min(3),
  algorithms: z.array(ruleSchema).min(1),
});

export interface WeakSshAlgorithm {
  match: string;
  kind: SshAlgorithmKind;
  severity: Severity;
  rationale: string;
  source: string;
  test: (name: string) => boolean;
}

let cache: WeakSshAlgorithm[] | undefined;

export function loadWeakSshAlgorithms(path = SSH_ALGORITHMS_FILE): WeakSshAlgorithm[] {
  if (path === SSH_ALGORITHMS_FILE && cache) return cache;
  const data = parseWithSchema(readYamlFile(path), fileSchema);
  const rules = data.algorithms.map((r) => ({ ...r, test: globMatcher(r.match) }));
  if (path === SSH_ALGORITHMS_FILE) cache = rules;
  return rules;
}

/** The rule an algorithm offered for `kind` breaks, if any (names compare case-insensitively). */
export function weakSshAlgorithm(kind: SshAlgorithmKind, name: string, rules = loadWeakSshAlgorithms()): WeakSshAlgorithm | undefined {
  const lower = name.toLowerCase();
  return rules.find((r) => r.kind === kind && r.test(lower));
}
