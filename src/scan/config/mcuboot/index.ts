// MCUboot signed application images (imgtool's .bin / .signed.bin, or Intel HEX): the header, the image hash,
// the signature against the maker's public keys (--key), and MCUboot's published sample keys.
import { InputError } from '../../../io/input-error.ts';
import type { RuleListing } from '../../check.ts';
import { toFinding } from '../../check.ts';
import type { ConfigFile, ConfigKind, ConfigScan, ConfigScanOptions } from '../config-kind.ts';
import { MCUBOOT_CHECKS } from './checks.ts';
import { hasImageMagic } from './image-header.ts';
import { imageSource, inspectImage } from './inspect-image.ts';
import { publicKeyFromPem } from './signature.ts';

/** A HEX file is text and could be something else; an image's magic at offset 0 leaves no doubt. */
const HEX_SCORE = 0.95;

export const mcubootKind: ConfigKind = {
  name: 'mcuboot',
  description: 'MCUboot signed images (.bin, .signed.bin, Intel HEX): image hash, signature, sample keys',
  detect(file: ConfigFile): number {
    if (hasImageMagic(file.bytes)) return 1;
    try {
      const source = imageSource(file);
      return source && hasImageMagic(source.bytes) ? HEX_SCORE : 0;
    } catch (error) {
      if (error instanceof InputError) return 0;
      throw error;
    }
  },
  scan(file: ConfigFile, options: ConfigScanOptions): ConfigScan {
    const keys = (options.keys ?? []).map((k) => publicKeyFromPem(k.path, k.pem));
    const image = inspectImage(file, keys);
    const subject = { path: file.path, image };
    const findings = MCUBOOT_CHECKS.flatMap((check) => [...check.run(subject)].map((draft) => toFinding(check, draft)));
    return { findings, facts: image.facts, incomplete: image.incomplete };
  },
  rules(): RuleListing[] {
    return MCUBOOT_CHECKS.map((check) => ({
      kind: 'mcuboot',
      id: check.id,
      title: check.title,
      setting: check.setting,
      expected: check.expected,
      provisions: check.provisions,
      severity: check.severity,
      rationale: check.rationale,
      source: check.source,
    }));
  },
};
