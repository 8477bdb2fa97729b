import type { FirmwareCheck } from '../../firmware-check.ts';

/** File names SBOM tools write: CycloneDX (bom.json, *.cdx.json, *.cdx.xml) and SPDX (*.spdx, *.spdx.json). */
const SBOM_NAME = /(?:^|\/)(?:bom\.json|bom\.xml|sbom\.json|[^/]*\.cdx\.(?:json|xml)|[^/]*\.spdx(?:\.json)?|[^/]*\.spdx\.tag)$/i;
const MARKERS = ['"bomFormat"', 'CycloneDX', 'SPDXVersion', '"spdxVersion"'];

export const shippedSbom: FirmwareCheck = {
  id: 'firmware/shipped-sbom',
  title: "The image carries its maker's software bill of materials",
  provisions: ['5.2-3'],
  severity: 'info',
  rationale:
    "An SBOM the build wrote into the image (Yocto's create-spdx, Buildroot's legal-info, a CycloneDX generator) is evidence that the maker records the components of each release, the basis for monitoring them for vulnerabilities. Whether the maker acts on it is still a question for the vulnerability-handling process.",
  remediation: 'Nothing to fix: keep the SBOM in sync with every release.',
  run(context) {
    return context
      .files((e) => SBOM_NAME.test(e.path))
      .flatMap((e) => {
        const head = context.readText(e.path, 4096) ?? '';
        const marker = MARKERS.find((m) => head.includes(m));
        if (!marker) return [];
        return [
          {
            result: 'pass' as const,
            location: { path: e.path },
            message: `the image carries a ${marker.toLowerCase().includes('spdx') ? 'SPDX' : 'CycloneDX'} software bill of materials`,
          },
        ];
      });
  },
};
