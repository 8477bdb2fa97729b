// Expected failures caused by the user's input. The CLI prints them as one line and exits 2;
// anything else is a bug and keeps its stack trace.
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** "file:line:col: field: problem", the one-line shape every input error takes. */
export function located(file: string, line: number | undefined, column: number | undefined, message: string): string {
  const place = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
  return `${place}: ${message}`;
}
