// Loads native/xcrypt/xcrypt.node, the N-API binding to the system's libxcrypt built by
// scripts/build-xcrypt.sh, when it is there. It verifies the hashes that have no TypeScript verifier
// (yescrypt, gost-yescrypt, SunMD5, NT hash) and is the tests' reference for the others. Without it,
// those hashes are reported unverifiable and everything else works as before.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface XcryptBinding {
  /** crypt_rn(phrase, setting): the full hash string, or null when libxcrypt refuses the setting or phrase. */
  crypt(phrase: string, setting: string): string | null;
  /** Whether this libxcrypt can make settings with this prefix (`$y$`, `$2b$`, `_`, `` for DES …). */
  supports(prefix: string): boolean;
}

/** Where build-xcrypt.sh puts the binding. BASELINE_XCRYPT_BINDING overrides it (an empty value disables it). */
export const DEFAULT_XCRYPT_BINDING_PATH = fileURLToPath(new URL('../../../../../native/xcrypt/xcrypt.node', import.meta.url));

export const BINDING_NOT_BUILT = 'libxcrypt binding not built';

let loaded: { binding: XcryptBinding | undefined; problem: string } | undefined;

function bindingPath(): string {
  return process.env.BASELINE_XCRYPT_BINDING ?? DEFAULT_XCRYPT_BINDING_PATH;
}

function load(): { binding: XcryptBinding | undefined; problem: string } {
  const path = bindingPath();
  if (path === '' || !existsSync(path)) return { binding: undefined, problem: `${BINDING_NOT_BUILT} (run scripts/build-xcrypt.sh)` };
  try {
    const module = createRequire(import.meta.url)(path) as Partial<XcryptBinding>;
    if (typeof module.crypt !== 'function' || typeof module.supports !== 'function') {
      return { binding: undefined, problem: `${BINDING_NOT_BUILT}: ${path} is not the xcrypt binding` };
    }
    return { binding: module as XcryptBinding, problem: '' };
  } catch (error) {
    return { binding: undefined, problem: `${BINDING_NOT_BUILT}: ${path} does not load (${(error as Error).message.split('\n')[0]})` };
  }
}

/** The binding, loaded once per thread; undefined when it is not built or does not load. */
export function xcryptBinding(): XcryptBinding | undefined {
  loaded ??= load();
  return loaded.binding;
}

/** Why xcryptBinding() is undefined: starts with "libxcrypt binding not built". */
export function xcryptBindingProblem(): string {
  loaded ??= load();
  return loaded.problem;
}
