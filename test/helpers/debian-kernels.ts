// Debian's amd64 and arm64 kernel configs, fetched by scripts/fetch-debian-kernel-configs.sh (idempotent:
// no network once cached). The script prints the paths; tests never name a kernel ABI number themselves,
// because Debian moves it with every point release.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const SCRIPT = new URL('../../scripts/fetch-debian-kernel-configs.sh', import.meta.url).pathname;

let cached: Record<'amd64' | 'arm64', string> | undefined;

export function debianKernelConfigs(): Record<'amd64' | 'arm64', string> {
  if (cached) return cached;
  const run = spawnSync('bash', [SCRIPT], { encoding: 'utf8', timeout: 15 * 60 * 1000 });
  assert.equal(run.status, 0, `fetch-debian-kernel-configs.sh failed:\n${run.stderr}`);
  const paths = run.stdout.trim().split('\n');
  const amd64 = paths.find((p) => p.endsWith('-amd64'));
  const arm64 = paths.find((p) => p.endsWith('-arm64'));
  assert.ok(amd64 && arm64, `unexpected output: ${run.stdout}`);
  cached = { amd64, arm64 };
  return cached;
}
