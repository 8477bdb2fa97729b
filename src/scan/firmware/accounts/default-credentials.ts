// The default credential list (catalog/credentials/default-credentials.yaml), shared by the firmware
// scanner, which checks every password hash of an image against its passwords, and the live probe.
// candidatePasswords() turns it into the ordered list of passwords to try.
import { z } from 'zod';
import { CATALOG_DIR } from '../../../catalog/load.ts';
import { parseWithSchema, readYamlFile, schemaIssueError } from '../../../io/yaml-file.ts';

export const DEFAULT_CREDENTIALS_PATH = `${CATALOG_DIR}credentials/default-credentials.yaml`;

const sourceSchema = z.strictObject({
  title: z.string().min(1),
  url: z.url(),
  notes: z.string().min(1).optional(),
});

const credentialSchema = z.strictObject({
  // YAML reads 1234 as a number: the file quotes such passwords, and the schema refuses a bare number.
  username: z.string().min(1),
  password: z.string(),
  source: z.string().min(1),
  notes: z.string().min(1).optional(),
});

export const defaultCredentialsSchema = z.strictObject({
  sources: z.record(z.string().regex(/^[a-z0-9-]+$/), sourceSchema),
  credentials: z.array(credentialSchema).min(1),
});

export type DefaultCredentials = z.infer<typeof defaultCredentialsSchema>;
export type DefaultCredential = DefaultCredentials['credentials'][number];

/** Reads and checks the list: the schema, every source defined, no (username, password) pair twice. */
export function loadDefaultCredentials(path = DEFAULT_CREDENTIALS_PATH, text?: string): DefaultCredentials {
  const file = readYamlFile(path, text);
  const data = parseWithSchema(file, defaultCredentialsSchema);
  const seen = new Set<string>();
  data.credentials.forEach((credential, index) => {
    if (!Object.hasOwn(data.sources, credential.source)) {
      throw schemaIssueError(file, ['credentials', index, 'source'], `source "${credential.source}" is not one of sources`);
    }
    const pair = JSON.stringify([credential.username, credential.password]);
    if (seen.has(pair)) {
      throw schemaIssueError(file, ['credentials', index], `${credential.username}/${credential.password || '(empty)'} is listed twice`);
    }
    seen.add(pair);
  });
  return data;
}

let cachedList: DefaultCredentials | undefined;

function builtInList(): DefaultCredentials {
  cachedList ??= loadDefaultCredentials();
  return cachedList;
}

export interface ProductIdentity {
  name: string;
  model: string;
}

/** A name or model in the spellings a vendor might use as a password: as is, lower, upper, capitalised, squeezed. */
function spellings(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const lower = trimmed.toLowerCase();
  const squeezed = lower.replace(/[\s_-]+/g, '');
  return [trimmed, lower, trimmed.toUpperCase(), lower.charAt(0).toUpperCase() + lower.slice(1), squeezed];
}

export interface CandidateOptions {
  /** The account the passwords are for: the list's passwords for this username come first, and the username itself is tried. */
  username?: string;
  /** The list to use (default: the built-in one). */
  credentials?: DefaultCredentials;
}

/**
 * The passwords to try against a hash, each once, in a useful order: the passwords the list pairs with the
 * account's username (when given), the username itself, every other password of the list (Mirai's most
 * used first, as the file lists them), then the product's name and model in a few case variants.
 */
export function candidatePasswords(product?: ProductIdentity, options: CandidateOptions = {}): string[] {
  const { credentials } = options.credentials ?? builtInList();
  const ordered: string[] = [];
  if (options.username !== undefined) {
    ordered.push(...credentials.filter((c) => c.username === options.username).map((c) => c.password));
    ordered.push(options.username);
  }
  ordered.push(...credentials.map((c) => c.password));
  if (product) ordered.push(...spellings(product.name), ...spellings(product.model));
  return [...new Set(ordered)];
}
