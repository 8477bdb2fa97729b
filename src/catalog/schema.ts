// Schemas for the standards data in catalog/. The loader validates every file against these,
// so a typo in the data fails loudly at start-up instead of silently skewing a verdict.
import { z } from 'zod';

export const provisionId = z
  .string()
  .regex(/^(4-1|5\.0-1|5\.\d{1,2}-\d{1,2}[AB]?|6-\d[AB]?)$/, 'a provision id such as 5.1-1, 5.3-4A or 6-3');

/** Base statuses of Annex B: Mandatory / Recommended, optionally Conditional and (V3) Feature-dependent. */
export const provisionStatus = z.enum(['M', 'R', 'M C', 'R C', 'M F', 'R F', 'M C F', 'R C F']);
export type ProvisionStatus = z.infer<typeof provisionStatus>;

const ownWords = z.string().min(3).max(400);

export const conditionSchema = z.strictObject({
  number: z.number().int().positive(),
  key: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** A yes/no question put to the maker; "yes" means the condition holds. */
  question: z.string().min(10),
  summary: ownWords,
  /** Set where this condition is the exact opposite of another (V2.1.1: 5 = not 4). */
  negates: z.number().int().positive().optional(),
});

export const featureSchema = z.strictObject({
  letter: z.string().regex(/^[a-z]{1,2}$/),
  key: z.string().regex(/^[a-z][a-z0-9-]*$/),
  question: z.string().min(10),
  summary: ownWords,
});

export const clauseSchema = z.strictObject({
  number: z.string().regex(/^\d+(\.\d+)?$/),
  title: z.string().min(3),
});

export const provisionSchema = z.strictObject({
  id: provisionId,
  clause: z.string(),
  status: provisionStatus,
  conditions: z.array(z.number().int().positive()).default([]),
  features: z.array(z.string()).default([]),
  /** 4-1 in V2.1.1 stands outside Table B.1; every other provision is a row of it. */
  inTableB1: z.boolean().default(true),
  title: z.string().min(3).max(120),
  summary: ownWords,
  /** ETSI TS 103 701 test case ids, e.g. "5.1-1-1". */
  testCases: z.array(z.string()).default([]),
  /** ETSI TS 103 701 IXIT categories, e.g. "1-AuthMech". */
  ixit: z.array(z.string()).default([]),
  /** Other spellings met in the wild, e.g. "6.1-1" for "6-1". */
  aliases: z.array(z.string()).default([]),
});

export const readingSchema = z.strictObject({
  provision: provisionId,
  chosen: z.string(),
  why: z.string(),
});

export const etsiCatalogSchema = z.strictObject({
  standard: z.literal('etsi-en-303-645'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  date: z.string().regex(/^\d{4}-\d{2}$/),
  title: z.string(),
  /** Where the data was cross-checked, and the choices made where public copies disagree. */
  sources: z.array(z.string()).default([]),
  readings: z.array(readingSchema).default([]),
  conditions: z.array(conditionSchema),
  features: z.array(featureSchema).default([]),
  clauses: z.array(clauseSchema),
  provisions: z.array(provisionSchema),
});

export type EtsiCatalog = z.infer<typeof etsiCatalogSchema>;
export type Provision = z.infer<typeof provisionSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type Feature = z.infer<typeof featureSchema>;

const pstiRoute = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  /** 'etsi-en-303-645' or 'iso-iec-29147'. */
  standard: z.string(),
  /** EN 303 645 provisions the route rests on. */
  provisions: z.array(provisionId).default([]),
  /** Provisions needed only where relevant (5.1-2 for passwords). */
  provisionsWhereRelevant: z.array(provisionId).default([]),
  /** ISO/IEC 29147 paragraphs, for the disclosure route. */
  paragraphs: z.array(z.string()).default([]),
  summary: ownWords,
});

export const pstiRequirementSchema = z.strictObject({
  id: z.string().regex(/^psti-[a-z0-9-]+$/),
  key: z.enum(['passwords', 'security-issue-reporting', 'support-period']),
  schedule: z.literal(1),
  paragraph: z.string(),
  status: z.literal('M'),
  title: z.string(),
  summary: ownWords,
  /** Plain-words points of the requirement, e.g. what makes a unique password acceptable. */
  points: z.array(z.strictObject({ id: z.string(), summary: ownWords })).default([]),
  deemedCompliance: z.array(pstiRoute),
});

export const pstiCatalogSchema = z.strictObject({
  standard: z.literal('uk-psti-2023'),
  version: z.string(),
  title: z.string(),
  legislation: z.string(),
  inForce: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  sources: z.array(z.string()).default([]),
  requirements: z.array(pstiRequirementSchema),
  exceptedProducts: z.array(z.strictObject({ id: z.string(), paragraph: z.string(), title: z.string(), summary: ownWords })),
  statementFields: z.array(
    z.strictObject({
      id: z.string().regex(/^[a-z][a-z0-9-]*$/),
      paragraph: z.string(),
      title: z.string(),
      summary: ownWords,
    }),
  ),
});

export type PstiCatalog = z.infer<typeof pstiCatalogSchema>;
export type PstiRequirement = z.infer<typeof pstiRequirementSchema>;
