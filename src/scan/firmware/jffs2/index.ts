// JFFS2 flash filesystems, read in process.
export { Jffs2Image, type Jffs2Options, openJffs2 } from './jffs2-fs.ts';
export { headerEndian } from './format.ts';
