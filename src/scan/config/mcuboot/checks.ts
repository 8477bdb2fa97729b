// The MCUboot checks: each one's metadata beside its detector. The inspection has already done the parsing
// and the cryptography; a check says what it means, one case per finding.
import type { Check, FindingDraft } from '../../check.ts';
import { FLAG_ENCRYPTED, flagNames } from './image-header.ts';
import { hashLabel, toHex } from './image-hash.ts';
import type { ImageInspection, SignatureCheck } from './inspect-image.ts';
import { loadSampleKeys } from './sample-keys.ts';

export interface McubootSubject {
  path: string;
  image: ImageInspection;
}

/** What `baseline rules` shows for a check: the part of the image it reads and what good looks like. */
export interface McubootCheck extends Check<McubootSubject> {
  setting: string;
  expected: string;
  source: string;
}

const DESIGN = 'mcu-tools/mcuboot docs/design.md (image format), boot/bootutil/src/image_validate.c and tlv.c';

export const imageStructure: McubootCheck = {
  id: 'config/mcuboot/image-structure',
  title: 'MCUboot image is complete and well-formed',
  provisions: ['5.3-9', '5.7-1'],
  severity: 'medium',
  setting: 'image header, TLV info',
  expected: 'ih_img_size and the TLV areas fit the file; TLV info magics 0x6908/0x6907 where the header says',
  source: DESIGN,
  rationale:
    'MCUboot reads the payload size and the TLV areas from the header and refuses an image that is cut short or whose TLV area does not add up; such an image cannot be verified, by the bootloader or by anyone else.',
  remediation:
    'Ship the image exactly as imgtool wrote it (check the transfer or the build step that copied it), and sign it again if it was edited.',
  *run({ path, image }) {
    if (image.problems.length === 0) {
      const { header, tlvs } = image;
      yield {
        result: 'pass',
        location: { path },
        message: `header, ${header?.imgSize ?? 0}-byte payload and TLV area are complete (${tlvs.length} TLV${tlvs.length === 1 ? '' : 's'})`,
      };
      return;
    }
    for (const problem of image.problems) {
      yield {
        result: 'fail',
        location: { path },
        message: `${problem.kind === 'truncated' ? 'truncated' : 'malformed'} image: ${problem.message}`,
      };
    }
  },
};

export const imageHash: McubootCheck = {
  id: 'config/mcuboot/image-hash',
  title: 'MCUboot image hash matches the image',
  provisions: ['5.3-9', '5.7-1'],
  severity: 'high',
  setting: 'image hash TLV (SHA256 0x10, SHA384 0x11, SHA512 0x12)',
  expected: 'present, and equal to the hash of header, payload and protected TLVs',
  source: DESIGN,
  rationale:
    'The hash TLV is what MCUboot checks an image against before it boots or installs it: a missing hash leaves the image unchecked, and a hash that does not match means the image was changed after it was built and signed.',
  remediation: 'Rebuild and sign the image with imgtool sign; if the hash does not match, find where the image was altered after signing.',
  *run({ path, image }) {
    const hash = image.hash;
    if (!hash) return;
    const location = { path };
    switch (hash.status) {
      case 'match':
        yield {
          result: 'pass',
          location,
          message: `the ${hashLabel(hash.algorithm)} image hash matches the header, payload and protected TLVs`,
        };
        return;
      case 'mismatch':
        yield {
          result: 'fail',
          location,
          message: `tampered image: the ${hashLabel(hash.algorithm)} image hash does not match the image's content, so it was changed after it was hashed and signed; MCUboot refuses it`,
          evidence: `stored ${toHex(hash.stored)}, computed ${toHex(hash.computed)}`,
        };
        return;
      case 'bad-length':
        yield {
          result: 'fail',
          location,
          message: `the ${hashLabel(hash.algorithm)} TLV holds ${hash.length} bytes, not a ${hashLabel(hash.algorithm)} hash; MCUboot rejects the image`,
        };
        return;
      case 'missing':
        yield {
          result: 'fail',
          location,
          message: "no image hash TLV (SHA256, SHA384 or SHA512): the image's integrity cannot be checked, and MCUboot refuses it",
        };
        return;
      case 'encrypted':
        yield {
          result: 'info',
          severity: 'info',
          location,
          message: `the payload is encrypted (${flagNames((image.header?.flags ?? 0) & FLAG_ENCRYPTED).join(' ')}): the ${hashLabel(hash.algorithm)} image hash covers the plaintext, so it could not be checked without the device's decryption key`,
        };
        return;
    }
  },
};

