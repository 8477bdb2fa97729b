// FTP replies (RFC 959 section 4.2): a three-digit code and text, on one line ("220 Ready") or several
// ("211-Features:" ... "211 End"). parseFtpReply finds one complete reply at the front of a buffer;
// anything that is not a reply, or a reply too long to be one, raises FtpReplyError and nothing else.

export class FtpReplyError extends Error {
  override readonly name = 'FtpReplyError';
}

export interface FtpReply {
  code: number;
  /** The text of each line, without the code and separator of the first and last lines. */
  lines: string[];
}

/** Longest reply accepted, in bytes (a FEAT list is a few hundred). */
export const MAX_REPLY_BYTES = 16 * 1024;
const MAX_LINES = 256;

const FIRST_LINE = /^([1-5]\d\d)([ -]|$)(.*)$/s;

/**
 * The reply at the front of `buffer` and its length in bytes, or undefined while it is incomplete.
 * Lines end in LF (CR LF expected; a bare LF is tolerated). Text is read as Latin-1.
 */
export function parseFtpReply(buffer: Buffer, maxBytes = MAX_REPLY_BYTES): { reply: FtpReply; length: number } | undefined {
  let offset = 0;
  let code: string | undefined;
  const lines: string[] = [];
  for (;;) {
    const end = buffer.indexOf(0x0a, offset);
    if (end < 0) {
      if (buffer.length > maxBytes) throw new FtpReplyError(`reply longer than ${maxBytes} bytes`);
      return undefined;
    }
    if (end + 1 > maxBytes) throw new FtpReplyError(`reply longer than ${maxBytes} bytes`);
    const line = buffer.subarray(offset, end).toString('latin1').replace(/\r$/, '');
    offset = end + 1;
    if (code === undefined) {
      const first = FIRST_LINE.exec(line);
      if (!first) throw new FtpReplyError(`not an FTP reply: "${line.slice(0, 60)}"`);
      code = first[1] as string;
      lines.push(first[3] ?? '');
      if (first[2] !== '-') return { reply: { code: Number(code), lines }, length: offset };
      continue;
    }
    // The last line repeats the code followed by a space (or nothing); other lines are free text.
    if (line.startsWith(code) && (line.length === 3 || line[3] === ' ')) {
      lines.push(line.slice(4));
      return { reply: { code: Number(code), lines }, length: offset };
    }
    if (lines.length >= MAX_LINES) throw new FtpReplyError(`reply has more than ${MAX_LINES} lines`);
    lines.push(line);
  }
}

/** A reply as one line of text for messages: "220 (vsFTPd 3.0.3)". */
export function replyText(reply: FtpReply): string {
  return `${reply.code} ${reply.lines.join(' | ')}`.trim();
}
