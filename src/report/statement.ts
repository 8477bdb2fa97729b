// The PSTI statement of compliance with every Schedule 4 field. A missing field is an input error that
// lists everything missing: a statement must never go out with holes in it.
import type { Assessment } from '../assess/assess.ts';
import { loadPstiCatalog } from '../catalog/load.ts';
import { InputError } from '../io/input-error.ts';
import type { Block, ReportDocument } from './document.ts';
import { standardName } from './header.ts';

type FieldValue = { value: string } | { missing: string[] };

export function buildStatement(a: Assessment): ReportDocument {
  const psti = loadPstiCatalog();
  const f = a.product.file;
  let missingNow: string[] = [];
  const need = (value: string | undefined, field: string): string | undefined => {
    if (!value) missingNow.push(field);
    return value;
  };
  const field = (compute: () => string): FieldValue => {
    missingNow = [];
    const value = compute();
    return missingNow.length ? { missing: missingNow } : { value };
  };

  const values: Record<string, FieldValue> = {
    'product-type-and-batch': field(() => {
      const type = need(f.product.type, 'product.type');
      const batch = need(f.product.batch, 'product.batch');
      const model = f.product.model ? ` (model ${f.product.model})` : '';
      return `${f.product.name}${model}; product type: ${type}; batch: ${batch}`;
    }),
    manufacturer: field(() => `${f.manufacturer.name}, ${need(f.manufacturer.address, 'manufacturer.address')}`),
    'authorised-representative': field(() => {
      const rep = f.authorisedRepresentative;
      if (!rep) return 'None appointed';
      return `${rep.name}, ${need(rep.address, 'authorisedRepresentative.address')}`;
    }),
    'prepared-by-or-on-behalf': field(() => {
      const by = need(f.statement.preparedBy, 'statement.preparedBy');
      if (by === 'on-behalf-of-manufacturer') {
        const who = need(f.statement.preparedOnBehalfBy, 'statement.preparedOnBehalfBy');
        return `This statement of compliance was prepared on behalf of the manufacturer, ${f.manufacturer.name}, by ${who}.`;
      }
      return `This statement of compliance was prepared by the manufacturer, ${f.manufacturer.name}.`;
    }),
    'declaration-of-compliance': field(
      () =>
        `In the opinion of ${f.manufacturer.name}, the product named above complies with the applicable security requirements of Schedule 1 to ${psti.title} (${psti.legislation}).`,
    ),
    'deemed-compliance-standard': field(() => deemedCompliance(a)),
    'support-period': field(() => {
      const end = need(f.supportPeriod?.endDate, 'supportPeriod.endDate');
      const where = f.supportPeriod?.publishedAt ? `, as published at ${f.supportPeriod.publishedAt}` : '';
      return `Security updates are provided until at least ${end}${where}.`;
    }),
    signatory: field(() => {
      const s = f.statement.signatory;
      return `${need(s?.name, 'statement.signatory.name')}, ${need(s?.function, 'statement.signatory.function')}`;
    }),
    'place-and-date-of-issue': field(() => `${need(f.statement.place, 'statement.place')}, ${need(f.statement.date, 'statement.date')}`),
  };

  const missing = psti.statementFields.flatMap((sf) => {
    const v = values[sf.id];
    if (!v) throw new Error(`no renderer for Schedule 4 field ${sf.id}`);
    return 'missing' in v ? v.missing.map((m) => `${m} (${sf.title})`) : [];
  });
  if (missing.length) {
    throw new InputError(`${a.product.path}: cannot write the statement of compliance; missing ${missing.join(', ')}`);
  }
  const rows = psti.statementFields.map((sf): [string, string] => [sf.title, (values[sf.id] as { value: string }).value]);
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: 'Statement of compliance' },
    {
      kind: 'paragraph',
      text: `Under ${psti.title} (${psti.legislation}), Schedule 4, for a relevant connectable product made available in the United Kingdom.`,
      emphasis: 'note',
    },
    { kind: 'fields', rows },
    { kind: 'signature', label: 'Signature' },
  ];
  const draft = draftReason(a);
  return {
    id: 'statement',
    title: `Statement of compliance: ${f.product.name}`,
    ...(draft ? { draft } : {}),
    blocks,
    data: {
      document: 'statement',
      legislation: psti.legislation,
      draft: draft ?? null,
      fields: Object.fromEntries(psti.statementFields.map((sf) => [sf.id, (values[sf.id] as { value: string }).value])),
    },
    csv: {
      columns: ['field', 'title', 'value'],
      rows: rows.map(([title, value], i) => [psti.statementFields[i]?.id ?? '', title, value]),
    },
  };
}

// Schedule 2 cites EN 303 645 V2.1.1; a product assessed against another version declares compliance directly.
function deemedCompliance(a: Assessment): string {
  if (a.standard.version !== '2.1.1') {
    return `Not claimed: the product was assessed against ${standardName(a)}, while Schedule 2 cites V2.1.1; compliance with Schedule 1 is declared directly.`;
  }
  const routes = a.psti.requirements.map((r) =>
    r.verdict === 'NOT APPLICABLE' ? `${r.title}: not applicable (${r.reasons[0] ?? 'no route needed'})` : `${r.title}: ${r.route}`,
  );
  return `Deemed compliance under Schedule 2 through ${routes.join('; ')}.`;
}

function draftReason(a: Assessment): string | undefined {
  if (a.psti.excepted) return `the product is excepted from the regulations (${a.psti.excepted.title}); no statement is required`;
  const open = a.psti.requirements.filter((r) => r.verdict === 'FAIL' || r.verdict === 'NOT ASSESSED');
  if (!open.length) return undefined;
  return `the assessment does not yet support this declaration: ${open.map((r) => `${r.title} is ${r.verdict}`).join('; ')}`;
}
