// The 32-byte MCUboot image header (mcu-tools/mcuboot docs/design.md, `struct image_header`), little-endian.

export const IMAGE_MAGIC = 0x96f3b83d;
export const IMAGE_HEADER_SIZE = 32;

/** Header flags, from imgtool's IMAGE_F table and bootutil's image.h. */
export const IMAGE_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x00000001, 'PIC'],
  [0x00000004, 'ENCRYPTED_AES128'],
  [0x00000008, 'ENCRYPTED_AES256'],
  [0x00000010, 'NON_BOOTABLE'],
  [0x00000020, 'RAM_LOAD'],
  [0x00000100, 'ROM_FIXED'],
  [0x00000200, 'COMPRESSED_LZMA1'],
  [0x00000400, 'COMPRESSED_LZMA2'],
  [0x00000800, 'COMPRESSED_ARM_THUMB'],
];
export const FLAG_ENCRYPTED = 0x00000004 | 0x00000008;
export const FLAG_RAM_LOAD = 0x00000020;

export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  buildNum: number;
}

export interface ImageHeader {
  loadAddr: number;
  /** Where the payload starts: the header, padded (imgtool -H 0x200 gives 512). */
  hdrSize: number;
  /** Size of the protected TLV area including its 4-byte info header; 0 when there is none. */
  protectTlvSize: number;
  /** Payload size, not counting the header. */
  imgSize: number;
  flags: number;
  version: ImageVersion;
}

export function hasImageMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && readU32(bytes, 0) === IMAGE_MAGIC;
}

/** The header's fields; the caller has checked the magic and that 32 bytes are there. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  return {
    loadAddr: readU32(bytes, 4),
    hdrSize: readU16(bytes, 8),
    protectTlvSize: readU16(bytes, 10),
    imgSize: readU32(bytes, 12),
    flags: readU32(bytes, 16),
    version: { major: bytes[20] ?? 0, minor: bytes[21] ?? 0, revision: readU16(bytes, 22), buildNum: readU32(bytes, 24) },
  };
}

/** MCUboot's own spelling of a version, as imgtool's -v takes it: major.minor.revision+build. */
export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}+${v.buildNum}`;
}

export function flagNames(flags: number): string[] {
  const names = IMAGE_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  const known = IMAGE_FLAGS.reduce((all, [bit]) => all | bit, 0);
  const unknown = (flags & ~known) >>> 0;
  if (unknown !== 0) names.push(`0x${unknown.toString(16)}`);
  return names;
}

export function hex32(n: number): string {
  return `0x${n.toString(16)}`;
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return (readU16(bytes, offset) | (readU16(bytes, offset + 2) << 16)) >>> 0;
}
