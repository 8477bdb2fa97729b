// Hand-written cases around the data: which kernel and architecture a config is for, options that do
// not exist there (not applicable, never a failure), options missing where they should exist (not
// found), numeric minimums, satisfiedBy, and the header in its various spellings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../../src/io/input-error.ts';
import { linuxKind } from '../../../../src/scan/config/linux/index.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import type { ConfigScanOptions } from '../../../../src/scan/config/config-kind.ts';
import { configRuleTester } from '../../../helpers/config-rule-tester.ts';
import { kconfigHeader } from './kconfig-text.ts';

const x86 = (version: string) => kconfigHeader('x86_64', version);
const arm64 = (version: string) => kconfigHeader('arm64', version);
const riscv = (version: string) => kconfigHeader('riscv', version);

function scan(text: string, options: ConfigScanOptions = {}) {
  return linuxKind.scan(configFileFrom('config', new TextEncoder().encode(text)), options);
}
function finding(text: string, check: string, options: ConfigScanOptions = {}) {
  const found = scan(text, options).findings.find((f) => f.check === check);
  assert.ok(found, `no ${check}`);
  return found;
}

describe('options that do not exist in the kernel version', () => {
  configRuleTester(linuxKind, 'config/linux/cc-stackprotector-strong', {
    valid: [{ name: '4.14 with the old name', text: `${x86('4.14.336')}CONFIG_CC_STACKPROTECTOR_STRONG=y\n` }],
    invalid: [
      {
        name: 'absent in 6.1: renamed in 4.18',
        text: `${x86('6.1.0')}CONFIG_STACKPROTECTOR_STRONG=y\n`,
        result: 'not-applicable',
        message: /does not exist in Linux 6\.1 \(it was renamed or removed in 4\.18\)/,
      },
      { name: 'absent in 4.14: not found', text: `${x86('4.14.0')}CONFIG_FOO=y\n`, message: /not found/ },
    ],
  });
  configRuleTester(linuxKind, 'config/linux/stackprotector-strong', {
    valid: [
      {
        name: 'a 4.14 config that carries the new name (a backport) is judged on its value',
        text: `${x86('4.14.0')}CONFIG_STACKPROTECTOR_STRONG=y\n`,
      },
    ],
    invalid: [
      {
        name: 'absent in 4.14: appeared in 4.18',
        text: `${x86('4.14.0')}CONFIG_CC_STACKPROTECTOR_STRONG=y\n`,
        result: 'not-applicable',
        message: /does not exist in Linux 4\.14 \(it appeared in 4\.18\)/,
      },
      {
        name: 'absent in 6.12: not found, never not-applicable',
        text: `${arm64('6.12.3')}CONFIG_STACKPROTECTOR=y\n`,
        message: /CONFIG_STACKPROTECTOR_STRONG not found in the config/,
      },
    ],
  });
  configRuleTester(linuxKind, 'config/linux/devkmem-off', {
    valid: [
      {
        name: 'absent in 6.1 (removed in 5.13)',
        text: `${x86('6.1.0')}CONFIG_DEVMEM=y\n`,
        result: 'not-applicable',
        message: /removed in 5\.13/,
      },
      { name: 'absent in 5.10: off', text: `${x86('5.10.0')}CONFIG_DEVMEM=y\n`, message: /absent/ },
    ],
    invalid: [{ name: 'set in 5.10', text: `${x86('5.10.0')}CONFIG_DEVKMEM=y\n` }],
  });
  configRuleTester(linuxKind, 'config/linux/init-on-alloc-default-on', {
    valid: [{ name: 'absent in 5.2', text: `${x86('5.2.21')}CONFIG_FOO=y\n`, result: 'not-applicable', message: /appeared in 5\.3/ }],
    invalid: [{ name: 'absent in 5.3', text: `${x86('5.3.0')}CONFIG_FOO=y\n`, message: /not found/ }],
  });
  configRuleTester(linuxKind, 'config/linux/slab-freelist-hardened', {
    valid: [{ name: 'absent in 4.13', text: `${x86('4.13.0')}CONFIG_FOO=y\n`, result: 'not-applicable' }],
    invalid: [{ name: 'absent in 4.14', text: `${x86('4.14.0')}CONFIG_FOO=y\n`, message: /not found/ }],
  });
  configRuleTester(linuxKind, 'config/linux/randomize-kstack-offset-default', {
    valid: [{ name: 'absent in 5.12', text: `${arm64('5.12.0')}CONFIG_FOO=y\n`, result: 'not-applicable' }],
    invalid: [{ name: 'absent in 5.13', text: `${arm64('5.13.0')}CONFIG_FOO=y\n`, message: /not found/ }],
  });
});

