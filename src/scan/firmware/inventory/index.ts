// The software inventory analyzer: components from package databases and version strings, reported per
// source, and a CycloneDX SBOM built from them (buildSbom).
import type { FirmwareCheck } from '../firmware-check.ts';
import { shippedSbom } from './checks/shipped-sbom.ts';
import { softwareInventoryCheck } from './checks/software-inventory.ts';

export { buildSbom, type SbomMetadata } from './sbom.ts';
export { softwareInventory, type SoftwareComponent, type SoftwareInventory } from './inventory.ts';

export const inventoryChecks: readonly FirmwareCheck[] = [softwareInventoryCheck, shippedSbom];
