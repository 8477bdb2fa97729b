// UBI images (volumes over flash erase blocks) and UBIFS filesystems, read in process.
export { UbiImage, type UbiOptions, type UbiVolume } from './ubi.ts';
export { openUbifs, UbifsImage, type UbifsOptions } from './ubifs-fs.ts';
export { detectPebSize, parseEcHeader } from './format.ts';
export { NODE_MAGIC as UBIFS_NODE_MAGIC } from './ubifs-format.ts';
