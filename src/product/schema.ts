// The maker's product file, baseline.yaml. schema/baseline.schema.json is generated from this for editors.
import { z } from 'zod';

const date = z.iso.date('a date written YYYY-MM-DD');
const text = z.string().trim().min(1, 'must not be empty');

export const partySchema = z.strictObject({
  name: text,
  address: text.optional(),
});

export const evidenceRefSchema = z
  .strictObject({
    url: z.url().optional(),
    file: text.optional(),
    scan: text.optional().describe('A results file written by `baseline scan` or `baseline probe`; the assessment reads its findings.'),
    note: z.string().optional(),
  })
  .refine((e) => [e.url, e.file, e.scan].filter((v) => v !== undefined).length === 1, {
    message: 'an evidence reference needs exactly one of url, file or scan',
  });
export type EvidenceRef = z.infer<typeof evidenceRefSchema>;

export const supportSchema = z.enum(['Y', 'N', 'N/A']);
export type Support = z.infer<typeof supportSchema>;

export const claimSchema = z.strictObject({
  support: supportSchema.nullable().default(null).describe('Y, N or N/A; left empty (null) while the provision is not yet assessed.'),
  detail: z.string().default('').describe('How the product meets the provision, or the justification for N and N/A.'),
  evidence: z.array(evidenceRefSchema).default([]),
});
export type Claim = z.infer<typeof claimSchema>;

export const waiverSchema = z.strictObject({
  check: text.describe('The check id of the findings accepted on purpose, e.g. firmware/serial-console.'),
  location: text.optional().describe('Only findings at this path or host:port (a prefix match); all locations when absent.'),
  justification: z.string().trim().min(10, 'needs a justification of at least 10 characters'),
  expires: date,
});
export type Waiver = z.infer<typeof waiverSchema>;

export const productFileSchema = z.strictObject({
  standard: z
    .strictObject({
      id: z.literal('etsi-en-303-645').default('etsi-en-303-645'),
      version: z.enum(['2.1.1', '3.1.3']).default('2.1.1'),
    })
    .default({ id: 'etsi-en-303-645', version: '2.1.1' }),
  product: z.strictObject({
    name: text,
    model: text.optional().describe('Model designation as printed on the product.'),
    type: text.optional().describe('The product type for the statement of compliance, e.g. "Smart thermostat".'),
    batch: text.optional().describe('Batch, serial range or hardware versions the statement covers.'),
    firmwareVersion: text.optional(),
  }),
  manufacturer: partySchema,
  authorisedRepresentative: partySchema.optional(),
  supportPeriod: z
    .strictObject({
      endDate: date,
      publishedAt: z.url().optional().describe('Where the support period is published.'),
      previousEndDates: z.array(date).default([]).describe('End dates published before; the PSTI forbids shortening the period.'),
    })
    .optional(),
  vulnerabilityDisclosure: z
    .strictObject({
      contact: text.describe('A URL or an e-mail address for reporting security issues.'),
      policyUrl: z.url().optional(),
      acknowledgement: text.optional().describe('When a reporter can expect an acknowledgement, e.g. "within 5 working days".'),
      statusUpdates: text.optional().describe('When a reporter can expect status updates, e.g. "every 30 days until resolved".'),
      securityTxt: z.url().optional(),
      route: z
        .enum(['etsi-en-303-645', 'iso-iec-29147'])
        .default('etsi-en-303-645')
        .describe('The PSTI Schedule 2 route claimed for this requirement.'),
    })
    .optional(),
  psti: z
    .strictObject({
      excepted: text.optional().describe('The Schedule 3 excepted-product id when the product is outside the regulations.'),
    })
    .default({}),
  conditions: z
    .record(z.string(), z.boolean())
    .default({})
    .describe("Answers to the standard's numbered conditions, by key: true when the condition holds."),
  features: z.record(z.string(), z.boolean()).default({}).describe('V3 only: which lettered features the product has, by key or letter.'),
  provisions: z.record(z.string(), claimSchema).default({}),
  waivers: z.array(waiverSchema).default([]),
  statement: z
    .strictObject({
      preparedBy: z
        .enum(['manufacturer', 'on-behalf-of-manufacturer'])
        .optional()
        .describe('Who prepared the statement: the manufacturer itself or someone on its behalf.'),
      preparedOnBehalfBy: text.optional().describe("Name of whoever prepared it on the manufacturer's behalf."),
      signatory: z.strictObject({ name: text, function: text }).optional(),
      place: text.optional(),
      date: date.optional(),
    })
    .default({}),
});

export type ProductFile = z.infer<typeof productFileSchema>;
