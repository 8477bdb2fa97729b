// What an archive is, from its first bytes (never from its file name: firmware names lie).
import type { Codec } from '../compression/index.ts';

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** Whether the first 512 bytes are a tar header: "ustar" at 257, or (old v7 tar) a valid header checksum. */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  if (startsWith(block, ascii('ustar'), 257)) return true;
  let stored = 0;
  let digits = 0;
  let i = 148;
  while (i < 156 && (block[i] === 0x20 || block[i] === 0)) i++;
  for (; i < 156; i++) {
    const c = block[i] as number;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return false;
    stored = stored * 8 + c - 0x30;
    digits++;
  }
  if (digits === 0) return false;
  let sum = 0;
  for (let j = 0; j < 512; j++) sum += j >= 148 && j < 156 ? 0x20 : (block[j] as number);
  // A block of zeros "checks" as 256 (the spaces alone): not a header.
  return sum === stored && sum !== 256 && block[0] !== 0;
}

/** The archive format whose signature the bytes start with. */
export function archiveKind(firstBytes: Uint8Array): 'tar' | 'cpio' | 'zip' | undefined {
  if (startsWith(firstBytes, ascii('070701')) || startsWith(firstBytes, ascii('070702')) || startsWith(firstBytes, ascii('070707')))
    return 'cpio';
  // Old binary cpio: the 16-bit word 070707 in either byte order.
  if (startsWith(firstBytes, [0xc7, 0x71]) || startsWith(firstBytes, [0x71, 0xc7])) return 'cpio';
  // A local file header, a spanned archive's marker, or the end record of an empty zip.
  if (startsWith(firstBytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(firstBytes, [0x50, 0x4b, 0x07, 0x08])) return 'zip';
  if (startsWith(firstBytes, [0x50, 0x4b, 0x05, 0x06]) && firstBytes.length >= 22) return 'zip';
  if (isTarHeader(firstBytes)) return 'tar';
  return undefined;
}

/** The compression of a stream, by its magic number. */
export function compressionOf(firstBytes: Uint8Array): Codec | undefined {
  if (startsWith(firstBytes, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(firstBytes, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(firstBytes, [0x42, 0x5a, 0x68]) && (firstBytes[3] ?? 0) >= 0x31 && (firstBytes[3] ?? 0) <= 0x39) return 'bzip2';
  if (startsWith(firstBytes, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(firstBytes, [0x04, 0x22, 0x4d, 0x18]) || startsWith(firstBytes, [0x02, 0x21, 0x4c, 0x18])) return 'lz4-frame';
  if (startsWith(firstBytes, [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a])) return 'lzop';
  // LZMA alone: properties byte 0x5d (lc=3, lp=0, pb=2, what every tool writes), a power-of-two-ish dictionary
  // size, and an unpacked size that is either known (< 2^48 here) or all ones.
  if (firstBytes.length >= 13 && firstBytes[0] === 0x5d && firstBytes[4] !== undefined) {
    const dict =
      ((firstBytes[1] as number) |
        ((firstBytes[2] as number) << 8) |
        ((firstBytes[3] as number) << 16) |
        ((firstBytes[4] as number) << 24)) >>>
      0;
    const sizeHigh = [11, 12].map((i) => firstBytes[i] as number);
    const unknownSize = firstBytes.subarray(5, 13).every((b) => b === 0xff);
    if (dict >= 1 << 12 && (dict & (dict - 1)) === 0 && (unknownSize || sizeHigh.every((b) => b === 0))) return 'lzma';
    if (dict >= 1 << 12 && (unknownSize || sizeHigh.every((b) => b === 0)) && firstBytes[1] === 0 && firstBytes[2] === 0) return 'lzma';
  }
  return undefined;
}
