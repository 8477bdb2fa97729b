// A CoAP client that only ever asks: confirmable GETs and pings (RFC 7252 sections 4 and 5), over one
// bounded UDP channel. Each request is retransmitted with back-off until answered, within the probe's
// reply deadline (--timeout), not RFC 7252's 247 s. An answer counts only when it matches: an ACK or RST
// must carry the request's message id, a response the request's token (and, piggybacked in an ACK, both).
// Anything else, garbage included, is ignored. Block2 transfers (RFC 7959) are followed up to a bound.
import { randomBytes, randomInt } from 'node:crypto';
import { ProbeError } from '../connection.ts';
import { exchange, type Heard, type UdpChannel } from '../udp.ts';
import {
  type BlockOption,
  blockSize,
  COAP_CODE,
  COAP_OPTION,
  COAP_TYPE,
  type CoapMessage,
  CoapParseError,
  codeText,
  encodeBlockOption,
  encodeCoapMessage,
  isResponseCode,
  optionValues,
  parseBlockOption,
  parseCoapMessage,
  uintOption,
  uriPathOptions,
} from './message.ts';

export type RequestOutcome = { kind: 'response'; message: CoapMessage; separate: boolean } | { kind: 'reset' };

export interface FetchBounds {
  /** Most payload bytes gathered over all blocks. */
  maxBytes: number;
  /** Most blocks asked for. */
  maxBlocks: number;
  /** Block size exponent asked for from the first request (early negotiation); none lets the server choose. */
  szx?: number;
  /** Milliseconds for the whole transfer, every block included. */
  totalMs: number;
}

export interface Fetched {
  /** The response code of the first (or only) answer; undefined when the server answered with RST. */
  code?: number;
  contentFormat?: number;
  payload: Buffer;
  /** Blocks received (0 for an answer without Block2). */
  blocks: number;
  /** The block size the server used, in bytes. */
  blockSize?: number;
  /** Why the transfer stopped before the last block, when it did. */
  truncated?: string;
  /** True when the first answer came as a separate response after an empty ACK. */
  separate: boolean;
}

export function pathText(segments: string[]): string {
  return `/${segments.join('/')}`;
}

export class CoapClient {
  /** Datagrams sent by this client (retransmissions and ACKs included). */
  transmissions = 0;
  /** Datagrams that were not CoAP at all. */
  garbage = 0;

  private readonly channel: UdpChannel;
  private readonly timeoutMs: number;
  private nextId: number;

  constructor(channel: UdpChannel, timeoutMs: number) {
    this.channel = channel;
    this.timeoutMs = timeoutMs;
    this.nextId = randomInt(0x10000);
  }

  private messageId(): number {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    return id;
  }

  private parse(datagram: Buffer): CoapMessage | undefined {
    try {
      return parseCoapMessage(datagram);
    } catch (error) {
      if (!(error instanceof CoapParseError)) throw error;
      this.garbage++;
      return undefined;
    }
  }

  /** An empty confirmable message: a CoAP endpoint answers it with RST (RFC 7252 section 4.3). True when it did. */
  async ping(timeoutMs = this.timeoutMs): Promise<boolean> {
    const messageId = this.messageId();
    const ping = encodeCoapMessage({
      type: COAP_TYPE.confirmable,
      code: COAP_CODE.empty,
      messageId,
      token: Buffer.alloc(0),
      options: [],
      payload: Buffer.alloc(0),
    });
    const result = await exchange(
      this.channel,
      () => ping,
      (datagram): Heard<true> => {
        const m = this.parse(datagram);
        if (m && m.messageId === messageId && (m.type === COAP_TYPE.reset || m.type === COAP_TYPE.acknowledgement)) return { answer: true };
        return undefined;
      },
      timeoutMs,
    );
    this.transmissions += result.transmissions;
    return result.answer === true;
  }

  /** One confirmable GET; rejects with a timeout ProbeError when nothing matching came in time. */
  async get(path: string[], block2?: BlockOption, timeoutMs = this.timeoutMs): Promise<RequestOutcome> {
    const messageId = this.messageId();
    const token = randomBytes(8);
    const options = [...uriPathOptions(path), ...(block2 ? [{ number: COAP_OPTION.block2, value: encodeBlockOption(block2) }] : [])];
    const request = encodeCoapMessage({
      type: COAP_TYPE.confirmable,
      code: COAP_CODE.get,
      messageId,
      token,
      options,
      payload: Buffer.alloc(0),
    });
    const result = await exchange(
      this.channel,
      () => request,
      (datagram) => this.match(datagram, messageId, token),
      timeoutMs,
    );
    this.transmissions += result.transmissions;
    const outcome = result.answer;
    if (!outcome) {
      const what = `GET ${pathText(path)}`;
      throw new ProbeError(
        'timeout',
        result.acknowledged
          ? `${what} was acknowledged but no response came within ${timeoutMs} ms`
          : `no answer to ${what} within ${timeoutMs} ms (${result.transmissions} transmission${result.transmissions === 1 ? '' : 's'})`,
      );
    }
    // A confirmable separate response wants an empty ACK (RFC 7252 section 5.2.2); nothing else is sent.
    if (outcome.kind === 'response' && outcome.message.type === COAP_TYPE.confirmable) {
      await this.channel.send(
        encodeCoapMessage({
          type: COAP_TYPE.acknowledgement,
          code: COAP_CODE.empty,
          messageId: outcome.message.messageId,
          token: Buffer.alloc(0),
          options: [],
          payload: Buffer.alloc(0),
        }),
      );
      this.transmissions++;
    }
    return outcome;
  }

