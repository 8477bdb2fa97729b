// UBI on-disk layout (after the kernel's drivers/mtd/ubi/ubi-media.h), all big-endian. Every physical erase
// block (PEB) starts with a 64-byte erase counter (EC) header ("UBI#"); a PEB that holds data has a 64-byte
// volume identifier (VID) header ("UBI!") at vid_hdr_offset, saying which logical erase block (LEB) of which
// volume it holds; the LEB's data starts at data_offset. The volume table is in the layout volume (two LEBs,
// copies of each other): one 172-byte record per volume. Every header and record has a CRC-32 seeded with ~0.
import { ImageReadError } from '../image-fs.ts';
import { crc32Raw } from '../jffs2/format.ts';

export const EC_MAGIC = 0x55424923; // "UBI#"
export const VID_MAGIC = 0x55424921; // "UBI!"
export const EC_HEADER_SIZE = 64;
export const VID_HEADER_SIZE = 64;
export const VTBL_RECORD_SIZE = 172;
export const MAX_VOLUMES = 128;
export const LAYOUT_VOLUME_ID = 0x7fffefff;
export const VOLUME_NAME_MAX = 127;
export const VOLUME_TYPE = { dynamic: 1, static: 2 } as const;
/** Volume table flag: the volume grows to fill the free PEBs on first attach. */
export const VTBL_AUTORESIZE = 0x01;
export const CRC_INIT = 0xffffffff;

export function be32(b: Uint8Array, i: number): number {
  return (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;
}

function be16(b: Uint8Array, i: number): number {
  return ((b[i] as number) << 8) | (b[i + 1] as number);
}

/** A 64-bit big-endian count as a number (saturating at 2^53, which no real count reaches). */
function be64(b: Uint8Array, i: number): number {
  const hi = be32(b, i);
  return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + be32(b, i + 4);
}

export function isErased(b: Uint8Array): boolean {
  for (const byte of b) if (byte !== 0xff) return false;
  return true;
}

export interface EcHeader {
  version: number;
  eraseCount: number;
  vidHeaderOffset: number;
  dataOffset: number;
  imageSeq: number;
}

/** The EC header at b[0..64), or undefined when the magic or CRC is wrong. */
export function parseEcHeader(b: Uint8Array): EcHeader | undefined {
  if (b.length < EC_HEADER_SIZE || be32(b, 0) !== EC_MAGIC) return undefined;
  if (crc32Raw(b.subarray(0, 60), CRC_INIT) !== be32(b, 60)) return undefined;
  return { version: b[4] as number, eraseCount: be64(b, 8), vidHeaderOffset: be32(b, 16), dataOffset: be32(b, 20), imageSeq: be32(b, 24) };
}

export interface VidHeader {
  version: number;
  volType: number;
  copyFlag: number;
  compat: number;
  volId: number;
  lnum: number;
  /** Static volumes: bytes of data in this LEB. */
  dataSize: number;
  /** Static volumes: how many LEBs the volume's data uses. */
  usedEbs: number;
  dataPad: number;
  dataCrc: number;
  sqnum: number;
}

/** The VID header at b[0..64), or undefined when the magic or CRC is wrong. */
export function parseVidHeader(b: Uint8Array): VidHeader | undefined {
  if (b.length < VID_HEADER_SIZE || be32(b, 0) !== VID_MAGIC) return undefined;
  if (crc32Raw(b.subarray(0, 60), CRC_INIT) !== be32(b, 60)) return undefined;
  return {
    version: b[4] as number,
    volType: b[5] as number,
    copyFlag: b[6] as number,
    compat: b[7] as number,
    volId: be32(b, 8),
    lnum: be32(b, 12),
    dataSize: be32(b, 20),
    usedEbs: be32(b, 24),
    dataPad: be32(b, 28),
    dataCrc: be32(b, 32),
    sqnum: be64(b, 40),
  };
}

export interface VtblRecord {
  /** The record's index in the table: the volume id. */
  id: number;
  reservedPebs: number;
  alignment: number;
  dataPad: number;
  volType: number;
  updMarker: number;
  name: string;
  flags: number;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The volume table in a layout LEB's data: the records in use (reserved_pebs > 0), or undefined when a
 * record's CRC is wrong (the caller then tries the other copy).
 */
export function parseVolumeTable(data: Uint8Array): VtblRecord[] | undefined {
  const count = Math.min(MAX_VOLUMES, Math.floor(data.length / VTBL_RECORD_SIZE));
  if (count === 0) return undefined;
  const records: VtblRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r = data.subarray(i * VTBL_RECORD_SIZE, (i + 1) * VTBL_RECORD_SIZE);
    if (crc32Raw(r.subarray(0, 168), CRC_INIT) !== be32(r, 168)) return undefined;
    const reservedPebs = be32(r, 0);
    if (reservedPebs === 0) continue;
    const nameLength = Math.min(be16(r, 14), VOLUME_NAME_MAX);
    const bytes = r.subarray(16, 16 + nameLength);
    let name: string;
    try {
      name = utf8.decode(bytes);
    } catch {
      name = latin1.decode(bytes);
    }
    records.push({
      id: i,
      reservedPebs,
      alignment: be32(r, 4),
      dataPad: be32(r, 8),
      volType: r[12] as number,
      updMarker: r[13] as number,
      name,
      flags: r[144] as number,
    });
  }
  return records;
}

/**
 * The PEB size of the UBI image whose first EC header is at `start`: the smallest power of two (4 KiB to
 * 16 MiB, and past the first header's data offset) with a valid EC header of the same image sequence number
 * at an odd multiple of it (1, 3, 5 or 7), so that erased or bad PEBs in between do not double the answer and
 * half the size, whose odd multiples are in the middle of PEBs, is not taken. Undefined when the image has
 * one PEB or none can be told.
 */
export function detectPebSize(read: (position: number, length: number) => Uint8Array, size: number, start = 0): number | undefined {
  const first = parseEcHeader(read(start, EC_HEADER_SIZE));
  if (!first) return undefined;
  for (let peb = 4096; peb <= 16 << 20; peb *= 2) {
    if (peb <= first.dataOffset || peb <= first.vidHeaderOffset) continue;
    for (let k = 1; k <= 7; k += 2) {
      const at = start + k * peb;
      if (at + EC_HEADER_SIZE > size) break;
      const ec = parseEcHeader(read(at, EC_HEADER_SIZE));
      if (ec && ec.imageSeq === first.imageSeq) return peb;
    }
  }
  return undefined;
}

/** Throws unless the EC header's offsets fit a PEB of `pebSize` bytes. */
export function checkEcOffsets(ec: EcHeader, pebSize: number, where: string): void {
  if (ec.vidHeaderOffset < EC_HEADER_SIZE || ec.vidHeaderOffset + VID_HEADER_SIZE > ec.dataOffset || ec.dataOffset >= pebSize)
    throw new ImageReadError(
      `${where}: EC header offsets make no sense (VID header at ${ec.vidHeaderOffset}, data at ${ec.dataOffset}, PEB of ${pebSize} bytes)`,
    );
}
