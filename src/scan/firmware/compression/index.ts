// One synchronous, bounded API for every block or stream compressor a firmware image uses:
// decompress(codec, input, maxOutput) returns the decompressed bytes, or throws ImageReadError when the
// data is corrupt, truncated, unsupported, or would expand beyond maxOutput bytes (a decompression bomb is
// stopped when it passes the bound, before the memory is taken).
//
// gzip, zlib, deflate and zstd are Node's own (node:zlib with maxOutputLength; zstd frame by frame); bzip2 is seek-bzip; LZMA,
// LZMA2/xz, LZ4 and LZO1X are decoded here (see each module for why), in plain TypeScript.
import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { ImageReadError } from '../image-fs.ts';
import { decodeBzip2 } from './bzip2.ts';
import { decodeLz4Frames, decodeLz4Raw } from './lz4.ts';
import { decodeLzmaAlone } from './lzma.ts';
import { decodeLzop, decodeLzoRaw } from './lzo.ts';
import { expandsBeyond } from './output.ts';
import { decodeXz } from './xz.ts';
import { decodeZstd } from './zstd.ts';

export type Codec =
  /** gzip members (RFC 1952), concatenated members too. */
  | 'gzip'
  /** zlib-wrapped deflate (RFC 1950): squashfs's gzip blocks. */
  | 'zlib'
  /** raw deflate (RFC 1951). */
  | 'deflate'
  /** .xz streams (LZMA2 with optional delta/BCJ filters): squashfs's xz blocks. */
  | 'xz'
  /** .lzma ("LZMA alone"): 13-byte header then LZMA data; squashfs's lzma blocks. */
  | 'lzma'
  /** raw LZO1X data, as squashfs's lzo blocks. */
  | 'lzo'
  /** an .lzo file as lzop writes it. */
  | 'lzop'
  /** one raw LZ4 block, as squashfs's lz4 blocks. */
  | 'lz4'
  /** LZ4 frames as the lz4 tool writes them (current and legacy formats). */
  | 'lz4-frame'
  /** Zstandard frames. */
  | 'zstd'
  /** .bz2 streams. */
  | 'bzip2';

export const CODECS: readonly Codec[] = ['gzip', 'zlib', 'deflate', 'xz', 'lzma', 'lzo', 'lzop', 'lz4', 'lz4-frame', 'zstd', 'bzip2'];

function viaZlib(codec: Codec, run: (options: ZlibOptions) => Buffer, maxOutput: number): Uint8Array {
  let result: Buffer;
  try {
    // Node wants maxOutputLength >= 1; a result longer than a bound of 0 is refused below.
    result = run({ maxOutputLength: Math.max(1, maxOutput) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw expandsBeyond(codec, maxOutput);
    throw new ImageReadError(`${codec}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (result.length > maxOutput) throw expandsBeyond(codec, maxOutput);
  return new Uint8Array(result.buffer, result.byteOffset, result.length);
}

/**
 * Decompresses `input` with `codec`, producing at most `maxOutput` bytes. Throws ImageReadError, and only
 * that, for anything it cannot decode.
 */
export function decompress(codec: Codec, input: Uint8Array, maxOutput: number): Uint8Array {
  if (!Number.isSafeInteger(maxOutput) || maxOutput < 0)
    throw new RangeError(`decompress: maxOutput must be a non-negative integer, not ${maxOutput}`);
  const bound = Math.min(maxOutput, bufferConstants.MAX_LENGTH);
  // A plain view, even of a Buffer: the decoders take many subarrays, which are costlier on Buffers.
  const data = Buffer.isBuffer(input) ? new Uint8Array(input.buffer, input.byteOffset, input.length) : input;
  switch (codec) {
    case 'gzip':
      return viaZlib(codec, (o) => gunzipSync(data, o), bound);
    case 'zlib':
      return viaZlib(codec, (o) => inflateSync(data, o), bound);
    case 'deflate':
      return viaZlib(codec, (o) => inflateRawSync(data, o), bound);
    case 'zstd':
      return decodeZstd(data, bound);
    case 'xz':
      return decodeXz(data, bound);
    case 'lzma':
      return decodeLzmaAlone(data, bound);
    case 'lzo':
      return decodeLzoRaw(data, bound);
    case 'lzop':
      return decodeLzop(data, bound);
    case 'lz4':
      return decodeLz4Raw(data, bound);
    case 'lz4-frame':
      return decodeLz4Frames(data, bound);
    case 'bzip2':
      return decodeBzip2(data, bound);
    default:
      throw new ImageReadError(`unsupported compression ${String(codec)}`);
  }
}
