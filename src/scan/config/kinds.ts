// The kinds of configuration `baseline scan config` reads, in the order detection tries them.
import type { ConfigKind, ConfigKindName } from './config-kind.ts';
import { linuxKind } from './linux/index.ts';
import { mcubootKind } from './mcuboot/index.ts';
import { rpiKind } from './rpi/index.ts';
import { ubootKind } from './uboot/index.ts';
import { zephyrKind } from './zephyr/index.ts';

export const KINDS: readonly ConfigKind[] = [mcubootKind, linuxKind, zephyrKind, rpiKind, ubootKind];

export function kindNamed(name: ConfigKindName): ConfigKind {
  const kind = KINDS.find((k) => k.name === name);
  if (!kind) throw new Error(`no config kind ${name}`);
  return kind;
}
