// Splits configuration text into numbered lines without regular expressions, so hostile input costs
// linear time. "\n" and "\r\n" end a line; a line longer than any real setting is flagged, not parsed.

/** Longer than any line kconfig, a bootloader or sysctl writes (kconfig strings stay well under this). */
export const MAX_LINE_CHARS = 16 * 1024;

export interface TextLine {
  /** 1-based. */
  number: number;
  text: string;
  /** Too long to be a real setting, or carrying a NUL byte: callers skip it. */
  unreadable: boolean;
}

export function* textLines(text: string): Generator<TextLine> {
  let start = 0;
  let number = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const length = lineEnd - start;
    if (length > MAX_LINE_CHARS) {
      yield { number, text: '', unreadable: true };
    } else {
      const line = text.slice(start, lineEnd);
      yield { number, text: line, unreadable: line.includes('\0') };
    }
    if (end === text.length) break;
    start = end + 1;
    number++;
  }
}