export const signature: McubootCheck = {
  id: 'config/mcuboot/signature',
  title: 'MCUboot image is signed, and the signature verifies',
  provisions: ['5.3-7', '5.3-9', '5.7-1'],
  severity: 'high',
  setting: 'signature TLV (RSA2048_PSS 0x20, ECDSA_SIG 0x22, RSA3072_PSS 0x23, ED25519 0x24)',
  expected: "present, and valid over the image hash with the maker's public key (--key)",
  source: `${DESIGN}; scripts/imgtool/keys/*.py`,
  rationale:
    "Only a signature lets the bootloader tell the maker's images from anyone else's: a hash alone proves the image is intact, not who made it, and a signature that does not verify with the maker's key means a changed image or another signer.",
  remediation:
    "Sign every image with imgtool sign --key using the product's own private key, build MCUboot with the matching public key and signature type, and pass that public key to this scan with --key.",
  *run({ path, image }) {
    const signatures = image.signatures;
    if (!signatures) return;
    const location = { path };
    if (signatures.length === 0) {
      const hash = image.hash;
      const hashed = hash && hash.status !== 'missing' ? hashLabel(hash.algorithm) : undefined;
      yield {
        result: 'fail',
        location,
        message: hashed
          ? `hash-only image: it carries a ${hashed} hash but no signature TLV, so its integrity can be checked, its authenticity cannot: anyone can build an image with a matching hash`
          : 'unsigned image: no signature TLV and no hash TLV, so neither the authenticity nor the integrity of the image can be checked',
      };
      return;
    }
    const anyValid = signatures.some((s) => s.verifiedWith);
    for (const [i, check] of signatures.entries()) {
      const which = signatures.length > 1 ? `signature ${i + 1} of ${signatures.length} (${check.label})` : `the ${check.label} signature`;
      yield signatureFinding(check, which, image, location, anyValid);
    }
  },
};

function signatureFinding(
  check: SignatureCheck,
  which: string,
  image: ImageInspection,
  location: { path: string },
  anyValid: boolean,
): FindingDraft {
  const sampleNote = sampleKeyNote(check);
  if (!check.checked) {
    return {
      result: 'info',
      severity: 'info',
      location,
      message: `${which} could not be verified: the payload is encrypted and the signature covers the plaintext${sampleNote}`,
    };
  }
  if (image.keysGiven === 0) {
    return {
      result: 'info',
      severity: 'info',
      location,
      message: `${which} is present, but no public key was given (--key), so its authenticity could not be verified${sampleNote}`,
    };
  }
  const key = check.verifiedWith;
  if (key) {
    if ((check.unit.keyHash || check.unit.pubKey) && !check.namedKeys.includes(key)) {
      return {
        result: 'fail',
        location,
        message: `${which} verifies with ${key.name}, but the ${keyTlv(check)} names another key, so MCUboot would not check it with this one`,
      };
    }
    return { result: 'pass', location, message: `${which} is valid with ${key.name}${sampleNote}` };
  }
  const hashChanged = image.hash?.status === 'mismatch' ? ' (the image hash does not match either)' : '';
  const named = check.namedKeys[0];
  if (named) {
    return {
      result: 'fail',
      location,
      message: `bad signature: the ${keyTlv(check)} names ${named.name}, but ${which} does not verify with it over the image as it is: the image or the signature was changed after signing${hashChanged}`,
    };
  }
  const keyHash = check.unit.keyHash ? toHex(check.unit.keyHash) : undefined;
  if (anyValid && (check.unit.keyHash || check.unit.pubKey)) {
    // A multi-signature image: bootutil skips a signature whose KEYHASH names no key it holds.
    return {
      result: 'info',
      severity: 'info',
      location,
      message: `${which} names a key that was not given (--key), so it was not checked; another signature is valid`,
      ...(keyHash ? { evidence: `KEYHASH ${keyHash}` } : {}),
    };
  }
  return {
    result: 'fail',
    location,
    message: `${which} verifies with none of the keys given (${image.keysGiven === 1 ? 'one key' : `${image.keysGiven} keys`}): the image was signed with another key, or changed after signing${hashChanged}${sampleNote}`,
    ...(keyHash ? { evidence: `KEYHASH ${keyHash}` } : {}),
  };
}

