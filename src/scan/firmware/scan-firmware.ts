// `baseline scan firmware`: opens the image, runs every analyzer on each filesystem inside, and gathers the
// findings into one results file. The work folder is the only place anything is written, and it is removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, Results } from '../../findings/schema.ts';
import { FINDINGS_FORMAT } from '../../findings/schema.ts';
import { toFinding } from '../check.ts';
import { analyzeFilesystem, type FilesystemAnalysis } from './analyze-filesystem.ts';
import { type ConfigsInImage, scanUbootEnvironment } from './configs-in-image.ts';
import type { CheckMeta } from '../check.ts';
import type { SoftwareComponent } from './inventory/index.ts';
import { type ContainerFact, type OpenLimits, openImage } from './open-image.ts';

export interface FirmwareScanOptions {
  product?: { name?: string; model?: string };
  limits?: Partial<OpenLimits>;
  /** Parent of the temporary work folder; default the OS's temporary folder. */
  workDir?: string;
  progress?: (line: string) => void;
}

export interface FirmwareScan {
  results: Results;
  filesystems: Array<Omit<FilesystemAnalysis, 'findings' | 'problems' | 'components'>>;
  containers: ContainerFact[];
  /** Every component found in every filesystem, for the SBOM. */
  components: SoftwareComponent[];
}

export const fitSignature: CheckMeta = {
  id: 'firmware/fit-signature',
  title: 'FIT boot image configurations are signed',
  provisions: ['5.7-1'],
  severity: 'medium',
  rationale:
    'U-Boot verifies a FIT image only when its configurations carry signatures made with a key it trusts; an unsigned FIT boots whatever is written to flash.',
  remediation:
    'Sign the FIT configurations (mkimage -k KEYDIR -K u-boot.dtb -r) and enable CONFIG_FIT_SIGNATURE with the key marked required.',
};

export async function scanFirmware(
  input: string,
  tool: { name: string; version: string },
  options: FirmwareScanOptions = {},
): Promise<FirmwareScan> {
  const workDir = mkdtempSync(join(options.workDir ?? tmpdir(), 'baseline-firmware-'));
  try {
    options.progress?.(`opening ${input}`);
    const image = await openImage(input, workDir, options.limits, options.progress);
    try {
      const analyses: FilesystemAnalysis[] = [];
      for (const layer of image.layers) {
        analyses.push(
          await analyzeFilesystem(layer.fs, layer.label, {
            ...(options.product ? { product: options.product } : {}),
            ...(options.progress ? { progress: options.progress } : {}),
          }),
        );
      }
      // With one filesystem, paths are the device's own; with several, each says which filesystem it is in.
      const prefix = analyses.length > 1;
      const findings: Finding[] = analyses.flatMap((a) =>
        a.findings.map((f) =>
          prefix && f.location.path ? { ...f, location: { ...f.location, path: `${a.label}:${f.location.path}` } } : f,
        ),
      );
      for (const fact of image.containers.filter((c) => c.kind === 'fit')) {
        findings.push(
          toFinding(fitSignature, {
            result: fact.signed ? 'pass' : 'fail',
            location: { path: fact.label },
            message: fact.signed
              ? `${fact.description}: U-Boot can verify it`
              : `${fact.description}: nothing stops a modified kernel or ramdisk from booting`,
          }),
        );
      }
      const environments: ConfigsInImage = { findings: [], scanned: [], problems: [] };
      for (const env of image.bootEnvironments) scanUbootEnvironment(env.label, env.bytes, environments);
      findings.push(...environments.findings);
      const incomplete = [
        ...image.problems,
        ...environments.problems,
        ...analyses.flatMap((a) => a.problems.map((p) => ({ part: prefix ? `${a.label}:${p.part}` : p.part, reason: p.reason }))),
      ];
      if (!image.layers.length) incomplete.push({ part: input, reason: 'no filesystem found: nothing was analysed' });
      return {
        results: {
          format: FINDINGS_FORMAT,
          tool: tool.name,
          version: tool.version,
          target: input,
          generatedAt: new Date().toISOString(),
          findings,
          incomplete,
        },
        filesystems: analyses.map(({ findings: _f, problems: _p, components: _c, ...rest }) => rest),
        containers: image.containers,
        components: analyses.flatMap((a) => a.components),
      };
    } finally {
      image.close();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
