// JFFS2's "rtime" compressor: pairs of (literal byte, repeat count). After each literal, `repeat` bytes are
// copied from where the output stood just after the previous literal of the same value (position 0 when
// the value has not been seen); the copy may overlap what it produces. The output length is not stored in
// the data: it is the node's dsize.
import { corrupt, truncated } from '../compression/output.ts';

const CODEC = 'rtime';

/** Decodes rtime data into exactly `outLength` bytes; throws ImageReadError when the data does not fit. */
export function decodeRtime(input: Uint8Array, outLength: number): Uint8Array {
  const out = new Uint8Array(outLength);
  // Where the output stood just after the last literal of each byte value.
  const after = new Int32Array(256);
  let ip = 0;
  let op = 0;
  while (op < outLength) {
    if (ip + 2 > input.length) throw truncated(CODEC);
    const value = input[ip++] as number;
    const repeat = input[ip++] as number;
    out[op++] = value;
    let from = after[value] as number;
    after[value] = op;
    if (repeat === 0) continue;
    if (repeat > outLength - op) throw corrupt(CODEC, `a run of ${repeat} bytes passes the end of the ${outLength}-byte output`);
    // Byte by byte: the source may overlap the bytes being written (a repeating pattern).
    for (const stop = op + repeat; op < stop;) out[op++] = out[from++] as number;
  }
  return out;
}
