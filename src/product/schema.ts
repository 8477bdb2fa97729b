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
    /** A results file written by `baseline scan` or `baseline probe`; the assessment reads its findings. */
    scan: text.optional(),
    note: z.string().optional(),
  })
  .refine((e) => [e.url, e.file, e.scan].filter((v) => v !== undefined).length === 1, {
    message: 'an evidence reference needs exactly one of url, file or scan',
  });
export type EvidenceRef = z.infer<typeof evidenceRefSchema>;

export const supportSchema = z.enum(['Y', 'N', 'N/A']);
export type Support = z.infer<typeof supportSchema>;

export const claimSchema = z.strictObject({
  /** Y, N or N/A; left empty (null) while the provision is not yet assessed. */
  support: supportSchema.nullable().default(null),
  /** How the product meets the provision, or the justification for N and N/A. */
  detail: z.string().default(''),
  evidence: z.array(evidenceRefSchema).default([]),
});
export type Claim = z.infer<typeof claimSchema>;

export const waiverSchema = z.strictObject({
  /** The check id of the findings accepted on purpose, e.g. firmware/serial-console. */
  check: text,
  /** Only findings at this path or host:port (a prefix match); all locations when absent. */
  location: text.optional(),
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
    /** Model designation as printed on the product. */
    model: text.optional(),
    /** The product type for the statement of compliance, e.g. "Smart thermostat". */
    type: text.optional(),
    /** Batch, serial range or hardware versions the statement covers. */
    batch: text.optional(),
    firmwareVersion: text.optional(),
  }),
  manufacturer: partySchema,
  authorisedRepresentative: partySchema.optional(),
  supportPeriod: z
    .strictObject({
      endDate: date,
      /** Where the support period is published. */
      publishedAt: z.url().optional(),
      /** End dates published before; the PSTI forbids shortening the period. */
      previousEndDates: z.array(date).default([]),
    })
    .optional(),
  vulnerabilityDisclosure: z
    .strictObject({
      /** A URL or an e-mail address for reporting security issues. */
      contact: text,
      policyUrl: z.url().optional(),
      /** When a reporter can expect an acknowledgement, e.g. "within 5 working days". */
      acknowledgement: text.optional(),
      /** When a reporter can expect status updates, e.g. "every 30 days until resolved". */
      statusUpdates: text.optional(),
      securityTxt: z.url().optional(),
      /** The PSTI Schedule 2 route claimed for this requirement. */
      route: z.enum(['etsi-en-303-645', 'iso-iec-29147']).default('etsi-en-303-645'),
    })
    .optional(),
  psti: z
    .strictObject({
      /** The Schedule 3 excepted-product id when the product is outside the regulations. */
      excepted: text.optional(),
    })
    .default({}),
  /** Answers to the standard's numbered conditions, by key: true when the condition holds. */
  conditions: z.record(z.string(), z.boolean()).default({}),
  /** V3 only: which lettered features the product has, by key or letter. */
  features: z.record(z.string(), z.boolean()).default({}),
  provisions: z.record(z.string(), claimSchema).default({}),
  waivers: z.array(waiverSchema).default([]),
  statement: z
    .strictObject({
      /** Who prepared the statement: the manufacturer itself or someone on its behalf. */
      preparedBy: z.enum(['manufacturer', 'on-behalf-of-manufacturer']).optional(),
      /** Name of whoever prepared it on the manufacturer's behalf. */
      preparedOnBehalfBy: text.optional(),
      signatory: z.strictObject({ name: text, function: text }).optional(),
      place: text.optional(),
      date: date.optional(),
    })
    .default({}),
});

export type ProductFile = z.infer<typeof productFileSchema>;
