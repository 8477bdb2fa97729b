// Carving: filesystems and boot containers found by signature inside raw flash dumps and firmware blobs, and
// U-Boot environments found by their variables and CRC.
export { findSignatures, type Signature, type SignatureOptions, type SignatureType } from './signatures.ts';
export { parseUImageHeader, readUImage, type ReadAt, type UImage, type UImageHeader, uImagePayload, UIMAGE_MAGIC } from './uimage.ts';
export { type Fit, type FitConfiguration, type FitImage, type FdtNode, parseFdt, parseFdtHeader, readFit } from './fit.ts';
export { CARVED_ENV_SIZES, findUbootEnvironments, type UbootEnvHit, type UbootEnvOptions } from './uboot-env.ts';
