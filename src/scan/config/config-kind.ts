// What each kind of build or boot configuration (Linux, Zephyr, Raspberry Pi, MCUboot, U-Boot) provides to
// `baseline scan config` and `baseline rules`.
import type { Finding } from '../../findings/schema.ts';
import type { RuleListing } from '../check.ts';

export const CONFIG_KINDS = ['linux', 'zephyr', 'rpi', 'mcuboot', 'uboot'] as const;
export type ConfigKindName = (typeof CONFIG_KINDS)[number];

/** A file as read: bounded in size, kept as bytes (MCUboot images, binary U-Boot environments) and as text. */
export interface ConfigFile {
  /** The path shown in findings: the name given on the command line, or a path inside an image. */
  path: string;
  bytes: Uint8Array;
  text: string;
}

/** Facts the user supplies that some checks need. */
export interface ConfigScanOptions {
  /** Kernel version, e.g. "6.1", when the config does not say. */
  kernelVersion?: string;
  /** Architecture: x86_64, arm64, arm or riscv, when the config does not say. */
  arch?: string;
  /** A kernel command line to check along with a Linux config. */
  cmdline?: string;
  /** Public keys (PEM) to verify MCUboot signatures with. */
  keys?: Array<{ path: string; pem: string }>;
}

export interface ConfigScan {
  findings: Finding[];
  /** What the scan learnt about the file: kernel version, architecture, image version… */
  facts: Record<string, string>;
  /** Parts that could not be read. */
  incomplete: Array<{ part: string; reason: string }>;
}

export interface ConfigKind {
  name: ConfigKindName;
  /** A line for --help. */
  description: string;
  /** Recognises the kind by content: a score from 0 (not this) to 1 (certainly this). */
  detect(file: ConfigFile): number;
  scan(file: ConfigFile, options: ConfigScanOptions): ConfigScan;
  rules(): RuleListing[];
}
