// Opens whatever the user hands over — a root filesystem folder, a filesystem image, an archive, a
// compressed stream, a U-Boot or FIT container, or a raw flash dump — by content, never by name, and
// follows nested containers down to every filesystem inside, within limits. Nothing is extracted to disk
// except a compressed stream, which has no random access: it is decompressed once into the work folder.
import { lstatSync } from 'node:fs';
import { DEFAULT_LIMITS, Problems } from './archives/common.ts';
import { CpioFs } from './archives/cpio.ts';
import { archiveKind, compressionOf } from './archives/detect.ts';
import { TarFs } from './archives/tar.ts';
import { decompressToWorkFile } from './archives/work-file.ts';
import { ZipFs } from './archives/zip.ts';
import { type ByteSource, BufferSource, FileSource, SliceSource } from './byte-source.ts';
import { findSignatures } from './carving/signatures.ts';
import { readFit } from './carving/fit.ts';
import { findUbootEnvironments } from './carving/uboot-env.ts';
import { readUImage, uImagePayload } from './carving/uimage.ts';
import { decompress } from './compression/index.ts';
import { openDirectoryFs } from './directory-fs.ts';
import { ExtImage } from './ext/ext-fs.ts';
import { type ImageFs, ImageReadError, type ReadProblem } from './image-fs.ts';
import { headerEndian as jffs2Endian } from './jffs2/format.ts';
import { Jffs2Image } from './jffs2/jffs2-fs.ts';
import { SquashfsImage } from './squashfs/squashfs-fs.ts';
import { parseEcHeader } from './ubi/format.ts';
import { UbiImage } from './ubi/ubi.ts';
import { UbifsImage } from './ubi/ubifs-fs.ts';

export interface OpenLimits {
  /** How many containers deep to follow (a tar holding a gzip holding a cpio is 3). Default 8. */
  maxDepth: number;
  /** Most bytes decompressed over the whole image (decompression bombs). Default 4 GiB. */
  maxTotalBytes: number;
  /** Most bytes a single in-memory decompression may produce. Default 1 GiB. */
  maxInMemoryBytes: number;
  /** Most entries listed per filesystem. Default 1,000,000. */
  maxEntries: number;
  /** Most filesystems opened in all. Default 64. */
  maxFilesystems: number;
}

export const DEFAULT_OPEN_LIMITS: OpenLimits = {
  maxDepth: 8,
  maxTotalBytes: 4 * 2 ** 30,
  maxInMemoryBytes: 2 ** 30,
  maxEntries: 1_000_000,
  maxFilesystems: 64,
};

export interface Layer {
  /** Where the filesystem is: "firmware.bin@0x40000", "release.tar.gz>gzip:/rootfs.squashfs". */
  label: string;
  fs: ImageFs;
  depth: number;
}

/** Evidence from the containers themselves: a FIT's configuration signatures, a uImage's CRCs. */
export interface ContainerFact {
  label: string;
  kind: 'fit' | 'uimage' | 'ubi' | 'uboot-env';
  signed?: boolean;
  description: string;
}

/** A U-Boot environment carved from a raw dump, kept whole (at most 256 KiB) for the config checks. */
export interface CarvedEnvironment {
  label: string;
  bytes: Uint8Array;
}

export interface OpenedImage {
  layers: Layer[];
  containers: ContainerFact[];
  bootEnvironments: CarvedEnvironment[];
  problems: ReadProblem[];
  close(): void;
}

// Content worth following inside a filesystem: images and archives, and compressed streams where images live.
const NESTED_KINDS = new Set(['squashfs', 'ext', 'uimage', 'fit', 'tar', 'cpio', 'zip']);
const MIN_NESTED_BYTES = 4096;

export async function openImage(
  input: string,
  workDir: string,
  limits: Partial<OpenLimits> = {},
  progress?: (line: string) => void,
): Promise<OpenedImage> {
  const opener = new ImageOpener(workDir, { ...DEFAULT_OPEN_LIMITS, ...limits }, progress);
  try {
    const stat = lstatSync(input);
    if (stat.isDirectory()) opener.addLayer(openDirectoryFs(input, { maxEntries: opener.limits.maxEntries }), input, 0);
    else {
      const source = FileSource.open(input);
      opener.sources.push(source);
      await opener.explore(source, input, 0);
    }
    await opener.followNested();
  } catch (error) {
    opener.close();
    throw error;
  }
  return {
    layers: opener.layers,
    containers: opener.containers,
    bootEnvironments: opener.bootEnvironments,
    problems: opener.problems,
    close: () => opener.close(),
  };
}