describe('options that exist only on some architectures', () => {
  configRuleTester(linuxKind, 'config/linux/randomize-memory', {
    valid: [
      {
        name: 'arm64',
        text: `${arm64('6.1.0')}CONFIG_RANDOMIZE_BASE=y\n`,
        result: 'not-applicable',
        message: /checked only on x86_64, and this kernel is arm64/,
      },
    ],
    invalid: [{ name: 'x86_64 without it', text: `${x86('6.1.0')}CONFIG_RANDOMIZE_BASE=y\n`, message: /not found/ }],
  });
  configRuleTester(linuxKind, 'config/linux/arm64-bti-kernel', {
    valid: [{ name: 'x86_64', text: `${x86('6.1.0')}CONFIG_FOO=y\n`, result: 'not-applicable', message: /checked only on arm64/ }],
    invalid: [{ name: 'arm64 whose compiler lacks BTI', text: `${arm64('6.1.0')}CONFIG_ARM64_BTI=y\n`, message: /not found/ }],
  });
  configRuleTester(linuxKind, 'config/linux/randomize-base', {
    valid: [
      {
        name: 'riscv 6.1: KASLR came to riscv in 6.6',
        text: `${riscv('6.1.0')}CONFIG_FOO=y\n`,
        result: 'not-applicable',
        message: /appeared in 6\.6/,
      },
    ],
    invalid: [
      { name: 'riscv 6.6 without it', text: `${riscv('6.6.0')}CONFIG_FOO=y\n`, message: /not found/ },
      { name: 'arm64 4.6 without it', text: `${arm64('4.6.0')}CONFIG_FOO=y\n`, message: /not found/ },
    ],
  });
  configRuleTester(linuxKind, 'config/linux/default-mmap-min-addr-x86', {
    valid: [
      { name: '65536', text: `${x86('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR=65536\n` },
      { name: 'hex 0x10000', text: `${x86('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR=0x10000\n` },
      { name: 'larger', text: `${x86('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR=131072\n` },
      { name: 'the arm64 rule does not judge x86', text: `${arm64('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR=4096\n`, result: 'not-applicable' },
    ],
    invalid: [
      { name: '4096', text: `${x86('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR=4096\n`, message: /=4096; expected at least 65536/ },
      { name: '32768 is not enough on x86_64', text: `${x86('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR=32768\n` },
      { name: 'not a number', text: `${x86('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR="lots"\n` },
      { name: 'absent', text: `${x86('6.1.0')}CONFIG_FOO=y\n`, message: /not found/ },
    ],
  });
  configRuleTester(linuxKind, 'config/linux/default-mmap-min-addr-arm', {
    valid: [{ name: '32768 on arm64', text: `${arm64('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR=32768\n` }],
    invalid: [{ name: '4096 on arm64 (Debian)', text: `${arm64('6.1.0')}CONFIG_DEFAULT_MMAP_MIN_ADDR=4096\n`, message: /at least 32768/ }],
  });
});

