// LZMA and LZMA2 decoding, written from the LZMA specification (Igor Pavlov's LzmaSpec) because no
// maintained pure-JavaScript decoder offers a synchronous, bounded API. Used by the .lzma ("LZMA alone")
// format, by squashfs's lzma compressor (the same format with the size filled in) and by xz (LZMA2).
//
// Hostile input: every distance is checked against the bytes decoded since the last dictionary reset,
// every input read against the end of the input, and output only goes where `Output.ensure` made room,
// so a decode ends in a result or an ImageReadError, in time linear in input plus output.
import { corrupt, expandsBeyond, Output, truncated } from './output.ts';

const NUM_STATES = 12;
const IS_MATCH = 0;
const IS_REP = IS_MATCH + (NUM_STATES << 4);
const IS_REP_G0 = IS_REP + NUM_STATES;
const IS_REP_G1 = IS_REP_G0 + NUM_STATES;
const IS_REP_G2 = IS_REP_G1 + NUM_STATES;
const IS_REP0_LONG = IS_REP_G2 + NUM_STATES;
const POS_SLOT = IS_REP0_LONG + (NUM_STATES << 4);
const SPEC_POS = POS_SLOT + (4 << 6);
const ALIGN = SPEC_POS + 115;
const LEN_CODER = ALIGN + 16;
const LEN_SIZE = 2 + 128 + 128 + 256;
const REP_LEN_CODER = LEN_CODER + LEN_SIZE;
const LITERAL = REP_LEN_CODER + LEN_SIZE;
const PROB_INIT = 1024;
/** Output bytes decoded per decode() call, at most (see decodeTo). */
const SLICE = 16 << 10;
// The range decoder's range and code are unsigned 32-bit values kept in int32 variables (so the JIT keeps
// them in registers); unsigned comparisons flip the sign bit first, and "range < 2^24" is a mask test.
//
// Bits whose value only picks the next probability (literals, length and distance trees, reverse and
// direct bits) are decoded without a branch: those bits are close to random, and a mispredicted branch per
// bit costs more than the arithmetic. For a bit with probability p and bound = (range >>> 11) * p:
// - the bit is 0 when code < bound (unsigned). With code, bound < 2^32 (bound + 1 too: p <= 2017),
//   (code >>> 1) - ((bound + (~code & 1)) >>> 1) is floor((code - bound) / 2), which fits in an int32, so
//   its sign, spread by >> 31, gives the mask b: -1 for a 0 bit, 0 for a 1 bit;
// - range becomes bound (0) or range - bound (1); code keeps its value (0) or loses bound (1);
// - p + ((2048 - p) >>> 5) (0) and p - (p >>> 5) (1) are both p - ((p - (b & 2017)) >> 5), as
//   floor((2048 - p) / 32) = -floor((p - 2017) / 32);
// - a tree index m becomes 2m + bit = (m << 1) + 1 + b.
// In a bit tree, both children's probabilities are loaded before the bit is known and the one it picks is
// kept (p1 ^ ((p0 ^ p1) & b)), so the next bit does not wait for a load. The children of a tree's last
// level lie past the tree, still inside the probability array (the layout above is followed by at least
// 0x300 literal probabilities), and what is read there is never used.
const SIGN = -0x80000000;
const TOP_MASK = 0xff000000 | 0;

export interface LzmaProps {
  lc: number;
  lp: number;
  pb: number;
}

export function parseLzmaProps(codec: string, byte: number): LzmaProps {
  if (byte >= 9 * 5 * 5) throw corrupt(codec, 'invalid properties byte');
  const lc = byte % 9;
  const rest = Math.floor(byte / 9);
  return { lc, lp: rest % 5, pb: Math.floor(rest / 5) };
}

export class LzmaDecoder {
  private probs = new Uint16Array(0);
  private lc = 0;
  private lpMask = 0;
  private pbMask = 0;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  /** Bytes of a match still to copy when the last decode stopped at its limit (LZMA2 chunk boundaries). */
  pendingLen = 0;
  /** Output position of the last dictionary reset: no match may reach before it. */
  dictStart = 0;

  private input: Uint8Array = new Uint8Array(0);
  private ip = 0;
  private inEnd = 0;
  /** Unsigned 32-bit range, as int32. */
  private range = 0;
  /** Unsigned 32-bit code, as int32. */
  private code = 0;

  private readonly out: Output;
  private readonly codec: string;

  constructor(out: Output, codec: string) {
    this.out = out;
    this.codec = codec;
    this.dictStart = out.pos;
  }

