import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { conformantProductData, tempDir, writeProduct, writeResults } from '../helpers/product.ts';

const BIN = fileURLToPath(new URL('../../bin/baseline.js', import.meta.url));
const noStackTrace = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at |Error:/, `stack trace in: ${stderr}`);

describe('baseline --help', () => {
  it('lists the commands in pipeline order, and every example in it names a real command and option', () => {
    const r = runCli(['--help']);
    assert.equal(r.status, 0);
    const listed = [...r.stdout.matchAll(/^ {2}([a-z]+) \[?/gm)].map((m) => m[1]);
    const commands = listed.slice(0, listed.indexOf('help'));
    assert.deepEqual(commands, ['catalog', 'init', 'scan', 'probe', 'check', 'assess', 'report', 'rules', 'checks']);
    const examples = [...r.stdout.matchAll(/ {2,}(baseline [^\n]+)$/gm)].map((m) => (m[1] ?? '').split(' ').slice(1));
    assert.ok(examples.length >= 9);
    for (const example of examples) {
      const words = example.filter((w) => !w.startsWith('-'));
      const help = runCli([...words.slice(0, example[0] === 'scan' || example[0] === 'check' ? 2 : 1), '--help']);
      assert.equal(help.status, 0, `${example.join(' ')}: ${help.stderr}`);
      for (const option of example.filter((w) => w.startsWith('--')))
        assert.ok(help.stdout.includes(option), `${example.join(' ')}: no ${option}`);
    }
  });
});

describe('baseline catalog', () => {
  it('--json lists exactly the 67 Table B.1 rows of V2.1.1 plus 4-1, with their statuses', () => {
    const r = runCli(['catalog', '--json']);
    assert.equal(r.status, 0);
    const entries = JSON.parse(r.stdout) as Array<{ id: string; status: string; conditions: number[]; title: string; inTableB1: boolean }>;
    assert.equal(entries.length, 68);
    const table = entries.filter((e) => e.inTableB1);
    const counts: Record<string, number> = {};
    for (const e of table) counts[e.status] = (counts[e.status] ?? 0) + 1;
    assert.deepEqual(counts, { M: 19, 'M C': 13, R: 25, 'R C': 10 });
    assert.equal(entries[0]?.id, '4-1');
    assert.deepEqual(entries.find((e) => e.id === '5.3-10')?.conditions, [11, 12]);
  });

  it('--standard etsi-en-303-645@3.1.3 lists 78 rows', () => {
    const r = runCli(['catalog', '--standard', 'etsi-en-303-645@3.1.3', '--json']);
    assert.equal(JSON.parse(r.stdout).length, 78);
  });

  it('--standard uk-psti-2023 lists the requirements first', () => {
    const r = runCli(['catalog', '--standard', 'uk-psti-2023', '--json']);
    const entries = JSON.parse(r.stdout) as Array<{ id: string; kind: string }>;
    assert.deepEqual(
      entries.filter((e) => e.kind === 'requirement').map((e) => e.id),
      ['psti-passwords', 'psti-security-issue-reporting', 'psti-support-period'],
    );
  });

  it('show prints one provision, by id or alias', () => {
    const r = runCli(['catalog', 'show', '6.1-2']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Id:\s+6-2$/m);
    assert.match(r.stdout, /^Status:\s+M C \(7\)$/m);
    assert.match(r.stdout, /^Condition 7:\s+consent-based-processing: /m);
  });

  it('show suggests the nearest id for an unknown one, in one line with exit code 2', () => {
    const r = runCli(['catalog', 'show', '5.13-2']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'baseline: unknown id "5.13-2" in etsi-en-303-645@2.1.1; did you mean "5.13-1"?\n');
  });

  it('rejects an unknown standard', () => {
    const r = runCli(['catalog', '--standard', 'etsi-en-303-645@9.9.9']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /unknown standard "etsi-en-303-645@9\.9\.9"; expected one of etsi-en-303-645@2\.1\.1, etsi-en-303-645@3\.1\.3, uk-psti-2023/,
    );
  });
});

describe('baseline assess', () => {
  it('exits 0 for a conformant product and prints the verdicts', () => {
    const r = runCli(['assess', writeProduct(conformantProductData()), '--as-of', '2026-11-22']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^EN 303 645: PASS \(\d+ pass, 0 fail, 0 not assessed, \d+ not applicable\)$/m);
    assert.match(r.stdout, /^CONFORMANT$/m);
  });

  it('exits 1 when evidence contradicts a claim, and says why', () => {
    const results = writeResults([
      {
        check: 'firmware/telnetd',
        provisions: ['5.6-1'],
        severity: 'high',
        location: { path: '/etc/inetd.conf' },
        message: 'telnetd starts at boot',
      },
    ]);
    const r = runCli(['assess', writeProduct(conformantProductData()), '--evidence', results]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /FAIL\s+5\.6-1/);
    assert.match(r.stdout, /- firmware\/telnetd at \/etc\/inetd\.conf: telnetd starts at boot/);
    assert.match(r.stdout, /^NOT CONFORMANT$/m);
  });

  it('--json prints the assessment for machines', () => {
    const r = runCli(['assess', writeProduct(conformantProductData()), '--json']);
    const json = JSON.parse(r.stdout);
    assert.equal(json.conformant, true);
    assert.equal(json.provisions.length, 68);
    assert.deepEqual(Object.keys(json.provisions[1]).slice(0, 4), ['id', 'clause', 'status', 'mandatory']);
  });

  it('reports a bad value as file:line:column, field and value, exit 2, no stack trace', () => {
    const path = writeProduct('product:\n  name: X\nmanufacturer:\n  name: Y\nprovisions:\n  5.1-1:\n    support: yes\n');
    const r = runCli(['assess', path]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `baseline: ${path}:7:14: provisions.5.1-1.support: expected Y, N or N/A, got "yes"\n`);
  });

  it('reports a missing product file in one line', () => {
    const r = runCli(['assess', '/nonexistent/baseline.yaml']);
    assert.equal(r.status, 2);
    noStackTrace(r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('rejects an unknown option with exit code 2', () => {
    const r = runCli(['assess', '--evidense', 'x.json']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option '--evidense'/);
  });
});

describe('baseline report', () => {
  it('writes every document in every format into the folder it names', () => {
    const dir = tempDir();
    const out = join(dir, 'docs');
    const r = runCli(['report', writeProduct(conformantProductData(), dir), '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const files = readdirSync(out).sort();
    assert.deepEqual(files, [
      'gaps.csv',
      'gaps.html',
      'gaps.json',
      'gaps.md',
      'gaps.pdf',
      'gaps.sarif',
      'statement.csv',
      'statement.html',
      'statement.json',
      'statement.md',
      'statement.pdf',
      'table-b1.csv',
      'table-b1.html',
      'table-b1.json',
      'table-b1.md',
      'table-b1.pdf',
    ]);
    assert.match(readFileSync(join(out, 'statement.md'), 'utf8'), /# Statement of compliance/);
    assert.equal(readFileSync(join(out, 'table-b1.pdf')).subarray(0, 5).toString(), '%PDF-');
  });

  it('prints one text document to stdout', () => {
    const r = runCli(['report', writeProduct(conformantProductData()), '--document', 'table-b1', '--format', 'md']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^# Table B\.1: Implementation of provisions for consumer IoT security$/m);
  });

  it('writes nothing when the statement cannot be completed', () => {
    const dir = tempDir();
    const data = conformantProductData();
    data.statement = {};
    const out = join(dir, 'docs');
    const r = runCli(['report', writeProduct(data, dir), '--out', out, '--format', 'md,json']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot write the statement of compliance; missing statement\.preparedBy/);
    assert.equal(existsSync(out), false);
  });

  it('writes gaps as SARIF 2.1.0 pointing at the claim in baseline.yaml', () => {
    const dir = tempDir();
    const data = conformantProductData();
    (data.provisions as Record<string, unknown>)['5.2-1'] = { support: 'N', detail: 'Not yet published.' };
    const product = writeProduct(data, dir);
    const r = runCli(['report', product, '--document', 'gaps', '--format', 'sarif']);
    assert.equal(r.status, 0, r.stderr);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, '2.1.0');
    const result = sarif.runs[0].results[0];
    assert.equal(result.ruleId, 'etsi-en-303-645/5.2-1');
    assert.equal(result.level, 'error');
    const line =
      readFileSync(product, 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('  5.2-1:')) + 1;
    assert.equal(result.locations[0].physicalLocation.region.startLine, line);
  });

  it('refuses SARIF for Table B.1', () => {
    const r = runCli(['report', writeProduct(conformantProductData()), '--document', 'table-b1', '--format', 'sarif']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /SARIF is written for the gap report only/);
  });

  it('rejects an unknown document with the list of known ones', () => {
    const r = runCli(['report', writeProduct(conformantProductData()), '--document', 'tableb1']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'baseline: unknown document "tableb1"; expected table-b1, statement, gaps or all\n');
  });
});

describe('baseline init', () => {
  const allAnswers = [
    '--yes',
    'passwords-used,user-authentication,update-mechanism,updates-over-network,automatic-updates-or-notifications,not-constrained-device',
    '--no',
    'preinstalled-passwords,software-not-updatable,telemetry-collected,consent-based-processing,hardcoded-unique-identity,physical-debug-interface',
  ];

  it('writes a valid file from flags, listing every applicable provision as not yet assessed', () => {
    const dir = tempDir();
    const file = join(dir, 'baseline.yaml');
    const r = runCli(['init', '--file', file, '--name', 'Hearth', '--manufacturer', 'Hearth Ltd', ...allAnswers]);
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=/);
    assert.match(text, /^ {2}# 5\.1-1 \[M C \(1\)\] /m);
    assert.match(text, /^ {2}5\.1-1:\n {4}support: null/m);
    assert.doesNotMatch(text, /^ {2}5\.1-2:/m, 'no pre-installed passwords: 5.1-2 is not listed');
    const assessed = runCli(['assess', file, '--json']);
    assert.equal(assessed.status, 1);
    const json = JSON.parse(assessed.stdout);
    assert.equal(json.overall.verdict, 'NOT ASSESSED');
    assert.equal(json.provisions.find((p: { id: string }) => p.id === '5.1-2').verdict, 'NOT APPLICABLE');
  });

  it('on a terminal, asks each condition question and re-asks an unclear answer', () => {
    const dir = tempDir();
    const file = join(dir, 'baseline.yaml');
    // script(1) gives the command a real pseudo-terminal; the answers are typed ahead.
    const answers = ['Hearth', 'Hearth Ltd', 'maybe', 'y', 'n', 'n', 'n', 'n', 'y', 'y', 'n', 'y', 'n', 'y', 'y', 'n'].join('\n');
    const r = spawnSync('script', ['-qec', `${process.execPath} ${BIN} init --file ${file}`, '/dev/null'], {
      input: `${answers}\n`,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stdout);
    assert.equal((r.stdout.match(/\[1\] Does the product use passwords/g) ?? []).length, 2, 'asked again after "maybe"');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^ {2}passwords-used: true\n {2}preinstalled-passwords: false\n/m);
    assert.match(text, /^ {2}physical-debug-interface: true$/m);
    assert.match(text, /^ {2}constrained-device: false$/m);
  });

  it('without a terminal, names every unanswered question', () => {
    const dir = tempDir();
    const r = runCli(['init', '--file', join(dir, 'baseline.yaml'), '--name', 'Hearth', '--yes', 'passwords-used']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unanswered: --manufacturer, condition preinstalled-passwords, condition software-not-updatable/);
    assert.equal(existsSync(join(dir, 'baseline.yaml')), false);
  });

  it('does not overwrite an existing file without --force', () => {
    const file = writeProduct(conformantProductData());
    const r = runCli(['init', '--file', file, '--name', 'X', '--manufacturer', 'Y', ...allAnswers]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /already exists; pass --force/);
  });
});

describe('runtime', () => {
  it('runs on Node 24 even when started by an older node', () => {
    const r = runCli(['--version']);
    assert.equal(r.status, 0);
    assert.match(process.version, /^v2[4-9]\./);
  });
});

describe('catalog subcommands', () => {
  it('take their own --standard', () => {
    const r = runCli(['catalog', 'show', '5.1-5', '--standard', 'etsi-en-303-645@3.1.3']);
    assert.match(r.stdout, /^Status:\s+M C \(14\) F \(e\)$/m);
    const c = runCli(['catalog', 'conditions', '--standard', 'etsi-en-303-645@3.1.3', '--json']);
    assert.deepEqual(
      JSON.parse(c.stdout).conditions.map((x: { number: number }) => x.number),
      [3, 12, 14, 15, 16],
    );
  });
});
