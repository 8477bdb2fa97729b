// The telnet byte stream (RFC 854/855): data interleaved with IAC commands. The decoder separates the
// two across chunk boundaries; the probe then refuses every option (DO → WONT, WILL → DONT), which keeps
// the session a plain network virtual terminal and cannot loop (RFC 1143: refusals are never answered).
// A peer can send anything: the only error raised is TelnetStreamError, for an oversized subnegotiation.

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

export class TelnetStreamError extends Error {
  override readonly name = 'TelnetStreamError';
}

export type Verb = 'DO' | 'DONT' | 'WILL' | 'WONT';

export interface Negotiation {
  verb: Verb;
  option: number;
}

export interface Decoded {
  /** Data bytes, with IAC IAC undone and CR NUL read as CR. */
  data: Buffer;
  negotiations: Negotiation[];
  /** Options of completed subnegotiations (their content is not needed). */
  subnegotiations: number[];
}

const VERBS: Record<number, Verb> = { [DO]: 'DO', [DONT]: 'DONT', [WILL]: 'WILL', [WONT]: 'WONT' };

/** Longest subnegotiation accepted; real ones (terminal type, window size) are a few bytes. */
export const MAX_SUBNEGOTIATION = 1024;

type State = 'data' | 'cr' | 'iac' | 'verb' | 'sb-option' | 'sb' | 'sb-iac';

export class TelnetDecoder {
  private state: State = 'data';
  private verb: Verb = 'DO';
  private sbOption = 0;
  private sbLength = 0;

  feed(chunk: Buffer): Decoded {
    const data: number[] = [];
    const negotiations: Negotiation[] = [];
    const subnegotiations: number[] = [];
    for (const byte of chunk) {
      switch (this.state) {
        case 'data':
        case 'cr':
          if (byte === IAC) this.state = 'iac';
          else {
            // CR NUL is a bare carriage return (RFC 854); drop the NUL.
            if (!(this.state === 'cr' && byte === 0)) data.push(byte);
            this.state = byte === 0x0d ? 'cr' : 'data';
          }
          break;
        case 'iac':
          if (byte === IAC) {
            data.push(IAC);
            this.state = 'data';
          } else if (VERBS[byte]) {
            this.verb = VERBS[byte];
            this.state = 'verb';
          } else if (byte === SB) this.state = 'sb-option';
          else this.state = 'data'; // NOP, GA, AYT and the rest carry nothing the probe needs
          break;
        case 'verb':
          negotiations.push({ verb: this.verb, option: byte });
          this.state = 'data';
          break;
        case 'sb-option':
          this.sbOption = byte;
          this.sbLength = 0;
          this.state = 'sb';
          break;
        case 'sb':
          if (byte === IAC) this.state = 'sb-iac';
          else this.grow();
          break;
        case 'sb-iac':
          if (byte === SE) {
            subnegotiations.push(this.sbOption);
            this.state = 'data';
          } else {
            // IAC IAC inside is a data byte; anything else is malformed, read leniently as more content.
            this.grow();
            this.state = 'sb';
          }
          break;
      }
    }
    return { data: Buffer.from(data), negotiations, subnegotiations };
  }

  private grow(): void {
    if (++this.sbLength > MAX_SUBNEGOTIATION) {
      throw new TelnetStreamError(`subnegotiation of option ${this.sbOption} longer than ${MAX_SUBNEGOTIATION} bytes`);
    }
  }
}

/** The refusal of each request: WONT for DO, DONT for WILL; nothing for DONT and WONT. */
export function refusals(negotiations: readonly Negotiation[]): Buffer {
  const bytes: number[] = [];
  for (const { verb, option } of negotiations) {
    if (verb === 'DO') bytes.push(IAC, WONT, option);
    else if (verb === 'WILL') bytes.push(IAC, DONT, option);
  }
  return Buffer.from(bytes);
}

/** Data as the NVT sends it: IAC doubled, CR LF line ends. */
export function encodeLine(text: string): Buffer {
  const bytes = Buffer.from(`${text}\r\n`, 'latin1');
  const out: number[] = [];
  for (const b of bytes) {
    out.push(b);
    if (b === IAC) out.push(IAC);
  }
  return Buffer.from(out);
}
