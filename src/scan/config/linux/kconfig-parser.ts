// Reads a kernel .config as kconfig writes it: "CONFIG_X=value", "# CONFIG_X is not set", and the
// "# Linux/<arch> <version> Kernel Configuration" header. Fragments (defconfigs, *.config snippets)
// read the same way. Lines that fit none of these are skipped, never guessed at.
import { textLines } from './text-lines.ts';

export interface KconfigEntry {
  option: string;
  /** As written: y, m, a number, 0x…, or a quoted string; undefined for "is not set" (and =n). */
  value: string | undefined;
  line: number;
  /** The line itself, for evidence. */
  text: string;
}

export interface KconfigFile {
  /** Last assignment wins, as when kconfig merges fragments. */
  entries: Map<string, KconfigEntry>;
  header?: { arch?: string; version: string; line: number };
  /** Lines that looked like settings but could not be read (overlong, NUL bytes, odd values). */
  unreadable: number[];
}

// Each pattern is anchored and its repeated classes cannot overlap with what follows them, so
// matching is linear in the line length.
const SET = /^CONFIG_([A-Za-z0-9_]{1,200})=(.*)$/;
const NOT_SET = /^# CONFIG_([A-Za-z0-9_]{1,200}) is not set\s*$/;
const HEADER = /^# Linux\/([A-Za-z0-9_-]{1,40}) (\S{1,80}) Kernel Configuration\s*$/;
const OLD_HEADER = /^# Linux kernel version: (\S{1,80})\s*$/;
const VALUE = /^(?:[ymn]|-?\d{1,20}|0[xX][0-9a-fA-F]{1,16}|"(?:[^"\\]|\\.)*")$/;

export function parseKconfig(text: string): KconfigFile {
  const entries = new Map<string, KconfigEntry>();
  const unreadable: number[] = [];
  let header: KconfigFile['header'];
  for (const { number, text: raw, unreadable: bad } of textLines(text)) {
    if (bad) {
      if (unreadable.length < 1000) unreadable.push(number);
      continue;
    }
    const line = raw.trim();
    if (!line) continue;
    const set = SET.exec(line);
    if (set) {
      const value = (set[2] ?? '').trim();
      if (!VALUE.test(value)) {
        if (unreadable.length < 1000) unreadable.push(number);
        continue;
      }
      const option = `CONFIG_${set[1]}`;
      entries.delete(option); // keep file order = order of last assignment
      entries.set(option, { option, value: value === 'n' ? undefined : value, line: number, text: line });
      continue;
    }
    const notSet = NOT_SET.exec(line);
    if (notSet) {
      const option = `CONFIG_${notSet[1]}`;
      entries.delete(option);
      entries.set(option, { option, value: undefined, line: number, text: line });
      continue;
    }
    if (header === undefined && line.startsWith('# Linux')) {
      const h = HEADER.exec(line);
      if (h) header = { arch: h[1], version: h[2] ?? '', line: number };
      else {
        const old = OLD_HEADER.exec(line);
        if (old) header = { version: old[1] ?? '', line: number };
      }
    }
  }
  return { entries, ...(header ? { header } : {}), unreadable };
}

/** Set to anything but "not set". */
export function isSet(file: KconfigFile, option: string): boolean {
  return file.entries.get(option)?.value !== undefined;
}