  setProps(props: LzmaProps): void {
    this.lc = props.lc;
    this.lpMask = (1 << props.lp) - 1;
    this.pbMask = (1 << props.pb) - 1;
    const size = LITERAL + (0x300 << (props.lc + props.lp));
    if (this.probs.length !== size) this.probs = new Uint16Array(size);
  }

  resetState(): void {
    this.probs.fill(PROB_INIT);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
    this.pendingLen = 0;
  }

  resetDictionary(): void {
    this.dictStart = this.out.pos;
    this.pendingLen = 0;
  }

  /** Starts the range decoder on input[start, end). */
  initRange(input: Uint8Array, start: number, end: number): void {
    if (end - start < 5) throw truncated(this.codec);
    if (input[start] !== 0) throw corrupt(this.codec, 'range coder does not start with 0');
    this.input = input;
    this.code =
      ((input[start + 1] as number) << 24) |
      ((input[start + 2] as number) << 16) |
      ((input[start + 3] as number) << 8) |
      (input[start + 4] as number);
    this.range = -1;
    if (this.code === this.range) throw corrupt(this.codec, 'range coder');
    this.ip = start + 5;
    this.inEnd = end;
  }

  /** Input position after the bytes the range decoder has consumed. */
  get inputPos(): number {
    return this.ip;
  }

  /** Copies up to len bytes from `distance` back, stopping at limit; returns the new position. */
  private copyMatch(buf: Uint8Array, pos: number, limit: number, distance: number, len: number): number {
    const n = Math.min(len, limit - pos);
    let src = pos - distance;
    if (distance >= n) {
      if (n > 8) buf.copyWithin(pos, src, src + n);
      else for (let k = 0; k < n; k++) buf[pos + k] = buf[src + k] as number;
    } else {
      const end = pos + n;
      for (let q = pos; q < end; q++) buf[q] = buf[src++] as number;
    }
    this.pendingLen = len - n;
    return pos + n;
  }

  /**
   * decode() in slices of at most SLICE bytes of output, with the same result: a slice ends where decode()
   * would have gone on (a match running past it is finished by the next slice), so only the number of
   * calls differs. V8 compiles a function's optimized entry by how often it is called: decoding a block in
   * one call would keep a fresh thread in the slower on-stack-replacement code for its first hundred or so
   * blocks.
   */
  decodeTo(limit: number, allowEndMarker: boolean): boolean {
    const out = this.out;
    while (out.pos < limit) if (this.decode(Math.min(limit, out.pos + SLICE), allowEndMarker)) return true;
    return false;
  }

