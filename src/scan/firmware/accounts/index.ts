// The accounts and passwords analyzer: each check is its own module, named by what it finds.
import type { FirmwareCheck } from '../firmware-check.ts';
import { defaultPassword } from './checks/default-password.ts';
import { emptyPassword } from './checks/empty-password.ts';
import { universalPassword } from './checks/universal-password.ts';
import { unverifiedHash } from './checks/unverified-hash.ts';
import { weakPasswordHash } from './checks/weak-password-hash.ts';

export const accountChecks: readonly FirmwareCheck[] = [
  universalPassword,
  emptyPassword,
  defaultPassword,
  weakPasswordHash,
  unverifiedHash,
];
