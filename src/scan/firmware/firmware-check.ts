// What a firmware check looks like: metadata beside the detector (like an ESLint rule), run on one root
// filesystem at a time through ImageFs. Checks may be asynchronous (password cracking runs on worker
// threads), and share expensive work (parsed account files, cracked hashes) through the context's memo.
import type { CheckMeta, FindingDraft } from '../check.ts';
import { type FsEntry, type ImageFs, resolveInImage } from './image-fs.ts';

export interface FirmwareContext {
  fs: ImageFs;
  /** Where this filesystem sits in the input, e.g. "firmware.bin@0x40000 squashfs"; prefixed to nothing, for messages. */
  label: string;
  /** The product's own name and model, when known: they join the candidate passwords. */
  product?: { name?: string; model?: string };
  /** Computes a value once per filesystem and shares it between checks. */
  memo<T>(key: string, compute: () => T): T;
  /** Reads a text file of the image (bounded); undefined when absent or not a regular file. */
  readText(path: string, maxBytes?: number): string | undefined;
  /** Regular files whose path matches, in image order. */
  files(match: (entry: FsEntry) => boolean): FsEntry[];
}

export interface FirmwareCheck extends CheckMeta {
  run(context: FirmwareContext): FindingDraft[] | Promise<FindingDraft[]>;
}

/** Text files in images are configs and scripts; larger ones are not read whole. */
export const MAX_TEXT_BYTES = 4 * 1024 * 1024;

export function firmwareContext(fs: ImageFs, label: string, product?: { name?: string; model?: string }): FirmwareContext {
  const memo = new Map<string, unknown>();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const regularFiles = () => [...fs.entries()].filter((e) => e.type === 'file');
  return {
    fs,
    label,
    ...(product ? { product } : {}),
    memo<T>(key: string, compute: () => T): T {
      if (!memo.has(key)) memo.set(key, compute());
      return memo.get(key) as T;
    },
    readText(path, maxBytes = MAX_TEXT_BYTES) {
      // Links are followed inside the image (OpenWrt links /etc files into /rom), never on this machine.
      const entry = resolveInImage(fs, path);
      if (!entry || entry.type !== 'file') return undefined;
      try {
        return decoder.decode(fs.read(entry.path, maxBytes));
      } catch (error) {
        if (error instanceof Error && error.name === 'ImageReadError') {
          fs.problems.push({ part: path, reason: error.message });
          return undefined;
        }
        throw error;
      }
    },
    files(match) {
      const all = this.memo('regular-files', regularFiles);
      return all.filter(match);
    },
  };
}
