// One full firmware scan in a fresh process, printing its own wall time and peak memory as JSON,
// so that the benchmark measures each run from a cold start.
import { scanFirmware } from '../../src/scan/firmware/scan-firmware.ts';

const image = process.argv[2];
if (!image) throw new Error('usage: scan-once.ts IMAGE');
const started = performance.now();
const scan = await scanFirmware(image, { name: 'bench', version: '0' });
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    ms,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    entries: scan.filesystems.reduce((n, f) => n + f.entries, 0),
    findings: scan.results.findings.length,
    failing: scan.results.findings.filter((f) => f.result === 'fail').length,
    incomplete: scan.results.incomplete.length,
  }),
);
