import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assess } from '../../src/assess/assess.ts';
import { InputError } from '../../src/io/input-error.ts';
import { renderCsv } from '../../src/report/csv.ts';
import { buildGaps, listGaps } from '../../src/report/gaps.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { buildStatement } from '../../src/report/statement.ts';
import { buildTableB1 } from '../../src/report/table-b1.ts';
import { parse as parseCsv } from '../helpers/csv-read.ts';
import { conformantProductData, productFrom, writeResults } from '../helpers/product.ts';

const AS_OF = '2026-11-22';
const assessData = (data: Record<string, unknown>, evidence: string[] = []) => assess(productFrom(data), { asOf: AS_OF, evidence });

describe('Table B.1', () => {
  const a = assessData(conformantProductData());
  const doc = buildTableB1(a);

  it('lays out clause rows, then provision rows with status, support, detail and verdict', () => {
    const md = renderMarkdown(doc);
    assert.match(md, /\| \*\*5\.1 No universal default passwords\*\* \|/);
    assert.match(md, /\| Provision 5\.1-1<br>[^|]+ \| M C \(1\) \| Y \| Implemented: how 5\.1-1 is met on the test product\. \| PASS \|/);
    assert.match(md, /\| Provision 5\.6-4<br>[^|]+ \| M C \(13\) \| N\/A \| Not applicable: condition 13 does not hold/);
  });

  it('writes one CSV row per provision, quoted per RFC 4180', () => {
    const rows = parseCsv(renderCsv(doc));
    assert.deepEqual(rows[0], [
      'provision',
      'clause',
      'clause_title',
      'title',
      'status',
      'support',
      'detail',
      'evidence',
      'verdict',
      'reasons',
    ]);
    assert.equal(rows.length, 1 + 68);
    const row = rows.find((r) => r[0] === '5.3-6');
    assert.equal(row?.[4], 'R C (9, 12)');
  });

  it('keeps a detail that starts like a spreadsheet formula inert in CSV', () => {
    const data = conformantProductData();
    (data.provisions as Record<string, unknown>)['5.2-1'] = { support: 'Y', detail: '=HYPERLINK("http://evil.example","x")' };
    const rows = parseCsv(renderCsv(buildTableB1(assessData(data))));
    assert.equal(rows.find((r) => r[0] === '5.2-1')?.[6], `'=HYPERLINK("http://evil.example","x")`);
  });

  it('escapes markup from product files in Markdown and HTML', () => {
    const data = conformantProductData();
    (data.provisions as Record<string, unknown>)['5.2-1'] = { support: 'Y', detail: '<script>alert(1)</script> | pipe' };
    const d = buildTableB1(assessData(data));
    assert.doesNotMatch(renderHtml(d, 'test'), /<script>alert/);
    assert.match(renderMarkdown(d), /\\<script\\>alert\(1\)\\<\/script\\> \\\| pipe/);
  });

  it('ends a URL in Markdown where a code span or another character no URL may hold begins', () => {
    const data = conformantProductData();
    (data.provisions as Record<string, unknown>)['5.2-1'] = {
      support: 'Y',
      detail: 'Redirect with `return 301 https://$host$request_uri;` and see https://test.example/a_b.',
    };
    const md = renderMarkdown(buildTableB1(assessData(data)));
    assert.match(md, /\\`return 301 <https:\/\/\$host\$request_uri>;\\` and see <https:\/\/test\.example\/a_b>\./);
  });
});

describe('statement of compliance', () => {
  it('refuses to render while Schedule 4 fields are missing, listing every one', () => {
    const data = conformantProductData();
    delete (data.product as Record<string, unknown>).type;
    delete (data.manufacturer as Record<string, unknown>).address;
    data.statement = { preparedBy: 'manufacturer' };
    assert.throws(
      () => buildStatement(assessData(data)),
      (e: unknown) =>
        e instanceof InputError &&
        e.message.includes(
          'cannot write the statement of compliance; missing product.type (Product type and batch), manufacturer.address',
        ) &&
        e.message.includes('statement.signatory.name') &&
        e.message.includes('statement.place') &&
        e.message.includes('statement.date'),
    );
  });

  it('declares deemed compliance naming the standard, its version and date', () => {
    const doc = buildStatement(assessData(conformantProductData()));
    assert.equal(doc.draft, undefined);
    const fields = (doc.data as { fields: Record<string, string> }).fields;
    assert.match(fields['deemed-compliance-standard'] ?? '', /ETSI EN 303 645 V2\.1\.1 \(2020-06\) provisions 5\.1-1 and 5\.1-2/);
    assert.equal(fields['authorised-representative'], 'None appointed');
    assert.match(fields['support-period'] ?? '', /2031-12-31/);
  });

  it('is marked DRAFT while a PSTI requirement fails', () => {
    const data = conformantProductData();
    data.supportPeriod = { endDate: '2029-12-31', publishedAt: 'https://test.example/s', previousEndDates: ['2030-01-01'] };
    const doc = buildStatement(assessData(data));
    assert.match(doc.draft ?? '', /Information on minimum security update periods is FAIL/);
    assert.match(renderMarkdown(doc), /^> \*\*DRAFT:\*\*/);
  });
});

describe('gap report', () => {
  it('lists FAIL and NOT ASSESSED, mandatory first, with what would close each', () => {
    const data = conformantProductData();
    const provisions = data.provisions as Record<string, unknown>;
    delete provisions['5.5-2']; // recommendation, not assessed
    delete provisions['5.5-1']; // mandatory, not assessed
    const finding = {
      check: 'firmware/telnetd',
      provisions: ['5.6-1'],
      severity: 'high',
      location: { path: '/etc/inetd.conf', line: 3 },
      message: 'telnetd starts at boot',
      remediation: 'Remove telnetd from the image.',
    };
    const a = assessData(data, [writeResults([finding])]);
    const gaps = listGaps(a);
    assert.deepEqual(
      gaps.map((g) => `${g.id} ${g.verdict}`),
      ['5.5-1 NOT ASSESSED', '5.6-1 FAIL', '5.5-2 NOT ASSESSED'],
    );
    assert.ok(gaps[1]?.toClose.includes('Remove telnetd from the image.'));
    assert.match(gaps[0]?.toClose.join('\n') ?? '', /Claim Y with a detail/);
    assert.match(gaps[0]?.toClose.join('\n') ?? '', /ETSI TS 103 701 test cases 5\.5-1-1/);
    assert.match(renderMarkdown(buildGaps(a)), /## Mandatory provisions[\s\S]*## Recommendations/);
  });
});
