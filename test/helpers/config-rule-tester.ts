// Tests configuration rules the way ESLint's RuleTester tests lint rules: for each rule (a finding's
// check id), inputs that must pass and inputs that must fail, each run through the kind's real scan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigKind, ConfigScanOptions } from '../../src/scan/config/config-kind.ts';
import { configFileFrom } from '../../src/scan/config/scan-config.ts';

export interface RuleCase {
  /** A short name for the test title; defaults to the input's first line. */
  name?: string;
  /** The file's content. */
  text?: string;
  bytes?: Uint8Array;
  /** The path shown in findings; default "config". */
  path?: string;
  options?: ConfigScanOptions;
  /** The result expected from the rule; valid cases default to 'pass', invalid to 'fail'. */
  result?: 'pass' | 'fail' | 'not-applicable' | 'info';
  /** Matched against the finding's message. */
  message?: RegExp;
}

export function configRuleTester(kind: ConfigKind, check: string, cases: { valid: RuleCase[]; invalid: RuleCase[] }): void {
  describe(check, () => {
    for (const [group, expected] of [
      ['valid', 'pass'],
      ['invalid', 'fail'],
    ] as const) {
      for (const c of cases[group]) {
        const input = c.text ?? `${c.bytes?.length ?? 0} bytes`;
        const title = c.name ?? (input.split('\n').find((l) => l.trim() && !l.startsWith('#')) ?? input).slice(0, 70);
        it(`${group}: ${title}`, () => {
          const bytes = c.bytes ?? new TextEncoder().encode(c.text ?? '');
          const scan = kind.scan(configFileFrom(c.path ?? 'config', bytes), c.options ?? {});
          const findings = scan.findings.filter((f) => f.check === check);
          assert.equal(findings.length > 0, true, `no finding from ${check}; got ${scan.findings.map((f) => f.check).join(', ')}`);
          const want = c.result ?? expected;
          const match = findings.find((f) => f.result === want);
          assert.ok(match, `expected a ${want} finding from ${check}, got ${findings.map((f) => `${f.result}: ${f.message}`).join('; ')}`);
          if (c.message) assert.match(match.message, c.message);
        });
      }
    }
  });
}
