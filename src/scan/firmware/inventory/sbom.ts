// A CycloneDX 1.6 JSON software bill of materials of an image's components, written with the CycloneDX
// project's own library (@cyclonedx/cyclonedx-library), so the document follows the schema the way the
// reference implementation does.
import { randomUUID } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { SoftwareComponent } from './inventory.ts';

export interface SbomMetadata {
  /** The image: a file name or product name. */
  name: string;
  version?: string;
  /** Baseline's own version, for the tool entry. */
  toolVersion: string;
  /** Fixed values make the output reproducible (tests); by default a fresh UUID and the current time. */
  serialNumber?: string;
  timestamp?: Date;
  /** The image's SHA-256, when known. */
  sha256?: string;
}

const TYPES: Record<SoftwareComponent['type'], CDX.Enums.ComponentType> = {
  application: CDX.Enums.ComponentType.Application,
  library: CDX.Enums.ComponentType.Library,
  'operating-system': CDX.Enums.ComponentType.OperatingSystem,
};

/** One licence field as CycloneDX wants it: an SPDX id, an SPDX expression of known ids, or a named licence. */
function license(text: string): CDX.Models.License {
  const value = text.trim();
  const id = CDX.SPDX.isSupportedSpdxId(value) ? value : CDX.SPDX.fixupSpdxId(value);
  if (id !== undefined) return new CDX.Models.SpdxLicense(id);
  const words = value.replace(/[()]/g, ' ').split(/\s+/, 64).filter(Boolean);
  const operators = new Set(['AND', 'OR', 'WITH']);
  const isExpression =
    words.some((w) => operators.has(w)) &&
    words.every(
      (w) => operators.has(w) || CDX.SPDX.isSupportedSpdxId(w.replace(/\+$/, '')) || w.startsWith('LicenseRef-') || /-exception$/.test(w),
    );
  return isExpression ? new CDX.Models.LicenseExpression(value) : new CDX.Models.NamedLicense(value);
}

export function buildSbom(components: readonly SoftwareComponent[], metadata: SbomMetadata): string {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = metadata.serialNumber ?? `urn:uuid:${randomUUID()}`;
  bom.metadata.timestamp = metadata.timestamp ?? new Date();
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'Baseline', {
      version: metadata.toolVersion,
      publisher: 'Baseline contributors',
    }),
  );
  const image = new CDX.Models.Component(CDX.Enums.ComponentType.Firmware, metadata.name, {
    bomRef: 'image',
    ...(metadata.version ? { version: metadata.version } : {}),
  });
  if (metadata.sha256) image.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], metadata.sha256);
  bom.metadata.component = image;

  const refs = new Set<string>();
  for (const c of components) {
    let ref = c.purl ?? `${c.source}:${c.name}@${c.version}`;
    for (let n = 2; refs.has(ref); n++) ref = `${c.purl ?? c.name}#${n}`;
    refs.add(ref);
    const component = new CDX.Models.Component(TYPES[c.type], c.name, {
      bomRef: ref,
      ...(c.version ? { version: c.version } : {}),
      ...(c.purl ? { purl: c.purl } : {}),
      ...(c.description ? { description: c.description } : {}),
    });
    // CycloneDX allows either one expression or a list of licences; several database entries become a list.
    const licenses = c.licenses.map(license);
    if (licenses.some((l) => l instanceof CDX.Models.LicenseExpression) && licenses.length > 1)
      component.licenses.add(new CDX.Models.NamedLicense(c.licenses.join('; ')));
    else for (const l of licenses) component.licenses.add(l);
    component.properties.add(new CDX.Models.Property('baseline:source', c.source));
    component.properties.add(new CDX.Models.Property('baseline:evidence', c.evidence));
    if (c.sourcePackage) component.properties.add(new CDX.Models.Property('baseline:source-package', c.sourcePackage));
    bom.components.add(component);
    image.dependencies.add(component.bomRef);
  }
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: true, space: 2 });
}
