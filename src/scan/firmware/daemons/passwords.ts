// Which accounts of the image can log in with a password stored in it: what makes password logins over
// SSH matter. Read from the accounts analyzer's parsed /etc/passwd and /etc/shadow.
import { storedCredentials, type StoredCredential } from '../accounts/credential-sources.ts';
import type { FirmwareContext } from '../firmware-check.ts';

const NOT_A_PASSWORD = new Set(['locked', 'no-password']);

/** Login-capable system accounts with a usable password hash (not locked, not empty). */
export function passwordAccounts(context: FirmwareContext): StoredCredential[] {
  return storedCredentials(context).filter((c) => c.kind === 'system' && c.loginCapable && !NOT_A_PASSWORD.has(c.identification.scheme));
}

/** Login-capable system accounts with an empty password field. */
export function blankPasswordAccounts(context: FirmwareContext): StoredCredential[] {
  return storedCredentials(context).filter((c) => c.kind === 'system' && c.loginCapable && c.identification.scheme === 'no-password');
}
