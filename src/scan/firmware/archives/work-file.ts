// Decompressing a whole compressed archive (a .tar.gz, a .cpio.xz) once, into a temporary file in the
// caller's work folder. A compressed stream has no random access: reading one member would mean
// decompressing everything before it again, so the reader indexes and reads the decompressed copy with
// positioned reads instead. The file is unlinked as soon as it is open; only its descriptor keeps it, so
// nothing is left behind however the scan ends.
//
// gzip and zstd are streamed through node:zlib (never whole in memory); the other codecs have only the
// bounded in-memory API (compression/index.ts), so their input is read whole and decompressed with
// maxInMemoryBytes as the bound. Either way at most maxTotalBytes are written: a decompression bomb
// stops there, the part before the bound is kept and read, and a problem says so.
import { closeSync, createReadStream, fstatSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { type Codec, decompress } from '../compression/index.ts';
import { ImageReadError } from '../image-fs.ts';
import { type ByteSource, FileSource } from '../byte-source.ts';
import type { ArchiveLimits, Problems } from './common.ts';
import { message } from './common.ts';

/** An empty temporary file, already unlinked, open for reading and writing. */
function anonymousFile(workDir: string | undefined): number {
  const dir = mkdtempSync(join(workDir ?? tmpdir(), 'baseline-archive-'));
  const path = join(dir, 'decompressed');
  const fd = openSync(path, 'wx+', 0o600);
  unlinkSync(path);
  rmdirSync(dir);
  return fd;
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

/** The compressed input as a stream: a file read sequentially, or a source (a carved part) read in chunks. */
function inputStream(input: string | ByteSource): Readable {
  if (typeof input === 'string') return createReadStream(input);
  return Readable.from(
    (function* chunks() {
      for (let position = 0; position < input.size; position += 1 << 20) yield Buffer.from(input.read(position, 1 << 20));
    })(),
  );
}

function readWhole(input: string | ByteSource, codec: Codec, limits: ArchiveLimits): Uint8Array {
  if (typeof input !== 'string') {
    if (input.size > limits.maxInMemoryBytes)
      throw new ImageReadError(`${codec}: ${input.size} bytes of compressed input, more than ${limits.maxInMemoryBytes} (limit)`);
    return input.read(0, input.size);
  }
  const inputFd = openSync(input, 'r');
  try {
    const size = fstatSync(inputFd).size;
    if (size > limits.maxInMemoryBytes)
      throw new ImageReadError(`${codec}: ${size} bytes of compressed input, more than ${limits.maxInMemoryBytes} (limit)`);
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const n = readSync(inputFd, bytes, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return bytes.subarray(0, done);
  } finally {
    closeSync(inputFd);
  }
}

/**
 * Decompresses `input` (a file's path, or a source) with `codec` into an anonymous file in the work folder
 * and returns it as a source. Problems (a truncated or corrupt stream, the size bound) are logged; what was
 * decompressed before them is kept. Throws ImageReadError when nothing at all could be decompressed.
 */
export async function decompressToWorkFile(
  input: string | ByteSource,
  codec: Codec,
  limits: ArchiveLimits,
  log: Problems,
): Promise<FileSource> {
  const fd = anonymousFile(limits.workDir);
  try {
    let written = 0;
    const part = `${codec} stream`;
    if (codec === 'gzip' || codec === 'zstd') {
      const stream = inputStream(input);
      const decoder = codec === 'gzip' ? createGunzip() : createZstdDecompress();
      stream.on('error', (error) => decoder.destroy(error));
      stream.pipe(decoder);
      try {
        for await (const chunk of decoder as AsyncIterable<Buffer>) {
          const take = Math.min(chunk.length, limits.maxTotalBytes - written);
          writeAll(fd, take === chunk.length ? chunk : chunk.subarray(0, take), written);
          written += take;
          if (take < chunk.length) {
            log.add(part, `decompresses to more than ${limits.maxTotalBytes} bytes (limit); only the first ${written} are read`);
            break;
          }
        }
      } catch (error) {
        if (written === 0) throw new ImageReadError(`${codec}: ${message(error)}`);
        log.add(part, `${message(error)}; the ${written} bytes decompressed before it are read`);
      } finally {
        stream.destroy();
        decoder.destroy();
      }
    } else {
      const output = decompress(codec, readWhole(input, codec, limits), Math.min(limits.maxTotalBytes, limits.maxInMemoryBytes));
      writeAll(fd, output, 0);
      written = output.length;
    }
    return new FileSource(fd, true);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