  /**
   * Decodes until the output reaches `limit` (the caller has ensured room for it) or an end marker; returns
   * true at an end marker. A match running past `limit` is left in `pendingLen`.
   *
   * One function with the range decoder, the state and the distances in local variables, and every bit
   * decode written out, because this loop is where xz and lzma images spend their time. Bits that steer
   * the decoding (match or literal, which repeat, length choice) take a branch; the others are branchless
   * (see the note at the top).
   */
  decode(limit: number, allowEndMarker: boolean): boolean {
    const out = this.out;
    const buf = out.buf;
    if (limit > buf.length) throw new RangeError('lzma: decode limit beyond ensured output');
    const probs = this.probs;
    const input = this.input;
    const inEnd = this.inEnd;
    const lc = this.lc;
    const lpMask = this.lpMask;
    const pbMask = this.pbMask;
    const dictStart = this.dictStart;
    let pos = out.pos;
    if (this.pendingLen > 0) pos = this.copyMatch(buf, pos, limit, this.rep0 + 1, this.pendingLen);
    let range = this.range;
    let code = this.code;
    let ip = this.ip;
    let state = this.state;
    let rep0 = this.rep0;
    let rep1 = this.rep1;
    let rep2 = this.rep2;
    let rep3 = this.rep3;
    // Scratch for the bit decodes: probability index, probability, bound, bit (a 0/1 bit, or in the
    // branchless decodes the mask: -1 for a 0 bit, 0 for a 1 bit).
    let i: number;
    let p: number;
    let bound: number;
    let b: number;
    while (pos < limit) {
      const posState = (pos - dictStart) & pbMask;
      i = IS_MATCH + (state << 4) + posState;
      p = probs[i] as number;
      bound = Math.imul(range >>> 11, p);
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound;
        probs[i] = p + ((2048 - p) >>> 5);
        b = 0;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[i] = p - (p >>> 5);
        b = 1;
      }
      if ((range & TOP_MASK) === 0) {
        if (ip >= inEnd) throw truncated(this.codec);
        range <<= 8;
        code = (code << 8) | (input[ip++] as number);
      }
      if (b === 0) {
        const prev = pos > dictStart ? (buf[pos - 1] as number) : 0;
        const base = LITERAL + 0x300 * ((((pos - dictStart) & lpMask) << lc) + (prev >>> (8 - lc)));
        let symbol = 1;
        if (state >= 7) {
          // After a match, the byte at rep0 steers the probabilities: offs is 0x100 while the bits decoded
          // equal the match byte's, and 0 from the first that differs on (the plain literal's probabilities).
          if (rep0 >= pos - dictStart) throw corrupt(this.codec, 'match distance beyond the dictionary');
          let matchByte = buf[pos - rep0 - 1] as number;
          let offs = 0x100;
          do {
            matchByte <<= 1;
            i = base + offs + (matchByte & offs) + symbol;
            p = probs[i] as number;
            bound = Math.imul(range >>> 11, p);
            b = ((code >>> 1) - ((bound + (~code & 1)) >>> 1)) >> 31;
            range = (bound & b) | ((range - bound) & ~b);
            code = (code - (bound & ~b)) | 0;
            probs[i] = p - ((p - (b & 2017)) >> 5);
            symbol = (symbol << 1) + 1 + b;
            offs &= matchByte ^ b;
            if ((range & TOP_MASK) === 0) {
              if (ip >= inEnd) throw truncated(this.codec);
              range <<= 8;
              code = (code << 8) | (input[ip++] as number);
            }
          } while (symbol < 0x100);
        } else {
          p = probs[base + 1] as number;
          do {
            i = base + symbol;
            const p0 = probs[i + symbol] as number;
            const p1 = probs[i + symbol + 1] as number;
            bound = Math.imul(range >>> 11, p);
            b = ((code >>> 1) - ((bound + (~code & 1)) >>> 1)) >> 31;
            range = (bound & b) | ((range - bound) & ~b);
            code = (code - (bound & ~b)) | 0;
            probs[i] = p - ((p - (b & 2017)) >> 5);
            symbol = (symbol << 1) + 1 + b;
            p = p1 ^ ((p0 ^ p1) & b);
            if ((range & TOP_MASK) === 0) {
              if (ip >= inEnd) throw truncated(this.codec);
              range <<= 8;
              code = (code << 8) | (input[ip++] as number);
            }
          } while (symbol < 0x100);
        }
        buf[pos++] = symbol & 0xff;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let lenCoder: number;
      i = IS_REP + state;
      p = probs[i] as number;
      bound = Math.imul(range >>> 11, p);
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound;
        probs[i] = p + ((2048 - p) >>> 5);
        b = 0;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[i] = p - (p >>> 5);
        b = 1;
      }
      if ((range & TOP_MASK) === 0) {
        if (ip >= inEnd) throw truncated(this.codec);
        range <<= 8;
        code = (code << 8) | (input[ip++] as number);
      }
      if (b !== 0) {
        i = IS_REP_G0 + state;
        p = probs[i] as number;
        bound = Math.imul(range >>> 11, p);
        if ((code ^ SIGN) < (bound ^ SIGN)) {
          range = bound;
          probs[i] = p + ((2048 - p) >>> 5);
          b = 0;
        } else {
          range = (range - bound) | 0;
          code = (code - bound) | 0;
          probs[i] = p - (p >>> 5);
          b = 1;
        }
        if ((range & TOP_MASK) === 0) {
          if (ip >= inEnd) throw truncated(this.codec);
          range <<= 8;
          code = (code << 8) | (input[ip++] as number);
        }
        if (b === 0) {
          i = IS_REP0_LONG + (state << 4) + posState;
          p = probs[i] as number;
          bound = Math.imul(range >>> 11, p);
          if ((code ^ SIGN) < (bound ^ SIGN)) {
            range = bound;
            probs[i] = p + ((2048 - p) >>> 5);
            b = 0;
          } else {
            range = (range - bound) | 0;
            code = (code - bound) | 0;
            probs[i] = p - (p >>> 5);
            b = 1;
          }
          if ((range & TOP_MASK) === 0) {
            if (ip >= inEnd) throw truncated(this.codec);
            range <<= 8;
            code = (code << 8) | (input[ip++] as number);
          }
          if (b === 0) {
            // Short repeat: one byte from rep0.
            if (rep0 >= pos - dictStart) throw corrupt(this.codec, 'match distance beyond the dictionary');
            state = state < 7 ? 9 : 11;
            buf[pos] = buf[pos - rep0 - 1] as number;
            pos++;
            continue;
          }
        } else {
          let dist: number;
          i = IS_REP_G1 + state;
          p = probs[i] as number;
          bound = Math.imul(range >>> 11, p);
          if ((code ^ SIGN) < (bound ^ SIGN)) {
            range = bound;
            probs[i] = p + ((2048 - p) >>> 5);
            b = 0;
          } else {
            range = (range - bound) | 0;
            code = (code - bound) | 0;
            probs[i] = p - (p >>> 5);
            b = 1;
          }
          if ((range & TOP_MASK) === 0) {
            if (ip >= inEnd) throw truncated(this.codec);
            range <<= 8;
            code = (code << 8) | (input[ip++] as number);
          }
          if (b === 0) {
            dist = rep1;
          } else {
            i = IS_REP_G2 + state;
            p = probs[i] as number;
            bound = Math.imul(range >>> 11, p);
            if ((code ^ SIGN) < (bound ^ SIGN)) {
              range = bound;
              probs[i] = p + ((2048 - p) >>> 5);
              b = 0;
            } else {
              range = (range - bound) | 0;
              code = (code - bound) | 0;
              probs[i] = p - (p >>> 5);
              b = 1;
            }
            if ((range & TOP_MASK) === 0) {
              if (ip >= inEnd) throw truncated(this.codec);
              range <<= 8;
              code = (code << 8) | (input[ip++] as number);
            }
            if (b === 0) {
              dist = rep2;
            } else {
              dist = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = dist;
        }
        state = state < 7 ? 8 : 11;
        lenCoder = REP_LEN_CODER;
      } else {
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        state = state < 7 ? 7 : 10;
        lenCoder = LEN_CODER;
      }
      // Length: choice bits, then a 3-bit (low, mid) or 8-bit (high) tree.
      let treeBase: number;
      let treeTop: number;
      let len: number;
      i = lenCoder;
      p = probs[i] as number;
      bound = Math.imul(range >>> 11, p);
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound;
        probs[i] = p + ((2048 - p) >>> 5);
        b = 0;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[i] = p - (p >>> 5);
        b = 1;
      }
      if ((range & TOP_MASK) === 0) {
        if (ip >= inEnd) throw truncated(this.codec);
        range <<= 8;
        code = (code << 8) | (input[ip++] as number);
      }
      if (b === 0) {
        treeBase = lenCoder + 2 + (posState << 3);
        treeTop = 8;
        len = 0;
      } else {
        i = lenCoder + 1;
        p = probs[i] as number;
        bound = Math.imul(range >>> 11, p);
        if ((code ^ SIGN) < (bound ^ SIGN)) {
          range = bound;
          probs[i] = p + ((2048 - p) >>> 5);
          b = 0;
        } else {
          range = (range - bound) | 0;
          code = (code - bound) | 0;
          probs[i] = p - (p >>> 5);
          b = 1;
        }
        if ((range & TOP_MASK) === 0) {
          if (ip >= inEnd) throw truncated(this.codec);
          range <<= 8;
          code = (code << 8) | (input[ip++] as number);
        }
        if (b === 0) {
          treeBase = lenCoder + 130 + (posState << 3);
          treeTop = 8;
          len = 8;
        } else {
          treeBase = lenCoder + 258;
          treeTop = 256;
          len = 16;
        }
      }
      let m = 1;
      p = probs[treeBase + 1] as number;
      do {
        i = treeBase + m;
        const p0 = probs[i + m] as number;
        const p1 = probs[i + m + 1] as number;
        bound = Math.imul(range >>> 11, p);
        b = ((code >>> 1) - ((bound + (~code & 1)) >>> 1)) >> 31;
        range = (bound & b) | ((range - bound) & ~b);
        code = (code - (bound & ~b)) | 0;
        probs[i] = p - ((p - (b & 2017)) >> 5);
        m = (m << 1) + 1 + b;
        p = p1 ^ ((p0 ^ p1) & b);
        if ((range & TOP_MASK) === 0) {
          if (ip >= inEnd) throw truncated(this.codec);
          range <<= 8;
          code = (code << 8) | (input[ip++] as number);
        }
      } while (m < treeTop);
      len += m - treeTop;
      if (lenCoder === LEN_CODER) {
        // Distance: a 6-bit slot, then (reversed) tree bits, or direct bits and 4 aligned tree bits.
        const slotBase = POS_SLOT + ((len < 3 ? len : 3) << 6);
        m = 1;
        p = probs[slotBase + 1] as number;
        do {
          i = slotBase + m;
          const p0 = probs[i + m] as number;
          const p1 = probs[i + m + 1] as number;
          bound = Math.imul(range >>> 11, p);
          b = ((code >>> 1) - ((bound + (~code & 1)) >>> 1)) >> 31;
          range = (bound & b) | ((range - bound) & ~b);
          code = (code - (bound & ~b)) | 0;
          probs[i] = p - ((p - (b & 2017)) >> 5);
          m = (m << 1) + 1 + b;
          p = p1 ^ ((p0 ^ p1) & b);
          if ((range & TOP_MASK) === 0) {
            if (ip >= inEnd) throw truncated(this.codec);
            range <<= 8;
            code = (code << 8) | (input[ip++] as number);
          }
        } while (m < 64);
        const slot = m - 64;
        if (slot < 4) {
          rep0 = slot;
        } else {
          const numDirect = (slot >>> 1) - 1;
          let dist = ((2 | (slot & 1)) << numDirect) >>> 0;
          let reverseBase: number;
          let reverseBits: number;
          if (slot < 14) {
            reverseBase = SPEC_POS + dist - slot;
            reverseBits = numDirect;
          } else {
            // Direct bits (probability one half): range halves, and as then code <= 2 * range and
            // range < 2^31, code - range (mod 2^32) has its top bit set exactly when code < range, a 0 bit.
            let direct = 0;
            for (let k = numDirect - 4; k > 0; k--) {
              range = range >>> 1;
              code = (code - range) | 0;
              b = code >> 31;
              code = (code + (range & b)) | 0;
              direct = (direct << 1) + 1 + b;
              if ((range & TOP_MASK) === 0) {
                if (ip >= inEnd) throw truncated(this.codec);
                range <<= 8;
                code = (code << 8) | (input[ip++] as number);
              }
            }
            dist += direct * 16;
            reverseBase = ALIGN;
            reverseBits = 4;
          }
          m = 1;
          let reversed = 0;
          for (let k = 0; k < reverseBits; k++) {
            i = reverseBase + m;
            p = probs[i] as number;
            bound = Math.imul(range >>> 11, p);
            b = ((code >>> 1) - ((bound + (~code & 1)) >>> 1)) >> 31;
            range = (bound & b) | ((range - bound) & ~b);
            code = (code - (bound & ~b)) | 0;
            probs[i] = p - ((p - (b & 2017)) >> 5);
            m = (m << 1) + 1 + b;
            reversed |= (1 + b) << k;
            if ((range & TOP_MASK) === 0) {
              if (ip >= inEnd) throw truncated(this.codec);
              range <<= 8;
              code = (code << 8) | (input[ip++] as number);
            }
          }
          rep0 = dist + reversed;
          if (rep0 === 0xffffffff) {
            if (!allowEndMarker) throw corrupt(this.codec, 'unexpected end marker');
            this.range = range;
            this.code = code;
            this.ip = ip;
            this.state = state;
            this.rep0 = rep0;
            this.rep1 = rep1;
            this.rep2 = rep2;
            this.rep3 = rep3;
            out.pos = pos;
            return true;
          }
        }
      }
      if (rep0 >= pos - dictStart) throw corrupt(this.codec, 'match distance beyond the dictionary');
      this.rep0 = rep0;
      pos = this.copyMatch(buf, pos, limit, rep0 + 1, len + 2);
    }
    this.range = range;
    this.code = code;
    this.ip = ip;
    this.state = state;
    this.rep0 = rep0;
    this.rep1 = rep1;
    this.rep2 = rep2;
    this.rep3 = rep3;
    out.pos = pos;
    return false;
  }
}

