// Where the CLI writes: results to stdout, progress and errors to stderr.
export const out = (text: string): void => {
  process.stdout.write(text);
};
export const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
export function printJson(value: unknown): void {
  out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit codes every command shares. */
export const EXIT = { ok: 0, notConformant: 1, invalidInput: 2 } as const;
