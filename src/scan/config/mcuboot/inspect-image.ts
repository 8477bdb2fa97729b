// Reads an MCUboot image once (binary, or Intel HEX laid out at its load address) and works out everything
// the checks report: the structure, the image hash, each signature against the user's keys and MCUboot's
// sample keys, and the facts. The checks only turn this into findings.
import { InputError } from '../../../io/input-error.ts';
import type { ConfigFile } from '../config-kind.ts';
import {
  FLAG_ENCRYPTED,
  FLAG_RAM_LOAD,
  flagNames,
  formatVersion,
  hasImageMagic,
  hex32,
  IMAGE_HEADER_SIZE,
  type ImageHeader,
  readImageHeader,
  readU32,
} from './image-header.ts';
import { checkImageHash, digest, HASH_TLVS, hashedRegion, hashLabel, type HashOutcome, toHex } from './image-hash.ts';
import { type HexImage, looksLikeIntelHex, parseIntelHex } from './intel-hex.ts';
import { loadSampleKeys, type SampleKey } from './sample-keys.ts';
import {
  isPure,
  namesKey,
  type PublicKey,
  type SignedContent,
  signatureLabel,
  type SignatureUnit,
  signatureUnits,
  verifySignature,
} from './signature.ts';
import { readTlvAreas, type StructureProblem, TLV, type Tlv, tlvName } from './tlv-area.ts';

export interface ImageSource {
  bytes: Uint8Array;
  format: 'binary' | 'intel-hex';
  /** Intel HEX only: the lowest address, where the image is loaded. */
  hexBase?: number;
  hexMissingEof?: boolean;
}

// detect() and scan() both need the HEX laid out; parse it once per file.
const hexCache = new WeakMap<Uint8Array, HexImage>();

/** The image inside the file, or undefined when the file is neither an image nor Intel HEX. A broken HEX throws. */
export function imageSource(file: ConfigFile): ImageSource | undefined {
  if (hasImageMagic(file.bytes)) return { bytes: file.bytes, format: 'binary' };
  if (!looksLikeIntelHex(file.text)) return undefined;
  let hex = hexCache.get(file.bytes);
  if (!hex) {
    hex = parseIntelHex(file.text, file.path);
    hexCache.set(file.bytes, hex);
  }
  return { bytes: hex.data, format: 'intel-hex', hexBase: hex.base, hexMissingEof: hex.missingEof };
}

export interface SignatureCheck {
  unit: SignatureUnit;
  label: string;
  /** False when the payload is encrypted: the signature covers a plaintext only the device can recover. */
  checked: boolean;
  /** The user's keys that the signature's KEYHASH (or PUBKEY) names. */
  namedKeys: PublicKey[];
  /** The user's key the signature verifies with. */
  verifiedWith?: PublicKey;
  /** The sample key the KEYHASH names, or that the signature verifies with. */
  sampleKey?: SampleKey;
  sampleVerified: boolean;
}

export interface ImageInspection {
  source: ImageSource;
  header?: ImageHeader;
  problems: StructureProblem[];
  /** Protected TLVs then unprotected ones, as far as they could be read. */
  tlvs: Tlv[];
  /** Undefined when the hashed bytes or the hash TLV are cut off. */
  hash?: HashOutcome;
  /** Undefined when the TLV area could not be read to its end. */
  signatures?: SignatureCheck[];
  keysGiven: number;
  facts: Record<string, string>;
  incomplete: Array<{ part: string; reason: string }>;
}

