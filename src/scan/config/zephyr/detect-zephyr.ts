// Tells a Zephyr Kconfig file (.config, prj.conf, sysbuild.conf) from a Linux kernel config, which uses
// the same syntax and even some of the same names (CONFIG_BT_, CONFIG_PRINTK, CONFIG_64BIT on x86_64).
// Only names that exist in Zephyr alone count for it; Linux's header or its own names count against.
import type { ConfigFile } from '../config-kind.ts';
import { isLinuxConfigHeader, isZephyrOnly, LINUX_LEANING_SYMBOLS, LINUX_ONLY_SYMBOLS } from '../kconfig-dialect.ts';

/** Detection reads the start of the file only: the markers show up early, and it must stay cheap. */
const DETECT_LINES = 20_000;
const DETECT_LINE_CHARS = 1024;

const SYMBOL = /^(?:#[ \t]*)?((?:SB_)?CONFIG_[A-Za-z0-9_]+)(?:[ \t]*=| is not set)/;

export function detectZephyr(file: ConfigFile): number {
  const text = file.text.length > 4 * 1024 * 1024 ? file.text.slice(0, 4 * 1024 * 1024) : file.text;
  if (text.includes('\u0000')) return 0;
  let symbols = 0;
  let other = 0;
  let zephyr = 0;
  let linux = 0;
  let linuxLeaning = 0;
  let linuxHeader = false;
  let lineCount = 0;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    if (++lineCount > DETECT_LINES) break;
    const line = raw.slice(0, DETECT_LINE_CHARS).trim();
    if (line === '') continue;
    if (isLinuxConfigHeader(line)) linuxHeader = true;
    const match = SYMBOL.exec(line);
    if (!match) {
      if (!line.startsWith('#')) other++;
      continue;
    }
    symbols++;
    const name = match[1] as string;
    if (isZephyrOnly(name)) zephyr++;
    else if (LINUX_ONLY_SYMBOLS.has(name)) linux++;
    else if (LINUX_LEANING_SYMBOLS.has(name)) linuxLeaning++;
  }
  if (symbols === 0 || linuxHeader) return symbols === 0 ? 0 : 0.05;
  // Mostly something else (a script or a C file that mentions a symbol): not a Kconfig file.
  if (other > symbols) return 0.1;
  if (linux > 0 && linux >= zephyr) return 0.1;
  if (zephyr === 0) return linuxLeaning > 0 ? 0.15 : 0.4;
  return Math.min(0.95, 0.7 + 0.05 * zephyr);
}
