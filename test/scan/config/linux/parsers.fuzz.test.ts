// Property-based fuzzing of the Linux parsers and the whole scan: whatever bytes arrive, the answer is
// findings or an InputError (one line), never another exception and never a long stall.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../../src/io/input-error.ts';
import { parseCmdline } from '../../../../src/scan/config/linux/cmdline-parser.ts';
import { formatScores } from '../../../../src/scan/config/linux/detect-format.ts';
import { linuxKind } from '../../../../src/scan/config/linux/index.ts';
import { parseKconfig } from '../../../../src/scan/config/linux/kconfig-parser.ts';
import { parseSysctl } from '../../../../src/scan/config/linux/sysctl-parser.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Generous for a 2-core CI machine; a backtracking regex on these inputs would take far longer. */
const MAX_MS = 2000;

function onlyInputErrors(run: () => unknown): void {
  const started = cpuClock();
  try {
    run();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    assert.equal(error.message.includes('\n'), false, `multi-line error: ${error.message}`);
  }
  assert.ok(started() < MAX_MS, `took ${Math.round(started())} ms`);
}

// Pieces of every format, so the generator reaches deep into the parsers rather than bouncing off.
const piece = fc.constantFrom(
  'CONFIG_',
  'CONFIG_MODULES=y',
  '# CONFIG_KGDB is not set',
  '# Linux/x86 6.1.0 Kernel Configuration',
  '# Linux/arm64 ',
  'CONFIG_X86_64=y',
  'CONFIG_DEFAULT_MMAP_MIN_ADDR=0x',
  '="',
  '"',
  '\\"',
  '=',
  ' = ',
  '\r\n',
  '\n',
  '\r',
  '\0',
  '\t',
  ' -- ',
  'root=/dev/sda1',
  'console=ttyS0',
  'dm-mod.create="',
  'rd.luks.',
  'kernel.kptr_restrict',
  'net.ipv4.conf.*.rp_filter',
  '*',
  '?',
  '/',
  '-',
  ';',
  '#',
  'é',
  '\u{1F600}',
);
const junk = fc.array(fc.oneof(piece, fc.string({ maxLength: 12 })), { maxLength: 80 }).map((parts) => parts.join(''));
const option = fc.oneof(
  fc.constantFrom('MODULES', 'KGDB', 'DEFAULT_MMAP_MIN_ADDR', 'X86_64', 'ARM64', 'STACKPROTECTOR_STRONG', 'DEVMEM'),
  fc.string({ maxLength: 10 }),
);
const value = fc.oneof(fc.constantFrom('y', 'm', 'n', '0x10000', '65536', '"sha512"', '-1'), fc.string({ maxLength: 10 }));
const kconfigLine = fc.oneof(
  fc.tuple(option, value).map(([o, v]) => `CONFIG_${o}=${v}`),
  option.map((o) => `# CONFIG_${o} is not set`),
  fc
    .tuple(fc.constantFrom('x86', 'arm64', 'arm', 'riscv', ''), fc.string({ maxLength: 10 }))
    .map(([a, v]) => `# Linux/${a} ${v} Kernel Configuration`),
);
const cmdlineToken = fc.oneof(
  fc.constantFrom(
    'root=/dev/sda1',
    'console=ttyS0,115200',
    'rootwait',
    'nokaslr',
    'init_on_alloc=0',
    'dm-mod.create="a b verity c"',
    '--',
    '"',
    'slab_nomerge',
  ),
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([k, v]) => `${k}=${v}`),
);
const cmdlineLine = fc.array(cmdlineToken, { minLength: 1, maxLength: 12 }).map((t) => t.join(' '));
const sysctlLine = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('kernel.kptr_restrict', 'net.ipv4.conf.*.rp_filter', 'fs/protected_fifos', '-vm.unprivileged_userfaultfd'),
      fc.string({ maxLength: 12 }),
    ),
    fc.string({ maxLength: 8 }),
  )
  .map(([k, v]) => `${k} = ${v}`);
const lines = (line: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.array(fc.oneof({ arbitrary: line, weight: 5 }, { arbitrary: junk, weight: 1 }), { minLength: 1, maxLength: 20 }),
      fc.constantFrom('\n', '\r\n'),
    )
    .map(([l, eol]) => l.join(eol));
const structured = fc.oneof(
  lines(kconfigLine),
  lines(cmdlineLine).map((t) => t.split('\n').slice(0, 2).join('\n')),
  lines(sysctlLine),
  junk,
);
const anyText = fc.oneof(
  { arbitrary: structured, weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 600 }), weight: 1 },
  { arbitrary: fc.string({ maxLength: 600 }), weight: 1 },
);
const options = fc.record(
  {
    kernelVersion: fc.oneof(
      { arbitrary: fc.constantFrom('6.1', '4.14.0', '5.13-rc1'), weight: 4 },
      { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
    ),
    arch: fc.oneof(
      { arbitrary: fc.constantFrom('x86_64', 'arm64', 'armhf', 'riscv64'), weight: 4 },
      { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
    ),
    cmdline: anyText,
  },
  { requiredKeys: [] },
);

describe('fuzzing the Linux parsers', () => {
  it('the .config, cmdline and sysctl parsers take any text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        onlyInputErrors(() => parseKconfig(text));
        onlyInputErrors(() => parseCmdline(text));
        onlyInputErrors(() => parseSysctl(text));
        onlyInputErrors(() => formatScores(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('the Linux scan answers any bytes and options with findings or an input error', () => {
    let scanned = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: anyText.map((t) => new TextEncoder().encode(t)), weight: 4 },
          { arbitrary: fc.uint8Array({ maxLength: 600 }), weight: 1 },
        ),
        options,
        (bytes, opts) => {
          onlyInputErrors(() => {
            const file = configFileFrom('fuzz', bytes);
            const score = linuxKind.detect(file);
            assert.ok(score >= 0 && score <= 1);
            const scan = linuxKind.scan(file, opts);
            for (const f of scan.findings) assert.ok(['pass', 'fail', 'not-applicable', 'info'].includes(f.result));
            scanned++;
          });
        },
      ),
      { numRuns: RUNS },
    );
    // The generator must reach the rules, not only the input errors at the door.
    assert.ok(scanned > RUNS / 10, `only ${scanned} of ${RUNS} inputs were scanned`);
  });

  it('stays fast on hostile shapes: huge lines, many quotes, deep globs, many lines', () => {
    const hostile = [
      `CONFIG_X="${'\\"'.repeat(200_000)}`,
      `CONFIG_${'A'.repeat(500_000)}=y`,
      `# CONFIG_${'A_'.repeat(100_000)} is not set`,
      `# Linux/${'x'.repeat(100_000)} ${'6.1'.repeat(100_000)} Kernel Configuration`,
      `root=/dev/sda1 ${'"'.repeat(60_000)}`,
      `root=/dev/sda1 ${'a=b '.repeat(15_000)}`,
      `${'*'.repeat(200)}a = 1\n`.repeat(500) + 'net.ipv4.conf.all.rp_filter = 1\n',
      'CONFIG_MODULES=y\n'.repeat(200_000),
      '\n'.repeat(1_000_000),
      '\0'.repeat(100_000),
      '\r'.repeat(100_000),
    ];
    for (const text of hostile) {
      onlyInputErrors(() => linuxKind.scan(configFileFrom('hostile', new TextEncoder().encode(text)), { cmdline: text.slice(0, 100_000) }));
    }
  });
});
