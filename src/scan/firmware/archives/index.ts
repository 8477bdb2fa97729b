// Tar, cpio and zip archives read in process through ImageFs, compressed or not, recognised by content.
import { ImageReadError } from '../image-fs.ts';
import { FileSource } from '../byte-source.ts';
import { type ArchiveOptions, limitsOf, message, Problems } from './common.ts';
import { CpioFs } from './cpio.ts';
import { archiveKind, compressionOf } from './detect.ts';
import { TarFs } from './tar.ts';
import { decompressToWorkFile } from './work-file.ts';
import { ZipFs } from './zip.ts';

export { type ArchiveOptions, ArchiveFs, DEFAULT_LIMITS } from './common.ts';
export { CpioFs } from './cpio.ts';
export { archiveKind, compressionOf, isTarHeader } from './detect.ts';
export { TarFs } from './tar.ts';
export { openZip, ZipFs } from './zip.ts';

export type ArchiveImage = TarFs | CpioFs | ZipFs;

/**
 * Opens the tar, cpio or zip archive at `path`, whichever it is, compressed or not (a compressed one is
 * decompressed once into `options.workDir`). Close it with `close()`. Throws ImageReadError when the file
 * is not one of these archives.
 */
export async function openArchive(path: string, options: ArchiveOptions = {}): Promise<ArchiveImage> {
  const limits = limitsOf(options);
  let source = FileSource.open(path);
  const log = new Problems();
  try {
    const first = source.read(0, 512);
    const codec = compressionOf(first);
    let kind = archiveKind(first);
    if (codec) {
      source.close();
      source = await decompressToWorkFile(path, codec, limits, log);
      kind = archiveKind(source.read(0, 512));
      if (kind === 'zip') kind = undefined; // a compressed zip is not something firmware holds
    } else if (kind === undefined && source.size >= 22) {
      // A zip may start with something else (a self-extractor, a vendor header): its end record says.
      const tail = source.read(Math.max(0, source.size - 22 - 0xffff), 22 + 0xffff);
      if (Buffer.from(tail.buffer, tail.byteOffset, tail.length).includes(Buffer.from('PK\x05\x06', 'latin1'))) kind = 'zip';
    }
    switch (kind) {
      case 'tar':
        return new TarFs(source, options, codec, log);
      case 'cpio':
        return new CpioFs(source, options, codec, log);
      case 'zip':
        return new ZipFs(source, options);
      default:
        throw new ImageReadError(`not a tar, cpio or zip archive${codec ? ` (${codec} compressed)` : ''}`);
    }
  } catch (error) {
    source.close();
    if (error instanceof ImageReadError) throw error;
    throw new ImageReadError(`archive: ${message(error)}`);
  }
}

/** Opens a tar, compressed or not; ImageReadError when the file holds something else. */
export async function openTar(path: string, options: ArchiveOptions = {}): Promise<TarFs> {
  return openOnly(path, options, TarFs, 'tar');
}

/** Opens a cpio archive (an initramfs), compressed or not; ImageReadError when the file holds something else. */
export async function openCpio(path: string, options: ArchiveOptions = {}): Promise<CpioFs> {
  return openOnly(path, options, CpioFs, 'cpio');
}

async function openOnly<T extends ArchiveImage>(
  path: string,
  options: ArchiveOptions,
  kind: abstract new (...args: never[]) => T,
  name: string,
): Promise<T> {
  const archive = await openArchive(path, options);
  if (archive instanceof kind) return archive;
  archive.close();
  throw new ImageReadError(`not a ${name} archive`);
}
