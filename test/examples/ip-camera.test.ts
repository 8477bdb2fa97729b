// The IP camera example shows claims that pass on paper and fail against the firmware the maker ships.
// Its committed scan must be what the image built from rootfs/ really gives (so it cannot go stale or be
// edited by hand), and the assessment must show the contradiction the way a user sees it in the CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/product.ts';

const EXAMPLE = 'examples/ip-camera';
const PRODUCT = join(EXAMPLE, 'baseline.yaml');
const COMMITTED_SCAN = join(EXAMPLE, 'evidence/firmware-scan.json');
const AS_OF = ['--as-of', '2026-12-05'];

/** The provisions the firmware contradicts, and the findings (check at path) a user must see under each. */
const CONTRADICTED: Record<string, string[]> = {
  '5.1-1': ['firmware/universal-password at /etc/shadow:', 'firmware/default-password at /etc/shadow:'],
  '5.1-2': ['the evidence contradicts the product file', 'firmware/default-password at /etc/shadow:'],
  '5.1-3': ['firmware/weak-password-hash at /etc/shadow:'],
  '5.4-4': ['firmware/ssh-host-key at /etc/dropbear/dropbear_ed25519_host_key:'],
  '5.5-1': ['firmware/web-plain-http at /etc/lighttpd/lighttpd.conf:'],
  '5.5-7': ['firmware/service/telnet at /etc/init.d/S50telnet:'],
  '5.6-1': ['firmware/service/telnet at /etc/init.d/S50telnet:'],
  '5.6-4': ['firmware/serial-console at /etc/inittab:'],
};

interface ScanFinding {
  check: string;
  result: string;
  provisions: string[];
  location: { path?: string; host?: string };
}

/** What a scan says, without what changes from one build to the next (key fingerprints, times, lines). */
function signature(file: string): string[] {
  const results = JSON.parse(readFileSync(file, 'utf8')) as { findings: ScanFinding[]; incomplete: unknown[] };
  assert.deepEqual(results.incomplete, [], `${file}: the whole image must have been read`);
  return results.findings
    .map((f) => JSON.stringify([f.check, f.result, [...f.provisions].sort(), f.location.path ?? f.location.host]))
    .sort();
}

/** The "Open provisions" blocks of `assess` output: verdict and id, then the reason lines under them. */
function openProvisions(stdout: string): Map<string, { verdict: string; reasons: string[] }> {
  const blocks = new Map<string, { verdict: string; reasons: string[] }>();
  const section = stdout.split('\nOpen provisions:\n')[1]?.split('\n\n')[0] ?? '';
  let current: { verdict: string; reasons: string[] } | undefined;
  for (const line of section.split('\n')) {
    const head = /^ {2}(FAIL|NOT ASSESSED)\s+(\S+)\s/.exec(line);
    if (head) {
      current = { verdict: head[1] as string, reasons: [] };
      blocks.set(head[2] as string, current);
    } else if (current && /^ {6}- /.test(line)) current.reasons.push(line.trim().slice(2));
  }
  return blocks;
}

