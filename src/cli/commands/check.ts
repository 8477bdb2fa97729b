// `baseline check`: single published documents checked on their own. `check security-txt` reads a
// security.txt (RFC 9116) and the disclosure policy beside it.
import type { Command } from 'commander';
import type { Finding } from '../../findings/schema.ts';
import { InputError } from '../../io/input-error.ts';
import { addFindingsOutputOptions, countLine, emitResults, type FindingsOutputOptions } from '../findings-output.ts';
import { VERSION } from '../version.ts';

interface CheckSecurityTxtOptions extends FindingsOutputOptions {
  policy?: string;
  product?: string;
  asOf?: string;
}

/** `--as-of 2026-11-01`: midnight UTC that day. */
function parseAsOf(text: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== text) throw new InputError(`--as-of: expected a date written YYYY-MM-DD, got "${text}"`);
  return date;
}

const STATUS: Record<string, string> = { fail: 'FAIL', pass: 'OK', 'not-applicable': 'N/A', info: 'INFO' };

/** Problems first in file order, as FILE:LINE: message, so editors and terminals can jump to them. */
function problemLines(findings: Finding[]): string[] {
  const order = ['fail', 'info', 'not-applicable', 'pass'];
  const sorted = [...findings].sort(
    (a, b) =>
      order.indexOf(a.result) - order.indexOf(b.result) ||
      (a.location.path ?? '').localeCompare(b.location.path ?? '') ||
      (a.location.line ?? 0) - (b.location.line ?? 0),
  );
  return sorted.map((f) => {
    const place = f.location.line !== undefined ? `${f.location.path}:${f.location.line}` : (f.location.path ?? '');
    const status = f.result === 'fail' ? `${STATUS.fail} ${f.severity}` : (STATUS[f.result] ?? f.result);
    return `${place}: ${f.message} [${status} ${f.check}]`;
  });
}

export function registerCheck(program: Command): void {
  const check = program.command('check').description('check a published document on its own: a security.txt and its disclosure policy');
  addFindingsOutputOptions(
    check
      .command('security-txt <file>')
      .description('check a security.txt against RFC 9116, and its disclosure policy for the timescales the PSTI requires')
      .option(
        '--policy <file>',
        'the disclosure policy document (text or HTML) to read for the acknowledgement and status-update timescales',
      )
      .option(
        '--product <baseline.yaml>',
        "compare with the product file's vulnerabilityDisclosure (contact, acknowledgement, statusUpdates)",
      )
      .option('--as-of <YYYY-MM-DD>', 'judge Expires as of this date instead of now'),
  )
    .addHelpText(
      'after',
      `
Checks (EN 303 645 5.2-1, on which PSTI Schedule 1 paragraph 2 rests):
  Contact (required, mailto:/https:/tel:, never http:), Expires (required once, RFC 3339, not passed,
  under a year ahead), Preferred-Languages, the URI fields (https only), unknown fields, line syntax,
  UTF-8 and a 32 KiB bound, an OpenPGP cleartext signature (recognised; not verified), and the
  acknowledgement and status-update timescales in the policy text (--policy, then the file's comments).
Each problem is printed as FILE:LINE: message.
Exit codes: 0 nothing failing at or above --fail-on, 1 something is, 2 unreadable input.

Examples:
  baseline check security-txt public/.well-known/security.txt
  baseline check security-txt security.txt --policy docs/disclosure-policy.html --product baseline.yaml
  baseline check security-txt security.txt --as-of 2026-11-01 --json --out scans/security-txt.json
  baseline probe 192.0.2.10      fetches /.well-known/security.txt from the device itself`,
    )
    .action(async (file: string, options: CheckSecurityTxtOptions) => {
      const { checkSecurityTxtFile } = await import('../../scan/device/disclosure/check-security-txt-file.ts');
      const asOf = options.asOf !== undefined ? parseAsOf(options.asOf) : undefined;
      const disclosure = options.product
        ? (await import('../../product/load.ts')).loadProduct(options.product).file.vulnerabilityDisclosure
        : undefined;
      const { results, parsed } = checkSecurityTxtFile(file, {
        ...(options.policy ? { policyPath: options.policy } : {}),
        ...(disclosure
          ? {
              claims: {
                contact: disclosure.contact,
                ...(disclosure.acknowledgement ? { acknowledgement: disclosure.acknowledgement } : {}),
                ...(disclosure.statusUpdates ? { statusUpdates: disclosure.statusUpdates } : {}),
              },
            }
          : {}),
        ...(asOf ? { asOf } : {}),
        tool: { name: 'baseline-check-security-txt', version: VERSION },
      });
      process.exitCode = emitResults(results, options, () => {
        const summary = `${file}: security.txt, ${parsed.fields.length} field${parsed.fields.length === 1 ? '' : 's'}${parsed.signed ? ', signed (signature not verified)' : ''}`;
        return `${[summary, '', ...problemLines(results.findings), '', countLine(results)].join('\n')}\n`;
      });
    });
}
