// Kernel versions as the config header and --kernel-version give them: "6.1.192", "6.1", "6.1.0-56-amd64".
import { InputError } from '../../../io/input-error.ts';

export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
}

// Anchored, bounded repetitions: no backtracking blow-up whatever follows the numbers.
const VERSION = /^v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,6}))?/;

export function parseKernelVersion(text: string): KernelVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]) };
}

/** --kernel-version: a version or an input error. */
export function kernelVersionOption(text: string): KernelVersion {
  const version = parseKernelVersion(text);
  if (!version) throw new InputError(`--kernel-version: expected a kernel version such as 6.1 or 5.15.148, got "${text.slice(0, 40)}"`);
  return version;
}

export function compareVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatVersion(v: KernelVersion): string {
  return `${v.major}.${v.minor}${v.patch ? `.${v.patch}` : ''}`;
}
