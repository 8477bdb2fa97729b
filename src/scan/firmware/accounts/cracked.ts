// Every stored hash of the image tried against the known default passwords once, on worker threads, and
// shared by the checks that need the answer.
import type { FirmwareContext } from '../firmware-check.ts';
import { type HashOutcome, verifyAll } from './crypt/index.ts';
import { storedCredentials } from './credential-sources.ts';
import { candidatePasswords } from './default-credentials.ts';

/** Schemes with nothing to crack: login is locked, there is no password, or the field is not a hash. */
const NOTHING_TO_CRACK = new Set(['locked', 'no-password']);

export function crackedHashes(context: FirmwareContext): Promise<Map<string, HashOutcome>> {
  return context.memo('cracked-hashes', async () => {
    const credentials = storedCredentials(context).filter((c) => !NOTHING_TO_CRACK.has(c.identification.scheme));
    const product =
      context.product?.name || context.product?.model
        ? { name: context.product.name ?? '', model: context.product.model ?? '' }
        : undefined;
    const passwords = new Set<string>();
    for (const username of new Set(credentials.map((c) => c.username))) {
      for (const password of candidatePasswords(product, { username })) passwords.add(password);
    }
    const verdicts = await verifyAll(
      credentials.map((c) => c.hash),
      [...passwords],
    );
    return new Map(verdicts.map((v) => [v.hash, v.outcome]));
  });
}
