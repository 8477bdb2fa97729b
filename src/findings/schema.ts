// The one findings format: every scanner writes it, the assessment reads it. Documented in docs/findings-format.md.
import { z } from 'zod';

export const FINDINGS_FORMAT = 'baseline-findings/1';

export const severitySchema = z.enum(['critical', 'high', 'medium', 'low', 'info']);
export type Severity = z.infer<typeof severitySchema>;
export const SEVERITY_ORDER: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** fail: the artefact breaks the check; pass: the check looked and found it met; info: an observation only. */
export const findingResultSchema = z.enum(['fail', 'pass', 'not-applicable', 'info']);
export type FindingResult = z.infer<typeof findingResultSchema>;

export const locationSchema = z
  .strictObject({
    path: z.string().min(1).optional(),
    line: z.number().int().positive().optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    /** The port's transport; absent means TCP. */
    transport: z.enum(['tcp', 'udp']).optional(),
  })
  .refine((l) => l.path !== undefined || l.host !== undefined, 'a location needs a path or a host');

export const findingSchema = z.strictObject({
  check: z.string().regex(/^[a-z0-9][a-z0-9/_.-]*$/, 'a check id such as firmware/universal-password'),
  title: z.string().optional(),
  provisions: z.array(z.string()).min(1),
  severity: severitySchema,
  result: findingResultSchema.default('fail'),
  location: locationSchema,
  message: z.string().min(1),
  /** An excerpt of what was found, with secrets already redacted by the scanner. */
  evidence: z.string().max(2000).optional(),
  remediation: z.string().optional(),
});
export type Finding = z.infer<typeof findingSchema>;
export type FindingInput = z.input<typeof findingSchema>;

export const resultsSchema = z.strictObject({
  format: z.literal(FINDINGS_FORMAT).optional(),
  tool: z.string().min(1),
  version: z.string().min(1),
  target: z.string().min(1),
  generatedAt: z.string().optional(),
  findings: z.array(findingSchema),
  /** Parts of the target the scanner could not read: never a silent success. */
  incomplete: z.array(z.strictObject({ part: z.string(), reason: z.string() })).default([]),
});
export type Results = z.infer<typeof resultsSchema>;

export function formatLocation(location: Finding['location']): string {
  if (location.host !== undefined) {
    if (location.port === undefined) return location.host;
    // An IPv6 address takes brackets before a port, as in URLs: [::1]:8080. A UDP port says so: :5683/udp.
    const host = location.host.includes(':') ? `[${location.host}]` : location.host;
    return `${host}:${location.port}${location.transport === 'udp' ? '/udp' : ''}`;
  }
  return location.line === undefined ? (location.path ?? '') : `${location.path}:${location.line}`;
}

/** Where a finding is, as SARIF's artifact location: the path in the image, or the service as formatLocation writes it. */
export function locationUri(location: Finding['location']): string {
  return location.path ?? formatLocation({ ...location, line: undefined });
}
