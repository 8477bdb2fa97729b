// ext2, ext3 and ext4 filesystems read in process through ImageFs.
export { ExtImage, type ExtOptions, openExt } from './ext-fs.ts';
export { extFlavour, parseSuperblock, type Superblock } from './format.ts';