describe('values and satisfiedBy', () => {
  configRuleTester(linuxKind, 'config/linux/module-sig', {
    valid: [
      {
        name: 'modules off: absent is fine',
        text: `${x86('6.1.0')}# CONFIG_MODULES is not set\n`,
        message: /fine because CONFIG_MODULES is not set/,
      },
    ],
    invalid: [{ name: 'modules on, signing absent', text: `${x86('6.1.0')}CONFIG_MODULES=y\n`, message: /not found/ }],
  });
  configRuleTester(linuxKind, 'config/linux/binfmt-misc-off', {
    valid: [{ name: 'absent', text: `${x86('6.1.0')}CONFIG_FOO=y\n`, message: /absent \(its dependencies are not met\), so it is off/ }],
    invalid: [
      { name: '=m still builds it', text: `${x86('6.1.0')}CONFIG_BINFMT_MISC=m\n`, message: /CONFIG_BINFMT_MISC=m; expected is not set/ },
    ],
  });
  configRuleTester(linuxKind, 'config/linux/dm-verity', {
    valid: [
      { name: 'y', text: `${x86('6.1.0')}CONFIG_DM_VERITY=y\n` },
      { name: 'm', text: `${x86('6.1.0')}CONFIG_DM_VERITY=m\n` },
    ],
    invalid: [{ name: 'not set', text: `${x86('6.1.0')}# CONFIG_DM_VERITY is not set\n`, message: /expected y or m/ }],
  });
  configRuleTester(linuxKind, 'config/linux/module-sig-force', {
    valid: [
      {
        name: 'the last assignment wins (fragments merged)',
        text: `${x86('6.1.0')}CONFIG_MODULES=y\n# CONFIG_MODULE_SIG_FORCE is not set\nCONFIG_MODULE_SIG_FORCE=y\n`,
      },
    ],
    invalid: [{ name: '=n in a fragment means off', text: `${x86('6.1.0')}CONFIG_MODULES=y\nCONFIG_MODULE_SIG_FORCE=n\n` }],
  });

  it('points at the line and quotes it as evidence', () => {
    const f = finding(`${x86('6.1.0')}CONFIG_MODULES=y\nCONFIG_KGDB=y\n`, 'config/linux/kgdb-off');
    assert.equal(f.result, 'fail');
    assert.deepEqual(f.location, { path: 'config', line: 7 });
    assert.equal(f.evidence, 'CONFIG_KGDB=y');
    assert.deepEqual(f.provisions, ['5.6-4']);
    assert.match(f.remediation ?? '', /Turn CONFIG_KGDB off/);
  });

  it('gives an absent option no line', () => {
    const f = finding(`${x86('6.1.0')}CONFIG_MODULES=y\n`, 'config/linux/hardened-usercopy');
    assert.deepEqual(f.location, { path: 'config' });
    assert.equal(f.evidence, undefined);
  });
});

