// Secrets are only ever shown redacted: at most the first and last four characters, fewer for short
// values, so that a report can say which token it means without handing it to its reader.

export function redactSecret(value: string): string {
  const chars = [...value];
  if (chars.length === 0) return '(empty)';
  const keep = Math.min(4, Math.floor(chars.length / 4));
  if (keep === 0) return `${'*'.repeat(Math.min(chars.length, 8))} [redacted, ${chars.length} characters]`;
  return `${chars.slice(0, keep).join('')}…${chars.slice(-keep).join('')} [redacted]`;
}

/** A line of evidence with one secret value replaced by its redacted form, and trimmed. */
export function redactLine(line: string, secret: string, max = 200): string {
  const redacted = secret ? line.split(secret).join(redactSecret(secret)) : line;
  const trimmed = redacted.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed;
}
