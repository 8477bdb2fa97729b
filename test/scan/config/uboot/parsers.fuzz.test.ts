// Property-based fuzzing of the U-Boot environment readers, the script walker, the boot script reader and
// the whole scan: whatever bytes arrive, the answer is findings or an InputError (one line), never another
// exception, never a stall.
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../../src/io/input-error.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { followBoot } from '../../../../src/scan/config/uboot/boot-path.ts';
import { detectBootScript, readBootScript } from '../../../../src/scan/config/uboot/boot-script.ts';
import { effective, readBinary, readText } from '../../../../src/scan/config/uboot/environment.ts';
import { scanBootScript, ubootKind } from '../../../../src/scan/config/uboot/index.ts';
import { expandValue, parseScript } from '../../../../src/scan/config/uboot/script.ts';
import { findUbootEnvironments } from '../../../../src/scan/firmware/carving/uboot-env.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const MAX_MS = 2000;

function onlyInputErrors(run: () => unknown): boolean {
  const started = cpuClock();
  let ok = true;
  try {
    run();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    assert.equal(error.message.includes('\n'), false, `multi-line error: ${error.message}`);
    ok = false;
  }
  assert.ok(started() < MAX_MS, `took ${Math.round(started())} ms`);
  return ok;
}

const piece = fc.constantFrom(
  'bootcmd=',
  'bootargs=',
  'bootdelay=',
  'bootstopkey=',
  'verify=',
  'run ',
  'setenv bootargs ',
  'env set ',
  'for t in ${boot_targets}; do run x_${t}; done',
  'tftpboot ',
  'dhcp',
  '${',
  '$(',
  '$',
  '}',
  ')',
  '"',
  "'",
  '\\',
  ';',
  '&&',
  '||',
  '#',
  '=',
  ' ',
  '\n',
  '\r\n',
  '\0',
  'console=ttyS0',
  'init=/bin/sh',
  '-1',
  '-2',
  '0',
  'é',
);
const junk = fc.array(fc.oneof(piece, fc.string({ maxLength: 10 })), { maxLength: 60 }).map((p) => p.join(''));
const name = fc.oneof(
  fc.constantFrom('bootcmd', 'bootargs', 'bootdelay', 'console', 'mmcargs', 'x_a', 'verify', 'bootstopkey', 'preboot'),
  fc.string({ maxLength: 8 }),
);
const line = fc.tuple(name, junk).map(([n, v]) => `${n}=${v}`);
const envText = fc
  .array(fc.oneof({ arbitrary: line, weight: 5 }, { arbitrary: junk, weight: 1 }), { minLength: 1, maxLength: 25 })
  .map((l) => l.join('\n'));

/** A binary environment with a valid CRC around arbitrary entries, in either variant. */
const binaryEnv = fc.tuple(envText, fc.boolean(), fc.boolean(), fc.constantFrom(1024, 4096, 8192)).map(([text, redundant, big, size]) => {
  const header = redundant ? 5 : 4;
  const image = new Uint8Array(size).fill(0xff);
  // Entries as U-Boot writes them: none empty (an empty one would end the list).
  const entries = text
    .split(/[\n\0]/)
    .filter(Boolean)
    .join('\0');
  const data = new TextEncoder().encode(entries).subarray(0, size - header - 2);
  image.set(data, header);
  image[header + data.length] = 0;
  image[header + data.length + 1] = 0;
  const crc = crc32(image.subarray(header));
  const view = new DataView(image.buffer);
  view.setUint32(0, crc, !big);
  if (redundant) image[4] = 1;
  return image;
});

/** A valid binary environment (single copy, 0xff padding) holding the lines of `text` as entries. */
function withCrc(text: string): Uint8Array {
  const data = new TextEncoder().encode(text.split('\n').filter(Boolean).join('\0'));
  let size = 4096;
  while (size < data.length + 6) size *= 2;
  const image = new Uint8Array(size).fill(0xff);
  image.set(data, 4);
  image.fill(0, 4 + data.length, 6 + data.length);
  new DataView(image.buffer).setUint32(0, crc32(image.subarray(4)), true);
  return image;
}

const anyBytes = fc.oneof(
  { arbitrary: envText.map((t) => new TextEncoder().encode(t)), weight: 3 },
  { arbitrary: binaryEnv, weight: 3 },
  { arbitrary: binaryEnv.chain((b) => fc.nat(b.length - 1).map((i) => b.map((x, j) => (j === i ? x ^ 0x41 : x)))), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 2000 }), weight: 1 },
);

