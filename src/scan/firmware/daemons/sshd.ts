// OpenSSH's sshd_config as sshd reads it: keywords are case-insensitive, `Keyword value` or
// `Keyword=value`, the first value of a keyword wins, `Include` splices other files in at that point
// (Debian's `Include /etc/ssh/sshd_config.d/*.conf` comes first so drop-ins override), and `Match` starts
// a block of conditional settings that lasts to the next Match. The block's settings are kept apart:
// they apply only to the connections the criteria select.
import type { FirmwareContext } from '../firmware-check.ts';
import { globMatcher, numberedLines, splitWords } from './config-text.ts';

export const SSHD_CONFIG = '/etc/ssh/sshd_config';
const MAX_INCLUDE_DEPTH = 8;
const MAX_INCLUDED_FILES = 64;

export interface SshdOption {
  /** The keyword as written. */
  keyword: string;
  /** The arguments joined by one space (for lists, the comma-separated list). */
  value: string;
  path: string;
  line: number;
}

export interface SshdMatchBlock {
  criteria: string;
  path: string;
  line: number;
  options: Map<string, SshdOption>;
}

export interface SshdConfig {
  /** Global settings by lower-case keyword: the first one sshd meets. */
  global: Map<string, SshdOption>;
  matches: SshdMatchBlock[];
  /** Every file read, main config first. */
  files: string[];
}

/** Finds the files an Include pattern names: `(pattern) => [{path, text}]`, sorted as glob(3) sorts. */
export type IncludeReader = (pattern: string) => { path: string; text: string }[];

export function parseSshdConfig(text: string, path: string, readInclude: IncludeReader = () => []): SshdConfig {
  const config: SshdConfig = { global: new Map(), matches: [], files: [] };
  let block: SshdMatchBlock | undefined;
  const visit = (fileText: string, filePath: string, depth: number): void => {
    config.files.push(filePath);
    for (const { line, text: raw } of numberedLines(fileText)) {
      const trimmed = raw.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      // `Keyword=value` is allowed: the first '=' (before any space) separates like whitespace does.
      const eq = trimmed.search(/[=\s]/);
      const keyword = eq === -1 ? trimmed : trimmed.slice(0, eq);
      const args = splitWords(eq === -1 ? '' : trimmed.slice(eq + 1).replace(/^[\s=]+/, ''));
      const key = keyword.toLowerCase();
      if (key === 'include') {
        if (depth >= MAX_INCLUDE_DEPTH) continue;
        for (const pattern of args) {
          for (const included of readInclude(pattern)) {
            if (config.files.length >= MAX_INCLUDED_FILES) break;
            visit(included.text, included.path, depth + 1);
          }
        }
        continue;
      }
      if (key === 'match') {
        const criteria = args.join(' ');
        block = criteria.toLowerCase() === 'all' ? undefined : { criteria, path: filePath, line, options: new Map() };
        if (block) config.matches.push(block);
        continue;
      }
      const options = block ? block.options : config.global;
      if (!options.has(key)) options.set(key, { keyword, value: args.join(' '), path: filePath, line });
    }
  };
  visit(text, path, 0);
  return config;
}

/** sshd_config from the image with its includes, or undefined when the image has none. */
export function sshdConfig(context: FirmwareContext): SshdConfig | undefined {
  return context.memo('sshd-config', () => {
    const text = context.readText(SSHD_CONFIG);
    if (text === undefined) return undefined;
    const readInclude: IncludeReader = (pattern) => {
      // Relative includes are taken from /etc/ssh, as sshd does.
      const absolute = pattern.startsWith('/') ? pattern : `/etc/ssh/${pattern}`;
      const slash = absolute.lastIndexOf('/');
      const dir = absolute.slice(0, slash);
      const matches = globMatcher(absolute.slice(slash + 1));
      return context
        .files((e) => e.path.lastIndexOf('/') === slash && e.path.startsWith(`${dir}/`) && matches(e.path.slice(slash + 1)))
        .map((e) => e.path)
        .sort()
        .flatMap((p) => {
          const included = context.readText(p);
          return included === undefined ? [] : [{ path: p, text: included }];
        });
    };
    return parseSshdConfig(text, SSHD_CONFIG, readInclude);
  });
}

/** The global value of a keyword, else sshd's default; with where it was set. */
export function sshdSetting(config: SshdConfig, keyword: string, fallback: string): { value: string; option?: SshdOption } {
  const option = config.global.get(keyword.toLowerCase());
  return option ? { value: option.value.split(' ')[0]?.toLowerCase() ?? '', option } : { value: fallback };
}

/** Match blocks that set a keyword, for findings about settings that apply only to some connections. */
export function sshdMatchSettings(config: SshdConfig, keyword: string): { block: SshdMatchBlock; option: SshdOption }[] {
  const key = keyword.toLowerCase();
  return config.matches.flatMap((block) => {
    const option = block.options.get(key);
    return option ? [{ block, option }] : [];
  });
}
