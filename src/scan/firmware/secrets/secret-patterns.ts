// Token formats kept as data (catalog/rules/secret-patterns.yaml). Loading refuses a pattern that could
// backtrack without bound: every quantifier must be bounded ({n} or {n,m}; ? is fine), and each pattern
// must capture exactly the secret, so that what is redacted is what was found.
import { z } from 'zod';
import { dataRuleBase } from '../../check.ts';
import { severitySchema } from '../../../findings/schema.ts';
import { InputError } from '../../../io/input-error.ts';
import { cached, loadRuleFile, RULES_DIR } from '../../config/linux/rule-files.ts';

export const SECRET_PATTERNS_FILE = `${RULES_DIR}secret-patterns.yaml`;

/** Longest bound a quantifier may have: keeps the per-position work small. */
const MAX_BOUND = 256;

/** Why a regex source is not acceptable, or undefined when it is linear enough. */
export function unboundedQuantifier(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      if (/[1-9]/.test(source[i + 1] ?? '')) return 'back-references are not allowed';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '*' || c === '+') return `unbounded quantifier "${c}" at ${i}`;
    else if (c === '{') {
      const m = /^\{(\d{1,4})(,(\d{1,4})?)?\}/.exec(source.slice(i));
      if (!m) continue;
      if (m[2] !== undefined && m[3] === undefined) return `unbounded quantifier "${m[0]}" at ${i}`;
      if (Number(m[3] ?? m[1]) > MAX_BOUND) return `quantifier "${m[0]}" above ${MAX_BOUND}`;
    }
  }
  return undefined;
}

const regexSource = z
  .string()
  .min(4)
  .max(400)
  .superRefine((source, ctx) => {
    const problem = unboundedQuantifier(source);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return;
    }
    try {
      const groups = new RegExp(`${source}|`).exec('')?.length ?? 1;
      if (groups - 1 !== 1) ctx.addIssue({ code: 'custom', message: `needs exactly one capture group (the secret), has ${groups - 1}` });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
    }
  });

const secretPatternSchema = z.strictObject({
  ...dataRuleBase,
  regex: regexSource,
  nearby: z
    .strictObject({
      regex: regexSource,
      lines: z.number().int().min(0).max(20),
      severityAlone: severitySchema,
    })
    .optional(),
});

const secretPatternsFileSchema = z.strictObject({ rules: z.array(secretPatternSchema).min(1) });

export type SecretPatternRule = z.infer<typeof secretPatternSchema>;

export interface SecretPattern extends SecretPatternRule {
  pattern: RegExp;
  nearbyPattern?: RegExp;
}

export function loadSecretPatterns(path = SECRET_PATTERNS_FILE, text?: string): SecretPattern[] {
  const data = loadRuleFile(secretPatternsFileSchema, path, text);
  return data.rules.map((rule) => {
    try {
      return {
        ...rule,
        pattern: new RegExp(rule.regex, 'g'),
        ...(rule.nearby ? { nearbyPattern: new RegExp(rule.nearby.regex) } : {}),
      };
    } catch (error) {
      throw new InputError(`${path}: rule ${rule.id}: ${(error as Error).message}`);
    }
  });
}

export const secretPatterns = cached(() => loadSecretPatterns());
