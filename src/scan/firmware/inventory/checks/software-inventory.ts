import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { softwareInventory } from '../inventory.ts';

const SOURCE_NAMES = {
  dpkg: 'dpkg database',
  opkg: 'opkg database',
  apk: 'apk database',
  string: 'version string',
  'kernel-modules': 'kernel modules directory',
  'os-release': 'os-release',
} as const;

export const softwareInventoryCheck: FirmwareCheck = {
  id: 'firmware/software-inventory',
  title: 'Software components identified in the image',
  provisions: ['5.2-3'],
  severity: 'info',
  rationale:
    'Monitoring for vulnerabilities starts from knowing which components, in which versions, a product ships. The inventory Baseline derives from the image (and writes as a CycloneDX SBOM) is what such monitoring needs; it shows the components can be tracked, not that the maker tracks them, so these findings are information, not a pass.',
  remediation: 'Keep an SBOM per released image and match it against vulnerability feeds for the whole support period.',
  run(context) {
    const inventory = softwareInventory(context);
    const drafts: FindingDraft[] = inventory.sources.map((s) => {
      const one = inventory.components.find((c) => c.evidence === s.path || (s.path.endsWith('/') && c.evidence.startsWith(s.path)));
      const what = s.count === 1 && one ? `${one.name} ${one.version}` : `${s.count} installed package${s.count === 1 ? '' : 's'}`;
      return {
        result: 'info',
        location: { path: s.path },
        message: `${SOURCE_NAMES[s.source]}: ${what}`,
        ...(one?.purl ? { evidence: s.count === 1 ? one.purl : `e.g. ${one.purl}` } : {}),
      };
    });
    return drafts;
  },
};