class ImageOpener {
  readonly layers: Layer[] = [];
  readonly containers: ContainerFact[] = [];
  readonly bootEnvironments: CarvedEnvironment[] = [];
  readonly problems: ReadProblem[] = [];
  readonly sources: ByteSource[] = [];
  private decompressed = 0;
  private nestedDone = new Set<Layer>();
  readonly limits: OpenLimits;
  private readonly workDir: string;
  private readonly progress: ((line: string) => void) | undefined;

  constructor(workDir: string, limits: OpenLimits, progress?: (line: string) => void) {
    this.workDir = workDir;
    this.limits = limits;
    this.progress = progress;
  }

  addLayer(fs: ImageFs, label: string, depth: number): void {
    if (this.layers.length >= this.limits.maxFilesystems) {
      this.problems.push({ part: label, reason: `not opened: more than ${this.limits.maxFilesystems} filesystems (limit)` });
      return;
    }
    this.progress?.(`opened ${label}: ${fs.format}`);
    this.layers.push({ label, fs, depth });
  }

  /** Works out what a source holds and opens it, following containers into their contents. */
  async explore(source: ByteSource, label: string, depth: number): Promise<void> {
    if (depth > this.limits.maxDepth) {
      this.problems.push({ part: label, reason: `not opened: nested deeper than ${this.limits.maxDepth} containers (limit)` });
      return;
    }
    try {
      await this.exploreUnchecked(source, label, depth);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      this.problems.push({ part: label, reason: error.message });
    }
  }

  private async exploreUnchecked(source: ByteSource, label: string, depth: number): Promise<void> {
    const head = source.read(0, 4096);
    const read = (position: number, length: number) => source.read(position, length);
    const options = { maxEntries: this.limits.maxEntries };
    if (startsWith(head, [0x68, 0x73, 0x71, 0x73])) return this.addLayer(new SquashfsImage(source, options), label, depth);
    if (head.length >= 1082 && head[1080] === 0x53 && head[1081] === 0xef)
      return this.addLayer(new ExtImage(source, options), label, depth);
    if (startsWith(head, [0x27, 0x05, 0x19, 0x56])) return this.exploreUImage(source, read, label, depth);
    if (startsWith(head, [0xd0, 0x0d, 0xfe, 0xed])) return this.exploreFit(source, read, label, depth);
    if (isUbifs(head)) return this.addLayer(new UbifsImage(source, options), label, depth);
    // JFFS2 and UBI have no length in a header: carving finds where they end, and what follows them.
    if (parseEcHeader(head) || jffs2Endian(head)) return this.carve(source, read, label, depth);
    const codec = compressionOf(head);
    if (codec) return this.exploreCompressed(source, codec, label, depth);
    const archive = archiveKind(head);
    const archiveOptions = {
      ...options,
      workDir: this.workDir,
      maxTotalBytes: this.limits.maxTotalBytes,
      maxInMemoryBytes: this.limits.maxInMemoryBytes,
    };
    if (archive === 'tar') return this.addLayer(new TarFs(source, archiveOptions), label, depth);
    if (archive === 'cpio') return this.addLayer(new CpioFs(source, archiveOptions), label, depth);
    if (archive === 'zip') return this.addLayer(new ZipFs(source, archiveOptions), label, depth);
    return this.carve(source, read, label, depth);
  }

  private async exploreUImage(source: ByteSource, read: (p: number, l: number) => Uint8Array, label: string, depth: number): Promise<void> {
    const image = readUImage(read, source.size, 0);
    for (const problem of image.problems) this.problems.push({ part: `${label} uImage`, reason: problem });
    this.containers.push({ label, kind: 'uimage', description: `uImage "${image.header.name}" (${image.header.dataSize} bytes)` });
    const parts = image.parts.length ? image.parts.map((_, i) => i) : [undefined];
    for (const part of parts) {
      const payload = uImagePayload(read, image, this.budget(label), part);
      this.decompressed += payload.length;
      await this.explore(this.memorySource(payload), `${label}>uImage${part === undefined ? '' : `[${part}]`}`, depth + 1);
    }
  }

