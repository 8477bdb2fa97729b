// Runs every firmware check, and the configuration checks, over one root filesystem.
import type { Finding } from '../../findings/schema.ts';
import { toFinding } from '../check.ts';
import { accountChecks } from './accounts/index.ts';
import { scanConfigsInImage } from './configs-in-image.ts';
import { type FirmwareCheck, firmwareContext } from './firmware-check.ts';
import type { ImageFs, ReadProblem } from './image-fs.ts';
import { daemonChecks } from './daemons/index.ts';
import { inventoryChecks, type SoftwareComponent, softwareInventory } from './inventory/index.ts';
import { secretChecks } from './secrets/index.ts';
import { serviceChecks } from './services/index.ts';
import { updateChecks } from './updates/index.ts';

export const FIRMWARE_CHECKS: readonly FirmwareCheck[] = [
  ...accountChecks,
  ...secretChecks,
  ...serviceChecks,
  ...daemonChecks,
  ...updateChecks,
  ...inventoryChecks,
];

export interface FilesystemAnalysis {
  label: string;
  format: string;
  entries: number;
  findings: Finding[];
  problems: ReadProblem[];
  /** The software found, for the SBOM. */
  components: SoftwareComponent[];
}

export async function analyzeFilesystem(
  fs: ImageFs,
  label: string,
  options: { product?: { name?: string; model?: string }; progress?: (line: string) => void } = {},
): Promise<FilesystemAnalysis> {
  const context = firmwareContext(fs, label, options.product);
  const findings: Finding[] = [];
  for (const check of FIRMWARE_CHECKS) {
    options.progress?.(`${label}: ${check.id}`);
    const drafts = await check.run(context);
    findings.push(...drafts.map((draft) => toFinding(check, draft)));
  }
  options.progress?.(`${label}: configuration checks`);
  const configs = scanConfigsInImage(fs);
  findings.push(...configs.findings);
  let entries = 0;
  for (const _ of fs.entries()) entries++;
  const components = softwareInventory(context).components;
  return { label, format: fs.format, entries, findings, problems: [...fs.problems, ...configs.problems], components };
}