describe('kernel version and architecture', () => {
  it('reads the header and the arch symbols', () => {
    assert.deepEqual(scan(`${x86('6.1.192')}CONFIG_MODULES=y\n`).facts, { format: 'kernel config', kernel: '6.1.192', arch: 'x86_64' });
    assert.deepEqual(scan(`${arm64('6.12.3')}CONFIG_MODULES=y\n`).facts, { format: 'kernel config', kernel: '6.12.3', arch: 'arm64' });
    assert.deepEqual(scan(`${kconfigHeader('arm', '5.10.0-rc1')}CONFIG_MODULES=y\n`).facts, {
      format: 'kernel config',
      kernel: '5.10.0-rc1',
      arch: 'arm',
    });
    assert.deepEqual(scan(`${riscv('6.6.0')}CONFIG_MODULES=y\n`).facts, { format: 'kernel config', kernel: '6.6.0', arch: 'riscv' });
  });

  it('tells x86_64 from the header and CONFIG_64BIT when the arch symbol is missing', () => {
    assert.equal(scan('# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_64BIT=y\nCONFIG_MODULES=y\n').facts.arch, 'x86_64');
    assert.equal(scan('# Linux/x86_64 4.9.0 Kernel Configuration\nCONFIG_MODULES=y\n').facts.arch, 'x86_64');
  });

  it('keeps 32-bit x86 apart: arch-specific rules do not apply', () => {
    const s = scan('# Linux/i386 5.10.0 Kernel Configuration\nCONFIG_X86_32=y\nCONFIG_MODULES=y\n');
    assert.equal(s.facts.arch, 'x86');
    assert.equal(s.findings.find((f) => f.check === 'config/linux/randomize-memory')?.result, 'not-applicable');
  });

  it('reads the old "Linux kernel version:" header', () => {
    assert.equal(scan('# Linux kernel version: 2.6.32\nCONFIG_X86_64=y\nCONFIG_MODULES=y\n').facts.kernel, '2.6.32');
  });

  it('reads CRLF configs', () => {
    const text = `${x86('6.1.0')}CONFIG_KGDB=y\n`.replaceAll('\n', '\r\n');
    const f = scan(text).findings.find((x) => x.check === 'config/linux/kgdb-off');
    assert.equal(f?.result, 'fail');
    assert.equal(f?.evidence, 'CONFIG_KGDB=y');
    assert.equal(scan(text).facts.kernel, '6.1.0');
  });

  it('takes --kernel-version and --arch when the config does not say', () => {
    const fragment = 'CONFIG_MODULES=y\nCONFIG_STRICT_KERNEL_RWX=y\n';
    const bare = scan(fragment);
    assert.deepEqual(bare.facts, { format: 'kernel config' });
    assert.deepEqual(
      bare.incomplete.map((i) => i.part),
      ['kernel version', 'architecture'],
    );
    assert.match(finding(fragment, 'config/linux/randomize-memory').message, /architecture is unknown; pass --arch/);
    assert.match(finding(fragment, 'config/linux/cc-stackprotector-strong').message, /kernel version is unknown, so pass --kernel-version/);
    assert.equal(finding(fragment, 'config/linux/cc-stackprotector-strong').result, 'not-applicable');
    // A version without an end bound is assumed current: absence is a failure.
    assert.equal(finding(fragment, 'config/linux/stackprotector-strong').result, 'fail');

    const told = scan(fragment, { kernelVersion: '4.14', arch: 'amd64' });
    assert.deepEqual(told.facts, { format: 'kernel config', kernel: '4.14', arch: 'x86_64' });
    assert.deepEqual(told.incomplete, []);
    assert.equal(finding(fragment, 'config/linux/cc-stackprotector-strong', { kernelVersion: '4.14' }).result, 'fail');
    assert.equal(finding(fragment, 'config/linux/randomize-memory', { arch: 'x86_64' }).result, 'fail');
    assert.equal(finding(fragment, 'config/linux/arm64-pan', { arch: 'aarch64' }).result, 'fail');
  });

  it('prefers what the config says over --arch and --kernel-version, and says so', () => {
    const s = scan(`${arm64('6.1.0')}CONFIG_MODULES=y\n`, { arch: 'x86_64', kernelVersion: '5.10' });
    assert.deepEqual(s.facts, { format: 'kernel config', kernel: '6.1.0', arch: 'arm64' });
    assert.deepEqual(
      s.incomplete.map((i) => i.reason),
      ['ignored: the config header says 6.1.0', 'ignored: the config itself is for arm64'],
    );
  });

  it('rejects a bad --arch or --kernel-version as input errors', () => {
    assert.throws(
      () => scan('CONFIG_MODULES=y\n', { arch: 'sparc' }),
      (e) => e instanceof InputError && /--arch: expected x86_64, arm64, arm or riscv/.test(e.message),
    );
    assert.throws(
      () => scan('CONFIG_MODULES=y\n', { kernelVersion: 'latest' }),
      (e) => e instanceof InputError && /--kernel-version/.test(e.message),
    );
  });

  it('reports lines it could not read instead of guessing', () => {
    const s = scan(`${x86('6.1.0')}CONFIG_MODULES=y\nCONFIG_BAD=what ever\nCONFIG_NUL=y\0\nCONFIG_LONG="${'x'.repeat(20000)}"\n`);
    assert.equal(s.incomplete.length, 1);
    assert.match(s.incomplete[0]?.part ?? '', /3 lines/);
    assert.match(s.incomplete[0]?.reason ?? '', /line 7, 8, 9/);
  });
});