  private async exploreFit(source: ByteSource, read: (p: number, l: number) => Uint8Array, label: string, depth: number): Promise<void> {
    const fit = readFit(read, source.size, 0);
    for (const problem of fit.problems) this.problems.push({ part: `${label} FIT`, reason: problem });
    const signed = fit.configurations.some((c) => c.signed);
    this.containers.push({
      label,
      kind: 'fit',
      signed,
      description: `FIT with ${fit.images.length} images, ${fit.configurations.length} configurations${signed ? ', signed' : ', not signed'}`,
    });
    for (const image of fit.images) {
      if (!image.data) continue;
      let bytes = read(image.data.offset, image.data.size);
      const codec = image.compression && image.compression !== 'none' ? (image.compression as Parameters<typeof decompress>[0]) : undefined;
      if (codec) {
        bytes = decompress(codec, bytes, this.budget(label));
        this.decompressed += bytes.length;
      }
      await this.explore(this.memorySource(bytes), `${label}>${image.name}`, depth + 1);
    }
  }

  // A compressed stream: decompressed once to a work file (streamed for gzip and zstd), then explored like any file.
  private async exploreCompressed(
    source: ByteSource,
    codec: NonNullable<ReturnType<typeof compressionOf>>,
    label: string,
    depth: number,
  ): Promise<void> {
    const log = new Problems();
    const budget = this.budget(label);
    const file = await decompressToWorkFile(
      source,
      codec,
      { ...DEFAULT_LIMITS, workDir: this.workDir, maxTotalBytes: budget, maxInMemoryBytes: this.limits.maxInMemoryBytes },
      log,
    );
    this.sources.push(file);
    this.decompressed += file.size;
    this.problems.push(...log.list.map((p) => ({ part: `${label}>${codec}`, reason: p.reason })));
    await this.explore(file, `${label}>${codec}`, depth + 1);
  }

  /** A raw blob: find what it holds by magic, as binwalk does, and open each supported part. */
  private async carve(source: ByteSource, read: (p: number, l: number) => Uint8Array, label: string, depth: number): Promise<void> {
    const hits = findSignatures(label, source.size, read).filter((s) => s.inside === undefined);
    const flash = (s: { type: string }) => s.type === 'jffs2' || s.type === 'ubi';
    // Anything else at offset 0 was already tried as the whole source; JFFS2 and UBI are opened here.
    const openable = hits.filter((s) => s.supported && (s.offset > 0 || flash(s)) && s.type !== 'elf' && s.type !== 'pe');
    for (const hit of hits.filter((s) => !s.supported))
      this.problems.push({ part: `${label}@0x${hit.offset.toString(16)}`, reason: `${hit.description}: not supported` });
    // A flash dump's environment partition holds the kernel command line and the autoboot settings.
    const environments = findUbootEnvironments(source.size, read);
    for (const env of environments) {
      const at = `${label}@0x${env.offset.toString(16)}`;
      this.progress?.(`found ${env.description} at 0x${env.offset.toString(16)}`);
      this.containers.push({ label: at, kind: 'uboot-env', description: env.description });
      this.bootEnvironments.push({ label: at, bytes: read(env.offset, env.size) });
    }
    if (!openable.length && environments.length) return;
    if (!openable.length) {
      this.problems.push({ part: label, reason: 'no filesystem, archive or container recognised in it' });
      return;
    }
    for (const hit of openable) {
      this.progress?.(`found ${hit.description} at 0x${hit.offset.toString(16)}`);
      const slice = new SliceSource(source, hit.offset, hit.length ?? source.size - hit.offset);
      if (!flash(hit)) {
        await this.explore(slice, `${label}@0x${hit.offset.toString(16)}`, depth + 1);
        continue;
      }
      // An image that is only this filesystem keeps its own name.
      const at = hit.offset === 0 && openable.length === 1 ? label : `${label}@0x${hit.offset.toString(16)}`;
      try {
        await this.openFlash(slice, hit.type as 'jffs2' | 'ubi', at, depth + 1);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
        this.problems.push({ part: at, reason: error.message });
      }
    }
  }