  private match(datagram: Buffer, messageId: number, token: Buffer): Heard<RequestOutcome> {
    const m = this.parse(datagram);
    if (!m) return undefined;
    if (m.messageId === messageId && m.type === COAP_TYPE.reset && m.code === COAP_CODE.empty) return { answer: { kind: 'reset' } };
    if (m.messageId === messageId && m.type === COAP_TYPE.acknowledgement) {
      if (m.code === COAP_CODE.empty) return { acknowledged: true };
      if (isResponseCode(m.code) && m.token.equals(token)) return { answer: { kind: 'response', message: m, separate: false } };
      return undefined;
    }
    if ((m.type === COAP_TYPE.confirmable || m.type === COAP_TYPE.nonConfirmable) && isResponseCode(m.code) && m.token.equals(token)) {
      return { answer: { kind: 'response', message: m, separate: true } };
    }
    return undefined;
  }

  /**
   * GET a resource, following Block2 until the last block or a bound: `maxBytes`, `maxBlocks`, `totalMs`.
   * A transfer cut short keeps what came and says why in `truncated`. Rejects only when the first request
   * gets no answer (or the channel fails).
   */
  async fetch(path: string[], bounds: FetchBounds): Promise<Fetched> {
    const started = Date.now();
    const chunks: Buffer[] = [];
    let total = 0;
    let blocks = 0;
    let szx = bounds.szx;
    let etag: Buffer | undefined;
    const result: Fetched = { payload: Buffer.alloc(0), blocks: 0, separate: false };
    const done = (truncated?: string): Fetched => {
      result.payload = Buffer.concat(chunks);
      result.blocks = blocks;
      if (truncated) result.truncated = truncated;
      return result;
    };
    for (;;) {
      const left = bounds.totalMs - (Date.now() - started);
      if (blocks > 0 && left <= 0) return done(`the transfer took longer than ${bounds.totalMs} ms`);
      let outcome: RequestOutcome;
      try {
        const block = szx !== undefined ? { num: total / blockSize(szx), more: false, szx } : undefined;
        outcome = await this.get(path, block, blocks > 0 ? Math.min(this.timeoutMs, left) : this.timeoutMs);
      } catch (error) {
        if (blocks === 0 || !(error instanceof ProbeError) || error.kind !== 'timeout') throw error;
        return done(error.message);
      }
      if (outcome.kind === 'reset') {
        if (blocks > 0) return done(`the server reset the request for block ${blocks}`);
        return done();
      }
      const m = outcome.message;
      if (blocks === 0) {
        result.code = m.code;
        result.separate = outcome.separate;
        const format = optionValues(m, COAP_OPTION.contentFormat)[0];
        try {
          if (format) result.contentFormat = uintOption(format);
        } catch {
          // a Content-Format option of more than 4 bytes: left unsaid
        }
      } else if (m.code !== COAP_CODE.content) {
        return done(`block ${blocks} was answered ${codeText(m.code)}`);
      }
      const blockValue = optionValues(m, COAP_OPTION.block2)[0];
      if (blockValue === undefined || m.code !== COAP_CODE.content) {
        if (blocks > 0) return done('a block came without its Block2 option');
        chunks.push(m.payload.subarray(0, bounds.maxBytes));
        return done(m.payload.length > bounds.maxBytes ? `the answer is longer than ${bounds.maxBytes} bytes` : undefined);
      }
      let block: BlockOption;
      try {
        block = parseBlockOption(blockValue);
      } catch (error) {
        if (!(error instanceof CoapParseError)) throw error;
        if (blocks === 0) chunks.push(m.payload.subarray(0, bounds.maxBytes));
        return done(`unreadable Block2 option: ${error.message}`);
      }
      const size = blockSize(block.szx);
      if (block.num * size !== total) return done(`the server sent block ${block.num} of ${size} bytes when ${total} bytes had arrived`);
      if (block.more && m.payload.length !== size) return done(`block ${block.num} holds ${m.payload.length} bytes, not ${size}`);
      if (!block.more && m.payload.length > size) return done(`the last block holds ${m.payload.length} bytes, more than ${size}`);
      const tag = optionValues(m, COAP_OPTION.etag)[0];
      if (blocks > 0 && etag && tag && !tag.equals(etag)) return done('the resource changed during the transfer (its ETag changed)');
      etag ??= tag;
      const room = bounds.maxBytes - total;
      chunks.push(m.payload.subarray(0, room));
      total += Math.min(room, m.payload.length);
      blocks++;
      result.blockSize = size;
      if (!block.more) return done();
      if (total >= bounds.maxBytes) return done(`stopped after ${bounds.maxBytes} bytes`);
      if (blocks >= bounds.maxBlocks) return done(`stopped after ${bounds.maxBlocks} blocks`);
      szx = block.szx;
    }
  }
}
