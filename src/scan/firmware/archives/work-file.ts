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
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { type Codec, decompress } from '../compression/index.ts';
import { ImageReadError } from '../image-fs.ts';
import { FileSource } from '../byte-source.ts';
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

/**
 * Decompresses the file at `path` with `codec` into an anonymous file in the work folder and returns it as
 * a source. Problems (a truncated or corrupt stream, the size bound) are logged; what was decompressed
 * before them is kept. Throws ImageReadError when nothing at all could be decompressed.
 */
export async function decompressToWorkFile(path: string, codec: Codec, limits: ArchiveLimits, log: Problems): Promise<FileSource> {
  const fd = anonymousFile(limits.workDir);
  try {
    let written = 0;
    const part = `${codec} stream`;
    if (codec === 'gzip' || codec === 'zstd') {
      const input = createReadStream(path);
      const decoder = codec === 'gzip' ? createGunzip() : createZstdDecompress();
      input.on('error', (error) => decoder.destroy(error));
      input.pipe(decoder);
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
        input.destroy();
        decoder.destroy();
      }
    } else {
      const inputFd = openSync(path, 'r');
      let input: Uint8Array;
      try {
        const size = fstatSync(inputFd).size;
        if (size > limits.maxInMemoryBytes)
          throw new ImageReadError(`${codec}: ${size} bytes of compressed input, more than ${limits.maxInMemoryBytes} (limit)`);
        input = new Uint8Array(size);
        let done = 0;
        while (done < size) {
          const n = readSync(inputFd, input, done, size - done, done);
          if (n === 0) break;
          done += n;
        }
        input = input.subarray(0, done);
      } finally {
        closeSync(inputFd);
      }
      const output = decompress(codec, input, Math.min(limits.maxTotalBytes, limits.maxInMemoryBytes));
      writeAll(fd, output, 0);
      written = output.length;
    }
    return new FileSource(fd, true);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
