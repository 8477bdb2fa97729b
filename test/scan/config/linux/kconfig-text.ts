// Builds small kernel configs for the rule tests: a header for an architecture and version, and lines
// that set an option to a value a rule accepts or rejects.
import type { KconfigRule } from '../../../../src/scan/config/linux/kconfig-rules.ts';
import { boundFor } from '../../../../src/scan/config/linux/kconfig-rules.ts';
import { formatVersion } from '../../../../src/scan/config/linux/kernel-version.ts';

const ARCH_LINES: Record<string, string> = {
  x86_64: '# Linux/x86 VERSION Kernel Configuration\nCONFIG_64BIT=y\nCONFIG_X86_64=y\n',
  arm64: '# Linux/arm64 VERSION Kernel Configuration\nCONFIG_64BIT=y\nCONFIG_ARM64=y\n',
  arm: '# Linux/arm VERSION Kernel Configuration\nCONFIG_ARM=y\n',
  riscv: '# Linux/riscv VERSION Kernel Configuration\nCONFIG_64BIT=y\nCONFIG_RISCV=y\n',
};

export function kconfigHeader(arch: string, version: string): string {
  const lines = ARCH_LINES[arch];
  if (!lines) throw new Error(`no header for ${arch}`);
  return `#\n# Automatically generated file; DO NOT EDIT.\n${lines.replace('VERSION', version)}`;
}

/** A kernel the rule applies to: its first architecture, at the first version that has the option. */
export function kernelFor(rule: KconfigRule): { arch: string; version: string } {
  const arch = rule.arch?.[0] ?? 'x86_64';
  const since = boundFor(rule.since, arch, 'since');
  return { arch, version: since ? formatVersion(since) : '3.0' };
}

export function setLine(option: string, value: string): string {
  return value === 'is not set' ? `# ${option} is not set` : `${option}=${value}`;
}

export function goodLine(rule: KconfigRule): string {
  const e = rule.expected;
  if (typeof e === 'string') return setLine(rule.option, e);
  if (Array.isArray(e)) return setLine(rule.option, e[0] as string);
  return setLine(rule.option, String(e.min));
}

export function badLine(rule: KconfigRule): string {
  const e = rule.expected;
  if (typeof e === 'object' && !Array.isArray(e)) return setLine(rule.option, String(e.min - 1));
  const accepted = typeof e === 'string' ? [e] : e;
  return setLine(rule.option, accepted.includes('is not set') ? 'y' : 'is not set');
}

/** Lines that make none of the rule's satisfiedBy conditions hold, so a bad value really fails. */
export function notSatisfiedLines(rule: KconfigRule): string {
  return (rule.satisfiedBy ?? []).map((c) => `${setLine(c.option, c.value === 'is not set' ? 'y' : 'is not set')}\n`).join('');
}