describe('fuzzing the U-Boot environment readers', () => {
  it('the text and binary readers and the script walker take anything', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const text = new TextDecoder().decode(bytes);
        onlyInputErrors(() => readText(text));
        onlyInputErrors(() => readBinary(bytes, 4));
        onlyInputErrors(() => parseScript(text));
        onlyInputErrors(() => expandValue(text, 'v', () => [{ value: text.slice(0, 50), origin: 'w' }]));
        onlyInputErrors(() => {
          const env = readText(text);
          followBoot(effective(env.definitions), { roots: ['bootcmd', 'preboot'], networkCommands: ['dhcp', 'tftpboot'] });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('the scan answers any bytes with findings or an input error', () => {
    let scanned = 0;
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const file = configFileFrom('fuzz', bytes);
        const score = ubootKind.detect(file);
        assert.ok(score >= 0 && score <= 1);
        if (
          onlyInputErrors(() => {
            const scan = ubootKind.scan(file, {});
            for (const f of scan.findings) assert.ok(['pass', 'fail', 'not-applicable', 'info'].includes(f.result));
          })
        )
          scanned++;
      }),
      { numRuns: RUNS },
    );
    assert.ok(scanned > RUNS / 3, `only ${scanned} of ${RUNS} inputs were scanned`);
  });

  it('carving takes any blob, and finds the valid environments placed in it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), binaryEnv, fc.uint8Array({ maxLength: 3000 }), (before, env, after) => {
        const blob = new Uint8Array([...before, ...env, ...after]);
        const read = (p: number, l: number) => blob.subarray(p, p + l);
        const started = cpuClock();
        const hits = findUbootEnvironments(blob.length, read);
        assert.ok(started() < MAX_MS);
        // Carving tries sizes of 4 KiB and up, starts from bootcmd=, bootargs= or bootdelay=, and walks back over
        // well-formed ASCII entries, as U-Boot writes them.
        const header = env[4] === 1 ? 5 : 4;
        const text = new TextDecoder('latin1').decode(env.subarray(header));
        const entries = text.slice(0, text.indexOf('\0\0')).split('\0');
        const wellFormed = entries.every((e) => /^[!-<>-~]+=[\t\n\r -~]*$/.test(e));
        if (env.length >= 4096 && wellFormed && entries.some((e) => /^(bootcmd|bootargs|bootdelay)=/.test(e)))
          assert.ok(
            hits.some((h) => h.offset === before.length && h.size === env.length),
            'the environment was not found',
          );
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('stays fast on hostile shapes', () => {
    // Values up to 60 KiB: a text line that long is refused (16 KiB), the binary form reads and walks it.
    const hostile = [
      `bootcmd=${'run bootcmd; '.repeat(4_500)}`,
      `bootcmd=${'${a}'.repeat(15_000)}\na=${'x'.repeat(60_000)}`,
      `bootargs=${'$'.repeat(60_000)}`,
      `bootargs=${'${'.repeat(30_000)}`,
      `bootcmd=${'"'.repeat(60_000)}`,
      `bootcmd=${"'".repeat(60_000)}`,
      `bootcmd=${'\\'.repeat(60_000)}`,
      `bootcmd=${'setenv bootargs ${bootargs}${bootargs}; '.repeat(1_500)}\nbootargs=${'a '.repeat(3_000)}`,
      `bootcmd=${Array.from({ length: 3_000 }, (_, i) => `setenv bootargs console=ttyS${i}`).join(';')}`,
      `bootcmd=run boot_\${x}\n${Array.from({ length: 5_000 }, (_, i) => `boot_${'a'.repeat(200)}${i}=run boot_\${x}`).join('\n')}`,
      `bootcmd=for a in \${l}; do for b in \${l}; do run \${a}\${b}; done; done\nl=${'x '.repeat(5_000)}`,
      'bootdelay=3\n'.repeat(100_000),
      `bootdelay=${'9'.repeat(60_000)}`,
      `bootcmd=x\\\n${'y\\\n'.repeat(100_000)}`,
    ];
    for (const text of hostile) {
      onlyInputErrors(() => ubootKind.scan(configFileFrom('hostile', new TextEncoder().encode(text)), {}));
      // The binary form has no line limit: values up to 64 KiB are read, and walked.
      onlyInputErrors(() => ubootKind.scan(configFileFrom('hostile.bin', withCrc(text)), {}));
    }
    const needles = new TextEncoder().encode('\0bootcmd=x'.repeat(200_000));
    const started = cpuClock();
    findUbootEnvironments(needles.length, (p, l) => needles.subarray(p, p + l));
    assert.ok(started() < MAX_MS, `carving took ${Math.round(started())} ms`);
  });
});

const scriptPiece = fc.constantFrom(
  'setenv bootargs ',
  'setenv console ttyS0,115200',
  'setenv verify no',
  'setenv bootdelay 3',
  'saveenv',
  'console=${console} ',
  'root=/dev/mmcblk0p2 ',
  'load mmc 0:1 ${kernel_addr_r} zImage',
  'bootz ${kernel_addr_r}',
  'dhcp',
  'tftpboot ',
  'run ',
  "setenv netboot 'dhcp; bootz'",
  'if test -e mmc 0 x; then ',
  'else ',
  'fi',
  '"',
  "'",
  '${',
  ';',
  '\\',
  '#',
  ' ',
  '\n',
  '\r\n',
  'é',
);
const scriptText = fc
  .array(fc.oneof({ arbitrary: scriptPiece, weight: 4 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 }), { maxLength: 80 })
  .map((p) => p.join(''));

/** A boot.scr as mkimage writes it: the 64-byte header with both CRCs, lengths ended by 0, then the text. */
function compiledScript(text: string, extraParts: Uint8Array[] = []): Uint8Array {
  const body = new TextEncoder().encode(text);
  const parts = [body, ...extraParts];
  const table = new Uint8Array(4 * (parts.length + 1));
  parts.forEach((p, i) => new DataView(table.buffer).setUint32(4 * i, p.length));
  const data = new Uint8Array([...table, ...parts.flatMap((p) => [...p, ...new Uint8Array((4 - (p.length % 4)) % 4)])]);
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x27051956);
  view.setUint32(12, data.length);
  view.setUint32(24, crc32(data));
  header.set([5, 2, 6, 0], 28);
  view.setUint32(4, crc32(header));
  return new Uint8Array([...header, ...data]);
}

