// Squashfs 4.0 images read in process through ImageFs.
export { openSquashfs, SquashfsImage, type SquashfsOptions } from './squashfs-fs.ts';
export { BufferSource, type ByteSource, FileSource } from '../byte-source.ts';
export type { Superblock } from './format.ts';