function le32(data: Uint8Array, i: number): number {
  return ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24)) >>> 0;
}

const STEP = 1 << 20;

/**
 * The .lzma format (and squashfs's lzma blocks): properties byte, dictionary size, 64-bit uncompressed
 * size (all ones when unknown, and then an end marker ends the data), then the LZMA data.
 */
export function decodeLzmaAlone(input: Uint8Array, maxOutput: number): Uint8Array {
  const codec = 'lzma';
  if (input.length < 13) throw truncated(codec);
  const props = parseLzmaProps(codec, input[0] as number);
  const sizeLo = le32(input, 5);
  const sizeHi = le32(input, 9);
  const known = !(sizeLo === 0xffffffff && sizeHi === 0xffffffff);
  if (known) {
    const size = sizeHi * 0x100000000 + sizeLo;
    if (size > maxOutput) throw expandsBeyond(codec, maxOutput);
    const out = new Output(codec, maxOutput, size);
    const decoder = new LzmaDecoder(out, codec);
    decoder.setProps(props);
    decoder.resetState();
    decoder.initRange(input, 13, input.length);
    out.ensure(size);
    const ended = decoder.decodeTo(size, true);
    if (ended && out.pos < size) throw corrupt(codec, `end marker after ${out.pos} of ${size} bytes`);
    if (decoder.pendingLen > 0) throw corrupt(codec, 'match runs past the stated size');
    return out.result();
  }
  // Unknown size: one byte of slack past maxOutput tells data that ends exactly there (its end marker
  // follows) from data that goes on.
  const out = new Output(codec, maxOutput + 1, Math.min(maxOutput + 1, Math.max(input.length * 4, 4096)));
  const decoder = new LzmaDecoder(out, codec);
  decoder.setProps(props);
  decoder.resetState();
  decoder.initRange(input, 13, input.length);
  for (;;) {
    const step = Math.min(STEP, out.max - out.pos);
    if (step === 0) throw expandsBeyond(codec, maxOutput);
    out.ensure(step);
    if (decoder.decodeTo(out.pos + step, true)) break;
    if (out.pos > maxOutput) throw expandsBeyond(codec, maxOutput);
  }
  if (out.pos > maxOutput) throw expandsBeyond(codec, maxOutput);
  if (decoder.pendingLen > 0) throw corrupt(codec, 'end marker inside a match');
  return out.result();
}

