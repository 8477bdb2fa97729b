// MCUboot's published sample signing keys, kept as data in catalog/rules/mcuboot-sample-keys.yaml. Loading
// checks each recorded KEYHASH against the key itself, so the data cannot silently drift from the PEM.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../../../io/input-error.ts';
import { parseWithSchema, readYamlFile } from '../../../io/yaml-file.ts';
import { type HashAlgorithm, toHex } from './image-hash.ts';
import { KEY_ALGORITHMS, keyHash, type PublicKey, publicKeyFromPem } from './signature.ts';

export const SAMPLE_KEYS_FILE = fileURLToPath(new URL('../../../../catalog/rules/mcuboot-sample-keys.yaml', import.meta.url));

const sampleKeySchema = z.strictObject({
  name: z.string().regex(/^root-[a-z0-9-]+\.pem$/),
  algorithm: z.enum(KEY_ALGORITHMS),
  source: z.string().min(3),
  keyhashAlgorithm: z.enum(['sha256', 'sha384', 'sha512']),
  keyhash: z.string().regex(/^([0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/),
  pem: z.string().includes('-----BEGIN PUBLIC KEY-----'),
});

const sampleKeysFileSchema = z.strictObject({
  source: z.string().min(3),
  keys: z.array(sampleKeySchema).min(1),
});

export interface SampleKey extends PublicKey {
  source: string;
  keyhash: string;
  keyhashAlgorithm: HashAlgorithm;
}

let cache: SampleKey[] | undefined;

export function loadSampleKeys(path = SAMPLE_KEYS_FILE): SampleKey[] {
  if (path === SAMPLE_KEYS_FILE && cache) return cache;
  const file = readYamlFile(path);
  const data = parseWithSchema(file, sampleKeysFileSchema);
  const keys = data.keys.map((entry, i) => {
    const key = publicKeyFromPem(`${path}: keys.${i} (${entry.name})`, entry.pem);
    const where = `${path}: keys.${i} (${entry.name})`;
    if (key.algorithm !== entry.algorithm) throw new InputError(`${where}: the PEM holds an ${key.algorithm} key, not ${entry.algorithm}`);
    const computed = toHex(keyHash(key, entry.keyhashAlgorithm));
    if (computed !== entry.keyhash)
      throw new InputError(`${where}: keyhash ${entry.keyhash} is not the key's ${entry.keyhashAlgorithm} (${computed})`);
    return { ...key, name: entry.name, source: entry.source, keyhash: entry.keyhash, keyhashAlgorithm: entry.keyhashAlgorithm };
  });
  if (path === SAMPLE_KEYS_FILE) cache = keys;
  return keys;
}
