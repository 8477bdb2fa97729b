// bzip2 through seek-bzip (pure JavaScript, synchronous, block and stream CRCs checked). Its input comes
// through a stream that throws at the end of the data (the library would otherwise read zeros past it) and
// its output through one that refuses to pass maxOutput, so the decode is bounded both ways.
import Bunzip from 'seek-bzip';
import { ImageReadError } from '../image-fs.ts';
import { corrupt, expandsBeyond, Output, truncated } from './output.ts';

const CODEC = 'bzip2';

export function decodeBzip2(input: Uint8Array, maxOutput: number): Uint8Array {
  const out = new Output(CODEC, maxOutput, Math.min(maxOutput, Math.max(input.length * 4, 4096)));
  let pos = 0;
  const inputStream = {
    readByte(): number {
      if (pos >= input.length) throw truncated(CODEC);
      return input[pos++] as number;
    },
    read(buffer: Uint8Array, offset: number, length: number): number {
      const n = Math.min(length, input.length - pos);
      if (n <= 0) return -1;
      buffer.set(input.subarray(pos, pos + n), offset);
      pos += n;
      return n;
    },
    seek(to: number): void {
      pos = to;
    },
    eof(): boolean {
      return pos >= input.length;
    },
  };
  const outputStream = {
    writeByte(byte: number): void {
      if (out.pos >= out.buf.length) {
        if (out.pos >= maxOutput) throw expandsBeyond(CODEC, maxOutput);
        out.ensure(1);
      }
      out.buf[out.pos++] = byte;
    },
  };
  try {
    // Bunzip.decode's loop, except that input ending before a stream's end marker is an error (the
    // library would return what it had), and bytes after the last stream that are not another are left.
    const decoder = new Bunzip(inputStream, outputStream);
    for (;;) {
      if (decoder._init_block()) {
        decoder._read_bunzip();
        continue;
      }
      const storedCrc = decoder.reader.read(32) >>> 0;
      if (storedCrc !== decoder.streamCRC) throw corrupt(CODEC, 'stream CRC mismatch');
      if (pos + 4 > input.length || input[pos] !== 0x42 || input[pos + 1] !== 0x5a || input[pos + 2] !== 0x68) break;
      decoder._start_bunzip(inputStream, outputStream);
    }
  } catch (error) {
    if (error instanceof ImageReadError) throw error;
    throw corrupt(CODEC, error instanceof Error ? error.message : String(error));
  }
  return out.result();
}
