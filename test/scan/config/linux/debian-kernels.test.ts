// The rules against real distribution kernels: the .config files Debian ships in its amd64 and arm64
// kernel packages (test/helpers/debian-kernels.ts). Every expectation below was checked against the files with grep.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import type { ConfigScan } from '../../../../src/scan/config/config-kind.ts';
import { debianKernelConfigs } from '../../../helpers/debian-kernels.ts';
import { linuxKind } from '../../../../src/scan/config/linux/index.ts';
import { detectKind, readConfigFile } from '../../../../src/scan/config/scan-config.ts';

type Expectations = { pass: string[]; fail: string[]; notApplicable: string[] };

function checkDebian(arch: 'amd64' | 'arm64', kernelArch: string, expect: Expectations): void {
  let path = '';
  let scan: ConfigScan;
  const result = (rule: string): Finding => {
    const f = scan.findings.find((x) => x.check === `config/linux/${rule}`);
    assert.ok(f, `no finding for ${rule}`);
    return f;
  };

  before(() => {
    path = debianKernelConfigs()[arch];
    scan = linuxKind.scan(readConfigFile(path), {});
  });

  it('is detected as a Linux kernel config', () => {
    assert.equal(detectKind(readConfigFile(path)).name, 'linux');
    assert.ok(linuxKind.detect(readConfigFile(path)) >= 0.9);
  });

  it(`reads Debian's 6.1 kernel version and the ${kernelArch} architecture from the header and symbols`, () => {
    assert.match(scan.facts.kernel ?? '', /^6\.1\.\d+$/);
    assert.equal(scan.facts.arch, kernelArch);
    assert.deepEqual(scan.incomplete, []);
  });

  it('reports every kconfig rule exactly once', () => {
    const kconfig = linuxKind.rules().filter((r) => r.id.startsWith('config/linux/'));
    assert.equal(scan.findings.length, kconfig.length);
  });

  for (const rule of expect.pass) it(`passes ${rule}`, () => assert.equal(result(rule).result, 'pass', result(rule).message));
  for (const rule of expect.fail) it(`fails ${rule}`, () => assert.equal(result(rule).result, 'fail', result(rule).message));
  for (const rule of expect.notApplicable) {
    it(`finds ${rule} not applicable`, () => assert.equal(result(rule).result, 'not-applicable', result(rule).message));
  }

  it('points every located finding at the very line it quotes', () => {
    const lines = readFileSync(path, 'utf8').split('\n');
    for (const f of scan.findings) {
      if (f.location.line === undefined) continue;
      assert.equal(lines[f.location.line - 1], f.evidence, f.check);
    }
  });
}

