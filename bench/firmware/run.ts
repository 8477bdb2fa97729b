// bench/firmware: the full firmware analysis of a ~300 MB Debian root filesystem, packed as squashfs (xz)
// and as tar.gz, timed side by side with Debian's own tools merely extracting the same image
// (unsquashfs, tar). Prints the figures the README quotes. Run: node bench/firmware/run.ts [runs]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 3);
execFileSync('bash', [join(root, 'bench/firmware/build-images.sh')], { stdio: 'inherit' });
const rootfsBytes = Number(execFileSync('du', ['-sb', join(root, 'bench/.cache/rootfs')], { encoding: 'utf8' }).split('\t')[0]);

interface Scan {
  ms: number;
  maxRssMiB: number;
  entries: number;
  findings: number;
  failing: number;
  incomplete: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function scanOnce(image: string): Scan {
  const r = spawnSync(process.execPath, [join(root, 'bench/firmware/scan-once.ts'), image], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`scan failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Scan;
}

// Extraction goes to memory (/dev/shm) where there is one, so the peer's figure is not the disk's.
const EXTRACT_PARENT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

function peerOnce(command: string, args: (out: string) => string[]): number {
  const out = mkdtempSync(join(EXTRACT_PARENT, 'bench-extract-'));
  const started = performance.now();
  const r = spawnSync(command, args(out), { stdio: 'ignore' });
  const ms = performance.now() - started;
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${command} failed`);
  return ms;
}

const images = [
  {
    name: 'squashfs (xz)',
    path: join(root, 'bench/.cache/rootfs.squashfs'),
    peer: 'unsquashfs',
    args: (img: string) => (out: string) => ['-d', join(out, 'x'), '-q', '-n', img],
  },
  {
    name: 'tar.gz',
    path: join(root, 'bench/.cache/rootfs.tar.gz'),
    peer: 'tar',
    args: (img: string) => (out: string) => ['-xzf', img, '-C', out],
  },
];

console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}; Node ${process.version}; median of ${runs} runs`);
console.log(`rootfs: ${(rootfsBytes / 2 ** 20).toFixed(0)} MiB unpacked; peers extract into ${EXTRACT_PARENT}`);
console.log('| image | size | Baseline full scan | files/s | MB/s | peak RSS | peer extract only | ratio |');
console.log('|---|---|---|---|---|---|---|---|');
for (const image of images) {
  const scans = Array.from({ length: runs }, () => scanOnce(image.path));
  const peers = Array.from({ length: runs }, () => peerOnce(image.peer, image.args(image.path)));
  const ms = median(scans.map((s) => s.ms));
  const peer = median(peers);
  const last = scans.at(-1) as Scan;
  console.log(
    `| ${image.name} | ${(statSync(image.path).size / 2 ** 20).toFixed(0)} MiB | ${(ms / 1000).toFixed(2)} s | ${Math.round(last.entries / (ms / 1000))} | ${(rootfsBytes / 1e6 / (ms / 1000)).toFixed(0)} | ${Math.max(...scans.map((s) => s.maxRssMiB)).toFixed(0)} MiB | ${image.peer}: ${(peer / 1000).toFixed(2)} s | ${(ms / peer).toFixed(2)}× |`,
  );
  console.log(`  (${last.entries} entries, ${last.findings} findings, ${last.failing} failing, ${last.incomplete} parts not read)`);
}
