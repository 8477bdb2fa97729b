// The HTML documents looked at in Debian's Chromium, and the PDFs read back with pdftotext.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { loadPstiCatalog } from '../../src/catalog/load.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../src/report/pdf.ts';
import { runCli } from '../helpers/cli.ts';
import { conformantProductData, tempDir, writeProduct } from '../helpers/product.ts';

const pdfText = (path: string) => execFileSync('pdftotext', ['-nopgbrk', path, '-'], { encoding: 'utf8' });
// Runs inside Chromium, where the page's window provides it.
declare const getComputedStyle: (element: unknown) => { color: string; display: string };
const squash = (text: string) => text.replace(/\s+/g, ' ');

describe('documents in the browser and as PDF', () => {
  let browser: Browser;
  let out: string;
  const data = conformantProductData();
  (data.provisions as Record<string, unknown>)['5.5-2'] = { support: 'N', detail: 'Evaluation of the TLS stack is pending.' };
  delete (data.provisions as Record<string, unknown>)['5.5-1'];

  before(async () => {
    const dir = tempDir();
    out = join(dir, 'docs');
    const r = runCli(['report', writeProduct(data, dir), '--out', out, '--format', 'html,pdf']);
    assert.equal(r.status, 0, r.stderr);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  after(() => browser?.close());

  async function open(file: string) {
    const context = await browser.newContext();
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    await page.goto(`file://${join(out, file)}`);
    return { page, requests, close: () => context.close() };
  }

  it('shows Table B.1 with a row per provision, verdicts coloured, and loads nothing from the network', async () => {
    const { page, requests, close } = await open('table-b1.html');
    assert.equal(await page.title(), 'Table B.1 for Test Thermostat against ETSI EN 303 645 V2.1.1 (2020-06)');
    assert.equal(await page.locator('tbody tr:not(.group)').count(), 67);
    assert.equal(await page.locator('tbody tr.group').count(), 14);
    const row = page.locator('tbody tr', { hasText: 'Provision 5.5-1' });
    assert.equal(await row.locator('td.verdict').innerText(), 'NOT ASSESSED');
    const pass = page.locator('tbody tr', { hasText: 'Provision 5.2-1' }).locator('td.verdict');
    assert.equal(await pass.evaluate((el) => getComputedStyle(el).color), 'rgb(17, 99, 41)');
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file://')),
      [],
    );
    await close();
  });

  it('prints Table B.1 with the header row repeated on each page', async () => {
    const { page, close } = await open('table-b1.html');
    await page.emulateMedia({ media: 'print' });
    assert.equal(
      await page
        .locator('thead')
        .first()
        .evaluate((el) => getComputedStyle(el).display),
      'table-header-group',
    );
    await close();
  });

  it('shows every Schedule 4 field in the statement with a line to sign', async () => {
    const { page, close } = await open('statement.html');
    const text = await page.locator('body').innerText();
    for (const field of loadPstiCatalog().statementFields) assert.ok(text.includes(field.title), field.title);
    assert.ok(await page.locator('.signature span').isVisible());
    await close();
  });

  it('puts every Schedule 4 field and its value in the statement PDF', () => {
    const text = squash(pdfText(join(out, 'statement.pdf')));
    for (const field of loadPstiCatalog().statementFields) assert.ok(text.includes(squash(field.title)), `PDF lacks "${field.title}"`);
    for (const value of [
      'Test Thermostat (model TT-1); product type: smart thermostat; batch: rev A, serials 1-1000',
      'Test Devices Ltd, 1 Test Street, Cambridge CB1 1AA, United Kingdom',
      'prepared by the manufacturer, Test Devices Ltd',
      'ETSI EN 303 645 V2.1.1 (2020-06)',
      'until at least 2031-12-31',
      'Ada Example, Head of Product Security',
      'Cambridge, 2026-11-01',
    ]) {
      assert.ok(text.includes(value), `PDF lacks "${value}"`);
    }
  });

  it('lists the open provisions in the gap report PDF, mandatory first', () => {
    const text = squash(pdfText(join(out, 'gaps.pdf')));
    assert.match(text, /Mandatory provisions .*5\.5-1/);
    assert.match(text, /NOT ASSESSED/);
    assert.ok(!text.includes('Recommendations'), 'no recommendation is open');
    assert.ok(!text.includes('5.5-2 '), 'a justified N on a recommendation is not a gap');
  });

  it('falls back to pdfkit without Chromium, and says so', () => {
    const dir = tempDir();
    const pdf = join(dir, 'statement.pdf');
    const r = runCli(['report', writeProduct(data, dir), '--document', 'statement', '--format', 'pdf', '--out', pdf], {
      env: { BASELINE_CHROMIUM: join(dir, 'no-chromium-here') },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Chromium not found: rendered with the plain pdfkit layout/);
    assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
    const text = squash(pdfText(pdf));
    for (const field of loadPstiCatalog().statementFields)
      assert.ok(text.includes(squash(field.title)), `fallback PDF lacks "${field.title}"`);
  });
});