  /** A JFFS2 filesystem, or a UBI image whose volumes are explored one by one. */
  private async openFlash(source: ByteSource, type: 'jffs2' | 'ubi', label: string, depth: number): Promise<void> {
    if (depth > this.limits.maxDepth) {
      this.problems.push({ part: label, reason: `not opened: nested deeper than ${this.limits.maxDepth} containers (limit)` });
      return;
    }
    if (type === 'jffs2') return this.addLayer(new Jffs2Image(source, { maxEntries: this.limits.maxEntries }), label, depth);
    const ubi = new UbiImage(source);
    this.problems.push(...ubi.problems.map((p) => ({ part: `${label} ${p.part}`, reason: p.reason })));
    this.containers.push({ label, kind: 'ubi', description: ubi.description });
    for (const volume of ubi.volumes) {
      if (volume.size === 0) continue; // nothing written to it
      await this.explore(volume.source(), `${label}>ubi:${volume.name}`, depth + 1);
    }
  }

  /** Images inside the filesystems found: a rootfs.squashfs in a tar, an initramfs in /boot. */
  async followNested(): Promise<void> {
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i] as Layer;
      if (this.nestedDone.has(layer)) continue;
      this.nestedDone.add(layer);
      const rootfs = layer.fs.entry('/etc') !== undefined && layer.fs.entry('/bin') !== undefined;
      for (const entry of layer.fs.entries()) {
        if (entry.type !== 'file' || entry.size < MIN_NESTED_BYTES) continue;
        // A root filesystem is full of gzip'd man pages and the like: there only /boot is worth opening.
        if (rootfs && !entry.path.startsWith('/boot/')) continue;
        let head: Uint8Array;
        try {
          head = layer.fs.read(entry.path, 4096);
        } catch {
          continue;
        }
        const kind = nestedKind(head);
        if (!kind) continue;
        const bytes = this.readWhole(layer, entry.path, entry.size);
        if (bytes) await this.explore(this.memorySource(bytes), `${layer.label}:${entry.path}`, layer.depth + 1);
      }
    }
  }

  private readWhole(layer: Layer, path: string, size: number): Uint8Array | undefined {
    if (size > this.limits.maxInMemoryBytes) {
      this.problems.push({
        part: `${layer.label}:${path}`,
        reason: `nested image of ${size} bytes not opened: larger than the in-memory limit`,
      });
      return undefined;
    }
    try {
      return layer.fs.read(path, size);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
      this.problems.push({ part: `${layer.label}:${path}`, reason: error.message });
      return undefined;
    }
  }

  private memorySource(bytes: Uint8Array): ByteSource {
    return new BufferSource(bytes);
  }

  /** What is left of the total decompression budget, and at most the in-memory limit. */
  private budget(label: string): number {
    const left = this.limits.maxTotalBytes - this.decompressed;
    if (left <= 0)
      throw new ImageReadError(`${label}: not decompressed: the image already expanded to ${this.limits.maxTotalBytes} bytes (limit)`);
    return Math.min(left, this.limits.maxInMemoryBytes);
  }

  close(): void {
    for (const layer of this.layers) (layer.fs as ImageFs & { close?: () => void }).close?.();
    for (const source of this.sources) source.close();
  }
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** A UBIFS superblock node: the node magic, and node type 6. */
function isUbifs(head: Uint8Array): boolean {
  return startsWith(head, [0x31, 0x18, 0x10, 0x06]) && head[20] === 6;
}

function nestedKind(head: Uint8Array): string | undefined {
  if (startsWith(head, [0x68, 0x73, 0x71, 0x73])) return 'squashfs';
  if (head.length >= 1082 && head[1080] === 0x53 && head[1081] === 0xef) return 'ext';
  if (startsWith(head, [0x27, 0x05, 0x19, 0x56])) return 'uimage';
  if (startsWith(head, [0xd0, 0x0d, 0xfe, 0xed])) return 'fit';
  if (isUbifs(head)) return 'ubifs';
  if (parseEcHeader(head)) return 'ubi';
  if (jffs2Endian(head)) return 'jffs2';
  if (compressionOf(head)) return 'compressed';
  const archive = archiveKind(head);
  return archive && NESTED_KINDS.has(archive) ? archive : undefined;
}
