// Fuzzing the MCUboot header/TLV reader and the Intel HEX reader: arbitrary bytes and mutated imgtool images
// get a result or a one-line InputError, never another exception, and never hang.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../../src/io/input-error.ts';
import { readImageHeader } from '../../../../src/scan/config/mcuboot/image-header.ts';
import { mcubootKind } from '../../../../src/scan/config/mcuboot/index.ts';
import { parseIntelHex } from '../../../../src/scan/config/mcuboot/intel-hex.ts';
import { readTlvAreas } from '../../../../src/scan/config/mcuboot/tlv-area.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { buildImage, layout, record, sharedKey, toIntelHex } from '../../../helpers/mcuboot-image-builder.ts';
import { fixture, fixtureKey } from './scan-image.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Far above what one scan of a 66 KB image takes; a loop that does not end would blow through it. */
const SLOW_MS = 2000;

const KEYS = ['own-ed25519.pub.pem', 'own-rsa2048.pub.pem', 'own-ec256.pub.pem', 'sample-keys/root-ec-p256.pub.pem'].map(fixtureKey);
const IMAGES = ['app-ec256-samplekey.signed.bin', 'app-ed25519.signed.bin', 'app-rsa2048.signed.bin', 'app-hash-only.bin'].map(fixture);
const HEX_TEXT = Buffer.from(fixture('app-ec256.signed.hex')).toString('utf8');

function onlyInputErrors(run: () => unknown): void {
  const started = cpuClock();
  try {
    run();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    assert.equal(error.message.includes('\n'), false, `multi-line error: ${error.message}`);
  }
  assert.ok(started() < SLOW_MS, 'took too long');
}

function scanBytes(bytes: Uint8Array, path = 'fuzz.bin'): void {
  const file = configFileFrom(path, bytes);
  onlyInputErrors(() => mcubootKind.detect(file));
  onlyInputErrors(() => {
    const scan = mcubootKind.scan(file, { keys: KEYS });
    for (const f of scan.findings) assert.ok(f.message.length > 0);
  });
}

/** The offsets of every length and magic in an image: where a mutation does the most damage. */
function structuralOffsets(image: Uint8Array): number[] {
  const { payloadEnd, tlvStart, tlvs } = layout(image);
  const around = (at: number) => [at, at + 1, at + 2, at + 3];
  return [
    ...around(0),
    ...around(8),
    ...around(12),
    ...around(payloadEnd),
    ...around(tlvStart),
    ...tlvs.flatMap((t) => around(t.offset - 4)),
  ];
}

/** A fixture with some bytes overwritten (mostly lengths and magics), cut or extended. */
const mutatedImage = fc
  .tuple(
    fc.nat({ max: IMAGES.length - 1 }),
    fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([pick, edits, cut]) => {
    const original = IMAGES[pick] as Uint8Array;
    const image = new Uint8Array(original);
    const hot = structuralOffsets(original);
    for (const [structural, where, value] of edits) {
      const at = structural ? (hot[where % hot.length] as number) : where % image.length;
      image[at] = value;
    }
    return cut === undefined ? image : image.subarray(0, cut % (image.length + 1));
  });

/** Header fields set to hostile values: huge sizes, zero sizes, sizes just off by one. */
const hostileHeader = fc
  .record({
    hdrSize: fc.oneof(fc.constantFrom(0, 1, 31, 32, 0x200, 0xffff), fc.integer({ min: 0, max: 0xffff })),
    protectTlvSize: fc.oneof(fc.constantFrom(0, 4, 11, 12, 0xffff), fc.integer({ min: 0, max: 0xffff })),
    imgSize: fc.oneof(fc.constantFrom(0, 4095, 4096, 4097, 0xffffffff), fc.nat()),
    tlvTotal: fc.oneof(fc.constantFrom(0, 3, 4, 0xffff), fc.integer({ min: 0, max: 0xffff })),
  })
  .map(({ hdrSize, protectTlvSize, imgSize, tlvTotal }) => {
    const image = buildImage({ securityCounter: 1 });
    const { tlvStart } = layout(image);
    const view = new DataView(image.buffer);
    view.setUint16(8, hdrSize, true);
    view.setUint16(10, protectTlvSize, true);
    view.setUint32(12, imgSize >>> 0, true);
    view.setUint16(tlvStart + 2, tlvTotal, true);
    return image;
  });