export function inspectImage(file: ConfigFile, keys: readonly PublicKey[]): ImageInspection {
  const source = imageSource(file);
  if (!source) {
    throw new InputError(
      `${file.path}: not an MCUboot image: no image magic 0x96f3b83d (bytes 3d b8 f3 96) at offset 0, and not Intel HEX`,
    );
  }
  const bytes = source.bytes;
  if (!hasImageMagic(bytes)) {
    throw new InputError(
      `${file.path}: not an MCUboot image: the Intel HEX data at its lowest address 0x${(source.hexBase ?? 0).toString(16)} does not start with the image magic 0x96f3b83d`,
    );
  }
  const inspection: ImageInspection = {
    source,
    problems: [],
    tlvs: [],
    keysGiven: keys.length,
    facts: { format: source.format === 'intel-hex' ? 'MCUboot image in Intel HEX' : 'MCUboot image' },
    incomplete: [],
  };
  const notChecked = (part: string, reason: string) => inspection.incomplete.push({ part: `${file.path}: ${part}`, reason });
  if (source.hexMissingEof) {
    inspection.problems.push({
      kind: 'truncated',
      message: 'the Intel HEX file ends without an end-of-file record (type 01), so it may have been cut short',
    });
  }
  if (bytes.length < IMAGE_HEADER_SIZE) {
    inspection.problems.push({ kind: 'truncated', message: `the 32-byte image header is cut: the image has ${bytes.length} bytes` });
    notChecked('image', 'the header is truncated');
    return inspection;
  }
  const header = readImageHeader(bytes);
  inspection.header = header;
  addHeaderFacts(inspection.facts, header, source);
  if (header.hdrSize < IMAGE_HEADER_SIZE) {
    inspection.problems.push({ kind: 'malformed', message: `ih_hdr_size is ${header.hdrSize}, smaller than the 32-byte header itself` });
    notChecked('image', 'the header is malformed');
    return inspection;
  }
  const payloadEnd = header.hdrSize + header.imgSize;
  if (payloadEnd > bytes.length) {
    inspection.problems.push({
      kind: 'truncated',
      message: `the header says the payload is ${header.imgSize} bytes from offset ${header.hdrSize} (to offset ${payloadEnd}), but the image ends at ${bytes.length}`,
    });
    notChecked('image hash, signature', 'the payload is truncated');
    return inspection;
  }
  const areas = readTlvAreas(bytes, header);
  inspection.problems.push(...areas.problems);
  inspection.tlvs = [...areas.protectedTlvs, ...areas.tlvs];
  addTlvFacts(inspection.facts, inspection.tlvs);

  const region = hashedRegion(bytes, header);
  const hashTlvRead = areas.tlvs.some((t) => HASH_TLVS.has(t.type));
  if (region && (areas.complete || hashTlvRead)) inspection.hash = checkImageHash(region, header, areas.tlvs);
  else notChecked('image hash', 'the TLV area is truncated or malformed before an image hash TLV');
  if (inspection.hash && inspection.hash.status !== 'missing') inspection.facts['hash algorithm'] = hashLabel(inspection.hash.algorithm);
  else if (areas.complete) inspection.facts['hash algorithm'] = 'none';
  if ((header.flags & FLAG_ENCRYPTED) !== 0)
    notChecked('image hash, signature', 'the payload is encrypted; the hash and signature cover the plaintext');

  if (region && areas.complete) {
    inspection.signatures = checkSignatures(region, areas.tlvs, inspection.hash, (header.flags & FLAG_ENCRYPTED) !== 0, keys);
    const labels = inspection.signatures.map((s) => s.label + (s.unit.tlv.type === TLV.ED25519 && isPure(areas.tlvs) ? ' (pure)' : ''));
    inspection.facts['signature algorithm'] = labels.length ? labels.join(' + ') : 'none';
  } else notChecked('signature', 'the TLV area is truncated or malformed');
  return inspection;
}

function checkSignatures(
  region: Uint8Array,
  tlvs: readonly Tlv[],
  hash: HashOutcome | undefined,
  encrypted: boolean,
  keys: readonly PublicKey[],
): SignatureCheck[] {
  // Without a hash TLV, bootutil would hash with SHA-256 (and then refuse the image anyway).
  const hashAlgorithm = hash && hash.status !== 'missing' ? hash.algorithm : 'sha256';
  const hashed = hash?.status === 'match' ? hash.digest : digest(hashAlgorithm, region);
  const content: SignedContent = { region, hashAlgorithm, digest: hashed, pure: isPure(tlvs) };
  const checked = !encrypted;
  const samples = loadSampleKeys();
  return signatureUnits(tlvs).map((unit) => {
    const verifiedWith = checked ? keys.find((k) => verifySignature(unit, k, content)) : undefined;
    const namedSample = samples.find((k) => namesKey(unit, k));
    const verifiedSample = checked ? samples.find((k) => verifySignature(unit, k, content)) : undefined;
    const sampleKey = verifiedSample ?? namedSample;
    return {
      unit,
      label: signatureLabel(unit, verifiedWith ?? sampleKey),
      checked,
      namedKeys: keys.filter((k) => namesKey(unit, k)),
      ...(verifiedWith ? { verifiedWith } : {}),
      ...(sampleKey ? { sampleKey } : {}),
      sampleVerified: verifiedSample !== undefined,
    };
  });
}

function addHeaderFacts(facts: Record<string, string>, header: ImageHeader, source: ImageSource): void {
  facts.version = formatVersion(header.version);
  facts['image size'] = `${header.imgSize} bytes`;
  facts['header size'] = `${header.hdrSize} bytes`;
  if (source.hexBase !== undefined) {
    facts['load address'] = hex32(source.hexBase);
    if (header.loadAddr !== 0) facts['header load address'] = hex32(header.loadAddr);
  } else facts['load address'] = hex32(header.loadAddr);
  if ((header.flags & FLAG_RAM_LOAD) !== 0) facts['RAM load address'] = hex32(header.loadAddr);
  if (header.flags !== 0) facts.flags = flagNames(header.flags).join(' ');
}

function addTlvFacts(facts: Record<string, string>, tlvs: readonly Tlv[]): void {
  const names = (prot: boolean) =>
    tlvs
      .filter((t) => t.protected === prot)
      .map((t) => tlvName(t.type))
      .join(' ');
  if (tlvs.some((t) => t.protected)) facts['protected TLVs'] = names(true);
  facts.TLVs = names(false) || 'none';
  const counter = tlvs.find((t) => t.protected && t.type === TLV.SEC_CNT && t.value.length === 4);
  if (counter) facts['security counter'] = String(readU32(counter.value, 0));
  const keyHash = tlvs.find((t) => !t.protected && t.type === TLV.KEYHASH);
  if (keyHash) facts['key hash'] = toHex(keyHash.value);
}