/**
 * An LZMA2 stream from input[start, end) appended to `out`; returns the input position after its end byte.
 * Chunks: 0x00 end; 0x01/0x02 uncompressed (with/without dictionary reset); 0x80-0xFF LZMA, bits 5-6 the
 * reset level (none, state, state and properties, everything).
 */
export function decodeLzma2(input: Uint8Array, start: number, end: number, out: Output): number {
  const codec = out.codec;
  const decoder = new LzmaDecoder(out, codec);
  let needDictReset = true;
  let needProps = true;
  let pos = start;
  for (;;) {
    if (pos >= end) throw truncated(codec);
    const control = input[pos++] as number;
    if (control === 0x00) return pos;
    if (control === 0x01 || control === 0x02) {
      if (pos + 2 > end) throw truncated(codec);
      const size = (((input[pos] as number) << 8) | (input[pos + 1] as number)) + 1;
      pos += 2;
      if (control === 0x01) {
        decoder.resetDictionary();
        needDictReset = false;
      } else if (needDictReset) throw corrupt(codec, 'LZMA2 stream does not start with a dictionary reset');
      if (pos + size > end) throw truncated(codec);
      out.ensure(size);
      out.buf.set(input.subarray(pos, pos + size), out.pos);
      out.pos += size;
      pos += size;
      continue;
    }
    if (control < 0x80) throw corrupt(codec, `invalid LZMA2 control byte 0x${control.toString(16)}`);
    if (pos + 4 > end) throw truncated(codec);
    const unpacked = (control & 0x1f) * 0x10000 + (((input[pos] as number) << 8) | (input[pos + 1] as number)) + 1;
    const packed = (((input[pos + 2] as number) << 8) | (input[pos + 3] as number)) + 1;
    pos += 4;
    const reset = (control >>> 5) & 3;
    if (reset === 3) {
      decoder.resetDictionary();
      needDictReset = false;
    } else if (needDictReset) throw corrupt(codec, 'LZMA2 stream does not start with a dictionary reset');
    if (reset >= 2) {
      if (pos >= end) throw truncated(codec);
      const props = parseLzmaProps(codec, input[pos++] as number);
      if (props.lc + props.lp > 4) throw corrupt(codec, 'LZMA2 properties lc + lp > 4');
      decoder.setProps(props);
      needProps = false;
    } else if (needProps) throw corrupt(codec, 'LZMA2 chunk without properties');
    if (reset >= 1) decoder.resetState();
    if (pos + packed > end) throw truncated(codec);
    decoder.initRange(input, pos, pos + packed);
    out.ensure(unpacked);
    decoder.decodeTo(out.pos + unpacked, false);
    pos += packed;
  }
}
