// `baseline check security-txt`: a security.txt on disk (and optionally the policy document beside it)
// checked against RFC 9116 and the PSTI's timescales, with findings at file and line.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { runCheck } from '../../check.ts';
import { FINDINGS_FORMAT, type Finding, type Results } from '../../../findings/schema.ts';
import { InputError } from '../../../io/input-error.ts';
import { POLICY_CHECKS, type PolicySubject, type PolicyText } from './policy-checks.ts';
import { policyLines, type TimescaleKind } from './policy-timescales.ts';
import { policyUrls, SECURITY_TXT_CHECKS, type SecurityTxtSubject } from './security-txt-checks.ts';
import { firstInvalidUtf8, type ParsedSecurityTxt, parseSecurityTxt, SECURITY_TXT_MAX_BYTES } from './security-txt.ts';

/** The claims a product file makes about its policy (its vulnerabilityDisclosure section). */
export interface DisclosureClaims {
  contact?: string;
  acknowledgement?: string;
  statusUpdates?: string;
}

export interface SecurityTxtFileOptions {
  /** A policy document (plain text or HTML) to read for the timescales. */
  policyPath?: string;
  claims?: DisclosureClaims;
  /** "Now" for Expires; defaults to the current time. */
  asOf?: Date;
  tool: { name: string; version: string };
}

const MAX_POLICY_BYTES = 1024 * 1024;

/** Up to `max` bytes of a file, and its full size; unreadable files are input errors. */
function readHead(path: string, max: number): { bytes: Buffer; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read file (${code ?? String(error)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError(`${path}: is a folder, not a file`);
    const bytes = Buffer.alloc(Math.min(max, stat.isFile() ? stat.size : max));
    let filled = 0;
    while (filled < bytes.length) {
      const n = readSync(fd, bytes, filled, bytes.length - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return { bytes: bytes.subarray(0, filled), size: stat.isFile() ? stat.size : filled };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    closeSync(fd);
  }
}

function requireUtf8(path: string, bytes: Buffer, what: string): void {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return;
  let line = 1;
  for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
  throw new InputError(
    `${path}:${line}: not UTF-8 text (byte 0x${(bytes[bad] as number).toString(16).padStart(2, '0')} at offset ${bad}); ${what} must be UTF-8`,
  );
}

export interface SecurityTxtFileReport {
  results: Results;
  parsed: ParsedSecurityTxt;
}

export function checkSecurityTxtFile(path: string, options: SecurityTxtFileOptions): SecurityTxtFileReport {
  // One byte past the bound is enough to know the file is too large.
  const { bytes, size } = readHead(path, SECURITY_TXT_MAX_BYTES + 1);
  requireUtf8(path, bytes, 'a security.txt');
  const parsed = parseSecurityTxt(bytes, size);

  const asOf = options.asOf ?? new Date();
  const subject: SecurityTxtSubject = {
    name: path,
    place: { path },
    parsed,
    asOf,
    ...(options.claims?.contact ? { claimedContact: options.claims.contact } : {}),
  };
  const findings: Finding[] = SECURITY_TXT_CHECKS.flatMap((check) => runCheck(check, subject));

  const texts: PolicyText[] = [];
  if (options.policyPath) {
    const policy = readHead(options.policyPath, MAX_POLICY_BYTES);
    if (policy.size > MAX_POLICY_BYTES)
      throw new InputError(`--policy: ${options.policyPath} is larger than ${MAX_POLICY_BYTES / 1024 / 1024} MiB`);
    requireUtf8(options.policyPath, policy.bytes, 'a policy document');
    texts.push({ name: options.policyPath, place: { path: options.policyPath }, lines: policyLines(policy.bytes.toString('utf8')) });
  }
  texts.push({ name: path, place: { path }, lines: parsed.comments });
  const claims: Partial<Record<TimescaleKind, string>> = {
    ...(options.claims?.acknowledgement ? { acknowledgement: options.claims.acknowledgement } : {}),
    ...(options.claims?.statusUpdates ? { statusUpdates: options.claims.statusUpdates } : {}),
  };
  const policy: PolicySubject = {
    texts,
    claims,
    unread: options.policyPath ? [] : policyUrls(parsed).map((url) => ({ name: url, reason: 'save it and pass it with --policy' })),
    place: { path: options.policyPath ?? path },
    placeName: options.policyPath ?? path,
  };
  findings.push(...POLICY_CHECKS.flatMap((check) => runCheck(check, policy)));

  return {
    parsed,
    results: {
      format: FINDINGS_FORMAT,
      tool: options.tool.name,
      version: options.tool.version,
      target: path,
      generatedAt: new Date().toISOString(),
      findings,
      incomplete: [],
    },
  };
}