describe(EXAMPLE, () => {
  it('keeps no private key in git: the build generates the SSH host key', () => {
    const files = readdirSync(join(EXAMPLE, 'firmware/rootfs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const file of files) {
      const path = join(file.parentPath, file.name);
      assert.doesNotMatch(file.name, /host_key/, path);
      assert.doesNotMatch(readFileSync(path, 'latin1'), /PRIVATE KEY/, path);
    }
  });

  it('has committed the scan that the image built from rootfs/ really gives', () => {
    const dir = tempDir();
    const image = join(dir, 'hc200-rootfs.squashfs');
    const build = spawnSync('bash', [join(EXAMPLE, 'firmware/build.sh'), image], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(build.status, 0, build.stdout + build.stderr);

    const fresh = join(dir, 'firmware-scan.json');
    const scan = runCli(['scan', 'firmware', image, '--product', PRODUCT, '--json', '--out', fresh]);
    assert.equal(scan.status, 1, scan.stdout + scan.stderr);
    assert.deepEqual(
      signature(fresh),
      signature(COMMITTED_SCAN),
      `${COMMITTED_SCAN} is stale: rebuild the image and scan it again as examples/ip-camera/README.md says`,
    );
    const committed = JSON.parse(readFileSync(COMMITTED_SCAN, 'utf8')) as { tool: string; target: string };
    assert.equal(committed.tool, 'baseline-scan-firmware');
    assert.equal(committed.target, 'examples/ip-camera/firmware/out/hc200-rootfs.squashfs');
  });

  it('assesses as NOT CONFORMANT: the firmware findings fail the claimed provisions and the PSTI password requirement', () => {
    const r = runCli(['assess', PRODUCT, ...AS_OF]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^NOT CONFORMANT$/m);
    assert.match(r.stdout, /^EN 303 645: FAIL \(57 pass, 8 fail, 0 not assessed, 2 not applicable\)$/m);

    const open = openProvisions(r.stdout);
    assert.deepEqual([...open.keys()].sort(), Object.keys(CONTRADICTED).sort());
    for (const [id, expected] of Object.entries(CONTRADICTED)) {
      const block = open.get(id);
      assert.equal(block?.verdict, 'FAIL', id);
      for (const reason of expected)
        assert.ok(
          block?.reasons.some((line) => line.startsWith(reason)),
          `${id} should cite "${reason}…"; it says:\n${block?.reasons.join('\n')}`,
        );
    }

    assert.match(r.stdout, /^PSTI: FAIL$/m);
    const psti = r.stdout.split('\nUK PSTI (SI 2023/1007):\n')[1] ?? '';
    assert.match(psti, /^ {2}FAIL\s+Passwords: ETSI EN 303 645 V2\.1\.1 \(2020-06\) provisions 5\.1-1 and 5\.1-2$/m);
    assert.match(psti, /^ {6}- 5\.1-1 is FAIL: firmware\/universal-password at \/etc\/shadow:/m);
    assert.match(psti, /^ {6}- 5\.1-2 is FAIL: the evidence contradicts the product file: condition 2 does not hold/m);
    assert.match(psti, /^ {2}PASS\s+Information on how to report security issues:/m);
    assert.match(psti, /^ {2}PASS\s+Information on minimum security update periods:/m);
  });

  it('writes a gap report that lists every contradicted provision and the PSTI password requirement', () => {
    const r = runCli(['report', PRODUCT, '--document', 'gaps', '--format', 'md', ...AS_OF]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^8 provisions of ETSI EN 303 645 V2\.1\.1 \(2020-06\) are open \(8 fail, 0 not assessed\); PSTI: FAIL\.$/m);
    assert.match(r.stdout, /^\| Schedule 1 paragraph 1: Passwords \|.*\| FAIL \|$/m);
    const rows = r.stdout.split('\n').filter((line) => /^\| \d/.test(line));
    for (const [id, expected] of Object.entries(CONTRADICTED)) {
      const row = rows.find((line) => line.startsWith(`| ${id}<br>`));
      assert.ok(row, `the gap report has no row for ${id}`);
      assert.match(row, /\| FAIL \|$/);
      const check = expected.at(-1)?.split(' at ')[0] as string;
      assert.ok(row.includes(check), `${id}'s row should name ${check}`);
    }
    assert.equal(rows.length, Object.keys(CONTRADICTED).length, rows.join('\n'));
  });

  it('passes on the claims alone: without the scan the same product file is CONFORMANT', () => {
    const dir = join(tempDir(), 'ip-camera');
    cpSync(EXAMPLE, dir, { recursive: true, filter: (source) => !source.includes('/firmware/out') });
    const product = join(dir, 'baseline.yaml');
    const text = readFileSync(product, 'utf8');
    const claimsOnly = text.replaceAll(/^ *- scan: evidence\/firmware-scan\.json\n/gm, '');
    assert.notEqual(claimsOnly, text);
    writeFileSync(product, claimsOnly);

    const r = runCli(['assess', product, ...AS_OF]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^CONFORMANT$/m);
    assert.match(r.stdout, /^PSTI: PASS$/m);
    assert.match(r.stdout, /^ {2}PASS\s+Passwords: ETSI EN 303 645 V2\.1\.1 \(2020-06\) provision 5\.1-1$/m);
  });
});
