// The growable, bounded output buffer every hand-written decoder writes into, and the errors they share.
// A decoder asks for room before it writes (`ensure`); asking for more than the caller's maxOutput is a
// decompression bomb and ends the decode with an ImageReadError instead of an allocation.
import { ImageReadError } from '../image-fs.ts';

export function expandsBeyond(codec: string, maxOutput: number): ImageReadError {
  return new ImageReadError(`${codec}: data expands beyond ${maxOutput} bytes`);
}

export function corrupt(codec: string, what: string): ImageReadError {
  return new ImageReadError(`${codec}: corrupt data (${what})`);
}

export function truncated(codec: string): ImageReadError {
  return new ImageReadError(`${codec}: truncated data`);
}

export class Output {
  buf: Uint8Array;
  pos = 0;
  readonly codec: string;
  readonly max: number;

  constructor(codec: string, max: number, initial: number) {
    this.codec = codec;
    this.max = max;
    this.buf = new Uint8Array(Math.max(0, Math.min(max, initial)));
  }

  /** Makes room for `extra` more bytes after `pos`, or throws when that would pass the bound. */
  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    if (need > this.max) throw expandsBeyond(this.codec, this.max);
    const capacity = Math.min(this.max, Math.max(need, this.buf.length * 2, 4096));
    const bigger = new Uint8Array(capacity);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** The bytes written; copied when the buffer is mostly slack, so a small result does not pin a big buffer. */
  result(): Uint8Array {
    if (this.pos === this.buf.length) return this.buf;
    if (this.pos < this.buf.length / 2) return this.buf.slice(0, this.pos);
    return this.buf.subarray(0, this.pos);
  }
}

/** Appends len bytes copied from `distance` bytes back (the two may overlap: a run repeats its pattern). */
export function copyBack(out: Output, distance: number, len: number): void {
  out.ensure(len);
  const buf = out.buf;
  const pos = out.pos;
  if (len < 16) {
    for (let i = 0; i < len; i++) buf[pos + i] = buf[pos + i - distance] as number;
  } else if (distance >= len) {
    buf.copyWithin(pos, pos - distance, pos - distance + len);
  } else {
    // The pattern repeats every `distance` bytes, so each copy can take everything copied so far.
    let copied = 0;
    let step = distance;
    while (copied < len) {
      const n = Math.min(step, len - copied);
      buf.copyWithin(pos + copied, pos + copied - step, pos + copied - step + n);
      copied += n;
      step *= 2;
    }
  }
  out.pos = pos + len;
}

/** Appends input[start, start + len). */
export function copyIn(out: Output, input: Uint8Array, start: number, len: number): void {
  out.ensure(len);
  out.buf.set(input.subarray(start, start + len), out.pos);
  out.pos += len;
}

/**
 * Copies an LZ77 back-reference of `length` bytes from `distance` back, at `op` in `buf` (which has room),
 * and returns the new position. An overlapping match is copied byte by byte so that it repeats its pattern.
 */
export function copyBackReference(buf: Uint8Array, op: number, distance: number, length: number): number {
  if (distance >= length && length > 32) {
    buf.copyWithin(op, op - distance, op - distance + length);
    return op + length;
  }
  let src = op - distance;
  const stop = op + length;
  while (op < stop) buf[op++] = buf[src++] as number;
  return op;
}
