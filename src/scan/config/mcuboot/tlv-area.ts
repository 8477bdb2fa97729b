// The TLV areas after the payload: the protected area (info magic 0x6908, covered by the image hash) when
// ih_protect_tlv_size > 0, then the unprotected area (info magic 0x6907). Every info's it_tlv_tot counts its
// own 4-byte info header, as in bootutil's tlv.c. Each length is checked against both the area and the file,
// so a hostile image cannot send the reader past either; each step moves at least 4 bytes, so the loops end.
import { type ImageHeader, readU16 } from './image-header.ts';

export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;

/** TLV type ids, as imgtool's TLV_VALUES and bootutil's image.h define them. */
export const TLV = {
  KEYHASH: 0x01,
  PUBKEY: 0x02,
  KEYID: 0x03,
  SHA256: 0x10,
  SHA384: 0x11,
  SHA512: 0x12,
  RSA2048_PSS: 0x20,
  ECDSA224: 0x21,
  ECDSA_SIG: 0x22,
  RSA3072_PSS: 0x23,
  ED25519: 0x24,
  SIG_PURE: 0x25,
  ENC_RSA2048: 0x30,
  ENC_KW: 0x31,
  ENC_EC256: 0x32,
  ENC_X25519: 0x33,
  ENC_X25519_SHA512: 0x34,
  DEPENDENCY: 0x40,
  SEC_CNT: 0x50,
  BOOT_RECORD: 0x60,
  DECOMP_SIZE: 0x70,
  DECOMP_SHA: 0x71,
  DECOMP_SIGNATURE: 0x72,
  COMP_DEC_SIZE: 0x73,
} as const;

const TLV_NAMES = new Map<number, string>(Object.entries(TLV).map(([name, type]) => [type, name]));

export function tlvName(type: number): string {
  return TLV_NAMES.get(type) ?? `0x${type.toString(16).padStart(2, '0')}`;
}

export interface Tlv {
  type: number;
  /** Offset of the value in the image. */
  offset: number;
  value: Uint8Array;
  protected: boolean;
}

/** Why the image cannot be read whole: cut short, or inconsistent with itself. */
export interface StructureProblem {
  kind: 'truncated' | 'malformed';
  message: string;
}

export interface TlvAreas {
  protectedTlvs: Tlv[];
  tlvs: Tlv[];
  /** Both areas were read to their declared ends. */
  complete: boolean;
  /** Offset just past the unprotected area, when its info header was read. */
  end?: number;
  problems: StructureProblem[];
}

export function readTlvAreas(bytes: Uint8Array, header: ImageHeader): TlvAreas {
  const areas: TlvAreas = { protectedTlvs: [], tlvs: [], complete: false, problems: [] };
  const problems = areas.problems;
  const start = header.hdrSize + header.imgSize;
  if (start + 4 > bytes.length) {
    problems.push({
      kind: 'truncated',
      message: `the TLV area should start at offset ${start} (after the ${header.imgSize}-byte payload) but the file ends at ${bytes.length}`,
    });
    return areas;
  }
  let infoOffset = start;
  const firstMagic = readU16(bytes, start);
  if (header.protectTlvSize > 0) {
    if (firstMagic !== TLV_PROT_INFO_MAGIC) {
      problems.push({
        kind: 'malformed',
        message: `the header declares ${header.protectTlvSize} bytes of protected TLVs, but offset ${start} holds 0x${firstMagic.toString(16)}, not the protected TLV magic 0x6908`,
      });
      return areas;
    }
    const total = readU16(bytes, start + 2);
    if (total !== header.protectTlvSize) {
      problems.push({
        kind: 'malformed',
        message: `the protected TLV area says it is ${total} bytes, the header says ${header.protectTlvSize}`,
      });
      return areas;
    }
    const read = readTlvs(bytes, start + 4, start + total, true, problems);
    areas.protectedTlvs = read.tlvs;
    if (!read.ok) return areas;
    infoOffset = start + total;
  } else if (firstMagic === TLV_PROT_INFO_MAGIC) {
    problems.push({
      kind: 'malformed',
      message: `a protected TLV area (0x6908) follows the payload, but the header's ih_protect_tlv_size is 0`,
    });
    return areas;
  }
  if (infoOffset + 4 > bytes.length) {
    problems.push({
      kind: 'truncated',
      message: `the TLV info (0x6907) should be at offset ${infoOffset} but the file ends at ${bytes.length}`,
    });
    return areas;
  }
  const magic = readU16(bytes, infoOffset);
  if (magic !== TLV_INFO_MAGIC) {
    problems.push({ kind: 'malformed', message: `offset ${infoOffset} holds 0x${magic.toString(16)}, not the TLV info magic 0x6907` });
    return areas;
  }
  const total = readU16(bytes, infoOffset + 2);
  if (total < 4) {
    problems.push({ kind: 'malformed', message: `the TLV area says it is ${total} bytes, less than its own 4-byte info header` });
    return areas;
  }
  areas.end = infoOffset + total;
  const read = readTlvs(bytes, infoOffset + 4, infoOffset + total, false, problems);
  areas.tlvs = read.tlvs;
  areas.complete = read.ok;
  return areas;
}

function readTlvs(bytes: Uint8Array, from: number, end: number, prot: boolean, problems: StructureProblem[]): { tlvs: Tlv[]; ok: boolean } {
  const area = prot ? 'protected TLV area' : 'TLV area';
  const cut = (): StructureProblem => ({
    kind: 'truncated',
    message: `the ${area} is cut: it should end at offset ${end}, the file ends at ${bytes.length}`,
  });
  const tlvs: Tlv[] = [];
  let at = from;
  while (at < end) {
    if (at + 4 > bytes.length) {
      problems.push(cut());
      return { tlvs, ok: false };
    }
    if (at + 4 > end) {
      problems.push({ kind: 'malformed', message: `a TLV header at offset ${at} crosses the end of the ${area} (offset ${end})` });
      return { tlvs, ok: false };
    }
    const type = readU16(bytes, at);
    const length = readU16(bytes, at + 2);
    const valueEnd = at + 4 + length;
    if (valueEnd > end) {
      problems.push({
        kind: 'malformed',
        message: `TLV ${tlvName(type)} at offset ${at} says it holds ${length} bytes, past the end of the ${area} (offset ${end})`,
      });
      return { tlvs, ok: false };
    }
    if (valueEnd > bytes.length) {
      problems.push(cut());
      return { tlvs, ok: false };
    }
    tlvs.push({ type, offset: at + 4, value: bytes.subarray(at + 4, valueEnd), protected: prot });
    at = valueEnd;
  }
  return { tlvs, ok: true };
}
