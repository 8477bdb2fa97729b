// One pass over an image's regular files, shared by every secrets check through the memo: key material
// (PEM blocks in any file, including binaries; DER, PKCS#12, OpenSSH and dropbear keys), token patterns
// and password assignments in text files. Files are read once, up to a size bound, under a total-bytes
// budget; links are never followed (a symlink to a key is the key's own entry, already scanned).
import type { FirmwareContext } from '../firmware-check.ts';
import type { FsEntry } from '../image-fs.ts';
import { passwordAssignments } from './assignments.ts';
import { type FoundMaterial, keyMaterial } from './key-material.ts';
import { redactLine } from './redact.ts';
import { type SecretPattern, secretPatterns } from './secret-patterns.ts';

/** Text patterns are looked for in files up to this size; binaries are searched for PEM blocks up to it too. */
export const MAX_SCAN_BYTES = 4 * 1024 * 1024;
/** All files together: a huge image is scanned up to this, and the rest recorded as a read problem. */
export const TOTAL_SCAN_BYTES = 512 * 1024 * 1024;
/** Files whose `key: value` lines look like assignments but never hold secrets. */
const NOT_ASSIGNMENTS = /(?:^|\/)nsswitch\.conf$/;

/** A NUL in the first bytes marks a binary. */
const TEXT_SNIFF_BYTES = 8192;
const MAX_LINE_CHARS = 4096;

export interface FoundToken {
  rule: SecretPattern;
  path: string;
  line: number;
  /** Redacted form of the token, and of its line. */
  redacted: string;
  evidence: string;
  /** For rules with `nearby`: whether the completing part was found. */
  complete: boolean;
}

export interface FoundPassword {
  path: string;
  line: number;
  name: string;
  redacted: string;
  evidence: string;
}

export interface SecretScan {
  material: FoundMaterial[];
  tokens: FoundToken[];
  passwords: FoundPassword[];
  /** Files scanned and files left out for size. */
  scannedFiles: number;
  skippedLarge: number;
}

const SSH_HOST_KEY = /(?:^|\/)ssh_host_[a-z0-9]{1,16}_key$/;
const DROPBEAR_HOST_KEY = /(?:^|\/)dropbear_[a-z0-9]{1,16}_host_key$/;

export function isSshHostKeyPath(path: string): boolean {
  return SSH_HOST_KEY.test(path) || DROPBEAR_HOST_KEY.test(path);
}

/** System CA bundles: public certificates of others, reported as one summary, never one by one. */
export function isTrustStorePath(path: string): boolean {
  return (
    /^\/(?:etc\/ssl\/certs|usr\/share\/ca-certificates|etc\/pki\/(?:ca-trust|tls\/certs)|etc\/ca-certificates|usr\/local\/share\/ca-certificates|usr\/share\/pki)\//.test(
      path,
    ) || /(?:^|\/)(?:ca-bundle[^/]{0,40}|ca-certificates\.crt|cacert\.pem|tls-ca-bundle\.pem)$/.test(path)
  );
}

/** Password assignments are looked for in configuration and scripts, not in libraries and documentation. */
function isConfigOrScript(path: string, text: string): boolean {
  if (
    /^\/(?:usr\/share\/(?:doc|man|info|locale|i18n|zoneinfo)|usr\/(?:local\/)?lib\/(?:python|perl|ruby|node_modules|go)|usr\/include)/.test(
      path,
    )
  )
    return false;
  if (/^\/etc\/(?:passwd|shadow|group|gshadow)-?$/.test(path)) return false;
  if (text.startsWith('#!')) return true;
  if (/^\/(?:etc|root|home|opt|www|var|data|config|usr\/local\/etc)\//.test(path)) return true;
  return /\.(?:sh|conf|cfg|cnf|ini|env|json|ya?ml|properties|toml|lua|uci|txt)$/i.test(path);
}

function tokensIn(path: string, lines: string[]): FoundToken[] {
  const found: FoundToken[] = [];
  for (const rule of secretPatterns()) {
    lines.forEach((line, i) => {
      rule.pattern.lastIndex = 0;
      for (let m = rule.pattern.exec(line); m; m = rule.pattern.exec(line)) {
        const secret = m[1] ?? m[0];
        let complete = true;
        if (rule.nearbyPattern && rule.nearby) {
          const window = lines.slice(Math.max(0, i - rule.nearby.lines), i + rule.nearby.lines + 1);
          complete = window.some((l) => {
            const n = rule.nearbyPattern?.exec(l);
            return n !== null && n !== undefined && n[1] !== secret;
          });
        }
        found.push({ rule, path, line: i + 1, redacted: redactLine(secret, secret), evidence: redactLine(line, secret), complete });
        if (m[0].length === 0) rule.pattern.lastIndex++;
      }
    });
  }
  return found;
}

export function secretScan(context: FirmwareContext): SecretScan {
  return context.memo('secret-scan', () => {
    const budget = context.memo('secret-scan-budget', () => ({ remaining: TOTAL_SCAN_BYTES, exhausted: false }));
    const result: SecretScan = { material: [], tokens: [], passwords: [], scannedFiles: 0, skippedLarge: 0 };
    const candidates = context.files((e: FsEntry) => e.size > 0 && !/^\/(?:proc|sys|dev)\//.test(e.path));
    for (const entry of candidates) {
      if (entry.size > MAX_SCAN_BYTES) {
        result.skippedLarge++;
        continue;
      }
      if (budget.remaining < entry.size) {
        if (!budget.exhausted)
          context.fs.problems.push({ part: entry.path, reason: `secrets scan stopped here: ${TOTAL_SCAN_BYTES} bytes read (budget)` });
        budget.exhausted = true;
        break;
      }
      let bytes: Uint8Array;
      try {
        bytes = context.fs.read(entry.path, MAX_SCAN_BYTES);
      } catch (error) {
        if (error instanceof Error && error.name === 'ImageReadError') {
          context.fs.problems.push({ part: entry.path, reason: error.message });
          continue;
        }
        throw error;
      }
      budget.remaining -= bytes.length;
      result.scannedFiles++;
      const isText = !bytes.subarray(0, TEXT_SNIFF_BYTES).includes(0);
      result.material.push(...keyMaterial(entry.path, bytes, isText, { dropbear: DROPBEAR_HOST_KEY.test(entry.path) }));
      if (!isText || isTrustStorePath(entry.path)) continue;
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      const lines = text.split('\n', 200_000).map((l) => (l.length > MAX_LINE_CHARS ? l.slice(0, MAX_LINE_CHARS) : l));
      result.tokens.push(...tokensIn(entry.path, lines));
      // nsswitch.conf's "passwd: files" names a database, not a password.
      if (isConfigOrScript(entry.path, text) && !NOT_ASSIGNMENTS.test(entry.path)) {
        for (const p of passwordAssignments(text)) {
          result.passwords.push({
            path: entry.path,
            line: p.line,
            name: p.name,
            redacted: redactLine(p.value, p.value),
            evidence: redactLine(p.text, p.value),
          });
        }
      }
    }
    return result;
  });
}
