// The architectures the rules know, and how a config or --arch names them.
import { InputError } from '../../../io/input-error.ts';
import { listOr } from '../../../io/yaml-file.ts';

export const KERNEL_ARCHES = ['x86_64', 'arm64', 'arm', 'riscv'] as const;
export type KernelArch = (typeof KERNEL_ARCHES)[number];

// Debian, GNU triplet and kernel spellings of the same four.
const ALIASES: Record<string, KernelArch> = {
  x86_64: 'x86_64',
  'x86-64': 'x86_64',
  amd64: 'x86_64',
  x64: 'x86_64',
  arm64: 'arm64',
  aarch64: 'arm64',
  arm: 'arm',
  arm32: 'arm',
  armhf: 'arm',
  armel: 'arm',
  armv7: 'arm',
  armv7l: 'arm',
  riscv: 'riscv',
  riscv64: 'riscv',
  riscv32: 'riscv',
};

export function normaliseArch(name: string): KernelArch | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

/** --arch: one of the four, or an input error. */
export function archOption(text: string): KernelArch {
  const arch = normaliseArch(text);
  if (!arch) throw new InputError(`--arch: expected ${listOr([...KERNEL_ARCHES])}, got "${text.slice(0, 40)}"`);
  return arch;
}

/**
 * The architecture a kernel config is for. The arch symbols kconfig always writes decide; the header's
 * "Linux/x86" cannot tell 32 from 64 bits by itself. Other architectures keep their kernel name
 * (e.g. "x86" for 32-bit PCs, "powerpc"), for which only rules without an arch list apply.
 */
export function archOfConfig(headerArch: string | undefined, isSet: (option: string) => boolean): string | undefined {
  if (isSet('CONFIG_X86_64')) return 'x86_64';
  if (isSet('CONFIG_X86_32')) return 'x86';
  if (isSet('CONFIG_ARM64')) return 'arm64';
  if (isSet('CONFIG_ARM')) return 'arm';
  if (isSet('CONFIG_RISCV')) return 'riscv';
  if (headerArch === undefined) return undefined;
  if (headerArch === 'x86') return isSet('CONFIG_64BIT') ? 'x86_64' : undefined;
  return normaliseArch(headerArch) ?? headerArch.toLowerCase();
}