const scriptBytes = fc.oneof(
  { arbitrary: scriptText.map((t) => compiledScript(t)), weight: 3 },
  { arbitrary: fc.tuple(scriptText, scriptText).map(([a, b]) => compiledScript(a, [new TextEncoder().encode(b)])), weight: 1 },
  {
    arbitrary: scriptText.chain((t) => {
      const image = compiledScript(t);
      return fc
        .tuple(fc.nat(image.length - 1), fc.integer({ min: 1, max: 255 }))
        .map(([i, x]) => image.map((b, j) => (j === i ? b ^ x : b)));
    }),
    weight: 2,
  },
  { arbitrary: scriptText.chain((t) => fc.nat(compiledScript(t).length).map((n) => compiledScript(t).subarray(0, n))), weight: 1 },
  {
    arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => new Uint8Array([0x27, 0x05, 0x19, 0x56, ...new Uint8Array(26), 6, 0, ...b])),
    weight: 1,
  },
  { arbitrary: scriptText.map((t) => new TextEncoder().encode(t)), weight: 2 },
);

describe('fuzzing the boot script reader', () => {
  it('reads any boot.scr or boot.cmd into findings or an input error, each finding on a line of the script', () => {
    let scanned = 0;
    fc.assert(
      fc.property(scriptBytes, (bytes) => {
        const file = configFileFrom('boot.scr', bytes);
        const score = detectBootScript(file);
        assert.ok(score >= 0 && score <= 1);
        assert.ok(ubootKind.detect(file) >= score);
        let lines = 0;
        if (
          onlyInputErrors(() => {
            lines = readBootScript(file).text.split('\n').length;
            const scan = scanBootScript(file, {});
            for (const f of scan.findings) {
              assert.ok(['pass', 'fail', 'not-applicable', 'info'].includes(f.result));
              const line = f.location.line;
              if (line !== undefined) assert.ok(Number.isInteger(line) && line >= 1 && line <= lines, `line ${line} of ${lines}`);
            }
          })
        )
          scanned++;
        onlyInputErrors(() => ubootKind.scan(file, {}));
      }),
      { numRuns: RUNS },
    );
    assert.ok(scanned > RUNS / 3, `only ${scanned} of ${RUNS} inputs were scanned`);
  });

  it('gives back the text of a valid boot.scr exactly, and finds it intact', () => {
    fc.assert(
      // mkimage refuses an empty file; an empty script is U-Boot's "Empty Script".
      fc.property(
        scriptText.filter((t) => t.length > 0),
        (text) => {
          const read = readBootScript(configFileFrom('boot.scr', compiledScript(text)));
          assert.equal(read.text, text.includes('\0') ? text.slice(0, text.indexOf('\0')) : text);
          assert.equal(read.image?.headerCrcValid, true);
          assert.equal(read.image?.dataCrcValid, true);
          assert.deepEqual(read.problems, []);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('stays fast on hostile scripts', () => {
    const hostile = [
      `setenv bootargs ${'${a}'.repeat(15_000)}\nsetenv a ${'x'.repeat(40_000)}`,
      `${'setenv bootargs ${bootargs}${bootargs}\n'.repeat(1_500)}bootz`,
      `${Array.from({ length: 3_000 }, (_, i) => `setenv bootargs console=ttyS${i}`).join('\n')}\nbootz`,
      `${'if true; then '.repeat(5_000)}bootz${'; fi'.repeat(5_000)}`,
      `${'run a\n'.repeat(10_000)}setenv a 'run a'`,
      `${'\n'.repeat(60_000)}setenv bootargs console=ttyS0\nbootz`,
      `setenv x "${'"'.repeat(60_000)}`,
    ];
    for (const text of hostile) {
      onlyInputErrors(() => scanBootScript(configFileFrom('boot.cmd', new TextEncoder().encode(text)), {}));
      onlyInputErrors(() => scanBootScript(configFileFrom('boot.scr', compiledScript(text)), {}));
    }
    // A header that claims a table of 2^30 lengths, all non-zero.
    const table = new Uint8Array(64 + 4 * 10_000).fill(1);
    table.set(compiledScript('bootz').subarray(0, 64));
    onlyInputErrors(() => scanBootScript(configFileFrom('boot.scr', table), {}));
  });
});