describe('Debian amd64 kernel', () => {
  checkDebian('amd64', 'x86_64', {
    pass: [
      'stackprotector-strong',
      'randomize-base',
      'randomize-memory',
      'strict-kernel-rwx',
      'strict-module-rwx',
      'vmap-stack',
      'hardened-usercopy',
      'fortify-source',
      'init-on-alloc-default-on',
      'init-stack-all-zero',
      'slab-freelist-hardened',
      'slab-freelist-random',
      'page-table-isolation',
      'retpoline',
      'default-mmap-min-addr-x86',
      'legacy-vsyscall-none',
      'compat-vdso-off',
      'module-sig',
      'security-lockdown-lsm',
      'security-lockdown-lsm-early',
      'strict-devmem',
      'io-strict-devmem',
      'kgdb-off',
      'legacy-ptys-off',
      'compat-brk-off',
      'acpi-custom-method-off',
      'security-dmesg-restrict',
      'bpf-unpriv-default-off',
      'mac-lsm',
    ],
    fail: [
      'module-sig-force',
      'module-sig-all',
      'module-sig-sha512',
      'lock-down-kernel-force',
      'debug-fs-off',
      'devmem-off',
      'proc-kcore-off',
      'kexec-off',
      'hibernation-off',
      'userfaultfd-off',
      'binfmt-misc-off',
      'init-on-free-default-on',
      'slab-merge-default-off',
      'iommu-default-dma-strict',
      'modify-ldt-syscall-off',
      'x86-x32-abi-off',
      'uselib-off',
      'ldisc-autoload-off',
    ],
    notApplicable: [
      'cc-stackprotector-strong',
      'devkmem-off',
      'refcount-full',
      'x86-smap',
      'mitigation-retpoline',
      'legacy-tiocsti-off',
      'arm64-pan',
      'arm64-bti-kernel',
      'default-mmap-min-addr-arm',
      'cpu-sw-domain-pan',
    ],
  });

  it('explains the failures in the terms of the config', () => {
    const scan = linuxKind.scan(readConfigFile(debianKernelConfigs().amd64), {});
    const message = (rule: string) => scan.findings.find((f) => f.check === `config/linux/${rule}`)?.message;
    assert.equal(message('module-sig-force'), 'CONFIG_MODULE_SIG_FORCE is not set; expected y');
    assert.equal(message('binfmt-misc-off'), 'CONFIG_BINFMT_MISC=m; expected is not set');
    assert.match(message('module-sig-all') ?? '', /^CONFIG_MODULE_SIG_ALL not found in the config/);
    assert.match(message('devkmem-off') ?? '', /does not exist in Linux 6\.1\.\d+ \(it was renamed or removed in 5\.13\)/);
    assert.match(message('arm64-pan') ?? '', /checked only on arm64, and this kernel is x86_64/);
  });
});

describe('Debian arm64 kernel', () => {
  checkDebian('arm64', 'arm64', {
    pass: [
      'stackprotector-strong',
      'randomize-base',
      'strict-kernel-rwx',
      'strict-module-rwx',
      'vmap-stack',
      'hardened-usercopy',
      'fortify-source',
      'init-on-alloc-default-on',
      'arm64-pan',
      'unmap-kernel-at-el0',
      'arm64-ptr-auth-kernel',
      'arm64-mte',
      'rodata-full-default-enabled',
      'iommu-default-dma-strict',
      'module-sig',
      'security-lockdown-lsm',
      'strict-devmem',
      'kgdb-off',
      'uselib-off',
    ],
    fail: [
      'module-sig-force',
      'module-sig-all',
      'lock-down-kernel-force',
      'debug-fs-off',
      'devmem-off',
      'proc-kcore-off',
      'kexec-off',
      'hibernation-off',
      'default-mmap-min-addr-arm',
      'arm64-bti-kernel',
    ],
    notApplicable: [
      'randomize-memory',
      'page-table-isolation',
      'retpoline',
      'x86-umip',
      'default-mmap-min-addr-x86',
      // CONFIG_COMPAT_VDSO=y on arm64 means something else: the rule is for x86_64 only.
      'compat-vdso-off',
      'legacy-vsyscall-none',
      'cpu-sw-domain-pan',
      'devkmem-off',
    ],
  });
});

describe('a Debian kernel with a command line', () => {
  it('settles command-line defaults from the kernel config', () => {
    const scan = linuxKind.scan(readConfigFile(debianKernelConfigs().arm64), {
      cmdline: 'console=ttyAMA0,115200 root=/dev/mmcblk0p2 rootwait',
    });
    const result = (rule: string) => scan.findings.find((f) => f.check === `config/linux-cmdline/${rule}`)?.result;
    assert.equal(result('serial-console'), 'fail');
    assert.equal(result('init-on-alloc'), 'pass'); // CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y
    assert.equal(result('init-on-free'), 'fail'); // CONFIG_INIT_ON_FREE_DEFAULT_ON is not set
    assert.equal(result('randomize-kstack-offset'), 'pass'); // CONFIG_RANDOMIZE_KSTACK_OFFSET_DEFAULT=y
    assert.equal(result('module-sig-enforce'), 'fail'); // CONFIG_MODULE_SIG_FORCE is not set
    assert.equal(result('lockdown'), 'fail'); // CONFIG_LOCK_DOWN_KERNEL_FORCE_NONE=y
    assert.equal(result('verified-root'), 'info');
  });
});