/** A HEX text with lines dropped, duplicated or changed. */
const mutatedHex = fc
  .array(fc.tuple(fc.constantFrom('drop', 'dup', 'char'), fc.nat(), fc.nat()), { minLength: 1, maxLength: 5 })
  .map((edits) => {
    const lines = HEX_TEXT.split('\n');
    for (const [kind, where, what] of edits) {
      const at = where % lines.length;
      const line = lines[at] ?? '';
      if (kind === 'drop') lines.splice(at, 1);
      else if (kind === 'dup') lines.splice(at, 0, line);
      else {
        const i = what % Math.max(line.length, 1);
        lines[at] = line.slice(0, i) + ':0123456789ABCDEFxZ\r'[what % 20] + line.slice(i + 1);
      }
    }
    return lines.join('\n');
  });

/** Records that parse: each with a valid checksum, of any type, at any address. */
const validRecords = fc
  .array(fc.tuple(fc.constantFrom(0, 0, 0, 1, 2, 3, 4, 5), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 20 })), {
    maxLength: 30,
  })
  .map((records) => records.map(([type, offset, data]) => record(type, offset, data)).join('\n'));

describe('MCUboot parsers under fuzzing', () => {
  it('arbitrary bytes', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => scanBytes(bytes)),
      { numRuns: RUNS },
    );
  });

  it('arbitrary bytes behind the image magic', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (tail) => scanBytes(Uint8Array.from([0x3d, 0xb8, 0xf3, 0x96, ...tail]))),
      { numRuns: RUNS },
    );
  });

  it('mutated and truncated imgtool images', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(mutatedImage, (image) => scanBytes(image)),
      { numRuns: RUNS },
    );
  });

  it('hostile header and TLV sizes: the TLV reader stays inside the file', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(hostileHeader, (image) => {
        scanBytes(image);
        const header = readImageHeader(image);
        const areas = readTlvAreas(image, header);
        for (const t of [...areas.protectedTlvs, ...areas.tlvs]) assert.ok(t.offset + t.value.length <= image.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('signed builder images cut at any point fail the structure check, never crash', { timeout: 120_000 }, () => {
    const images = [
      buildImage({ key: sharedKey('ecdsa-p384'), securityCounter: 3 }),
      buildImage({ key: sharedKey('ed25519'), pure: true }),
    ];
    fc.assert(
      fc.property(fc.nat({ max: images.length - 1 }), fc.nat(), (pick, at) => {
        const image = images[pick] as Uint8Array;
        const cut = image.subarray(0, at % image.length);
        const file = configFileFrom('cut.bin', cut);
        if (cut.length < 4) {
          assert.throws(() => mcubootKind.scan(file, {}), InputError);
          return;
        }
        const scan = mcubootKind.scan(file, {});
        assert.deepEqual(
          scan.findings.filter((f) => f.check === 'config/mcuboot/image-structure').map((f) => f.result),
          ['fail'],
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary text and mutated Intel HEX', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), mutatedHex, validRecords), (text) => {
        onlyInputErrors(() => parseIntelHex(text, 'fuzz.hex'));
        scanBytes(new TextEncoder().encode(text), 'fuzz.hex');
      }),
      { numRuns: RUNS },
    );
  });

  it('Intel HEX of a mutated image', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(mutatedImage, fc.integer({ min: 0, max: 0xfff00000 }), (image, base) => {
        if (image.length === 0) return;
        scanBytes(new TextEncoder().encode(toIntelHex(image, base)), 'fuzz.hex');
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