/** The TLV that says which key made a signature. */
function keyTlv(check: SignatureCheck): string {
  return check.unit.pubKey ? 'PUBKEY TLV' : 'KEYHASH';
}

function sampleKeyNote(check: SignatureCheck): string {
  const sample = check.sampleKey;
  if (!sample) return '';
  const how = check.sampleVerified ? 'it verifies with' : `its ${keyTlv(check)} names`;
  return `; ${how} MCUboot's published sample key ${sample.name} (see config/mcuboot/sample-key)`;
}

export const sampleKey: McubootCheck = {
  id: 'config/mcuboot/sample-key',
  title: 'MCUboot image is not signed with a published sample key',
  provisions: ['5.3-7', '5.7-1'],
  severity: 'critical',
  setting: 'KEYHASH TLV (0x01; or PUBKEY 0x02)',
  expected: 'names none of the root-*.pem sample keys published in the MCUboot repository',
  source:
    'mcu-tools/mcuboot root-*.pem; docs/imgtool.md (the development key is widely distributed and never to be used for production); catalog/rules/mcuboot-sample-keys.yaml',
  rationale:
    'MCUboot publishes its sample private keys with the source. A device that boots images signed with one accepts images from anyone, however valid the signature: the signing key is public.',
  remediation:
    "Generate the product's own key (imgtool keygen), build MCUboot with its public half (imgtool getpub), keep the private key out of the repository, and sign every image with it.",
  *run({ path, image }) {
    const signatures = image.signatures;
    if (!signatures) return;
    const location = { path };
    if (signatures.length === 0) {
      yield { result: 'not-applicable', location, message: 'unsigned image: there is no signing key to compare with the sample keys' };
      return;
    }
    for (const check of signatures) {
      const keyHash = check.unit.keyHash ? toHex(check.unit.keyHash) : undefined;
      const evidence = keyHash ? `KEYHASH ${keyHash}` : undefined;
      const sample = check.sampleKey;
      if (sample) {
        yield {
          result: 'fail',
          location,
          message: `signed with MCUboot's published sample key ${sample.name} (${check.label}): its private key is public, so anyone can sign images this device will boot`,
          evidence: [evidence, check.sampleVerified ? `the signature verifies with ${sample.name}` : undefined].filter(Boolean).join('; '),
        };
      } else if (keyHash || check.unit.pubKey || check.checked) {
        const count = loadSampleKeys().length;
        yield {
          result: 'pass',
          location,
          message:
            keyHash || check.unit.pubKey
              ? `the ${keyTlv(check)} names none of MCUboot's ${count} published sample keys`
              : `the ${check.label} signature verifies with none of MCUboot's ${count} published sample keys`,
          ...(evidence ? { evidence } : {}),
        };
      } else {
        yield {
          result: 'info',
          severity: 'info',
          location,
          message: 'no KEYHASH or PUBKEY TLV, and the encrypted payload keeps the signature from being tried against the sample keys',
        };
      }
    }
  },
};

export const MCUBOOT_CHECKS: readonly McubootCheck[] = [imageStructure, imageHash, signature, sampleKey];
