// The `baseline` command: wires the pipeline stages together and turns input errors into exit code 2.
import { Command, CommanderError } from 'commander';
import { InputError } from '../io/input-error.ts';
import { registerAssess } from './commands/assess.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerCheck } from './commands/check.ts';
import { registerChecks } from './commands/checks.ts';
import { registerProbe } from './commands/probe.ts';
import { registerInit } from './commands/init.ts';
import { registerReport } from './commands/report.ts';
import { registerRules } from './commands/rules.ts';
import { registerScan } from './commands/scan.ts';
import { EXIT } from './output.ts';
import { VERSION } from './version.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('baseline')
    .version(VERSION)
    .description(
      'Checks a connected consumer product against ETSI EN 303 645 and the UK PSTI regulations: it backs each answer with evidence from the product, and writes the documents the law asks for.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions()
    .exitOverride()
    .addHelpText(
      'after',
      `
The pipeline, in the order a product goes through it:
  catalog   the standards as data                       baseline catalog show 5.1-1
  init      start a product file (baseline.yaml)        baseline init
  scan      evidence from images and configs            baseline scan firmware rootfs.squashfs --json --out scans/firmware.json
  probe     evidence from the running device            baseline probe 192.168.1.50 --json --out scans/probe.json
  check     a security.txt and its disclosure policy    baseline check security-txt .well-known/security.txt
  assess    verdicts from claims and evidence           baseline assess baseline.yaml --evidence scans/firmware.json
  report    Table B.1, statement of compliance, gaps    baseline report baseline.yaml --out docs/compliance
Reference:
  rules     the configuration rules, with sources       baseline rules --kind linux
  checks    the firmware and probe checks               baseline checks --source probe

Exit codes: 0 success / conformant, 1 not conformant (or a failing finding at --fail-on), 2 invalid input.
Docs: docs/product-file.md, docs/firmware-scan.md, docs/probe.md, docs/findings-format.md, docs/assessment.md`,
    );
  // Registered in pipeline order, so the command list reads the way a product goes through it.
  registerCatalog(program);
  registerInit(program);
  registerScan(program);
  registerProbe(program);
  registerCheck(program);
  registerAssess(program);
  registerReport(program);
  registerRules(program);
  registerChecks(program);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; anything else commander rejects is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
    }
    if (error instanceof InputError) {
      process.stderr.write(`baseline: ${error.message}\n`);
      return EXIT.invalidInput;
    }
    throw error;
  }
}

if (import.meta.main) {
  // A closed pipe (`baseline catalog | head`) ends the output, not the program with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await main(process.argv);
}
