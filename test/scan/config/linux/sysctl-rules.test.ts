// Every sysctl rule, driven from its YAML row, then the file format's corners: globs, slash-separated
// keys, "-" prefixes, overrides, `sysctl -a` output, defaults and versions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linuxKind } from '../../../../src/scan/config/linux/index.ts';
import { type SysctlRule, loadSysctlRules } from '../../../../src/scan/config/linux/sysctl-rules.ts';
import { dottedKey, globMatches } from '../../../../src/scan/config/linux/sysctl-parser.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { configRuleTester } from '../../../helpers/config-rule-tester.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

function good(expected: SysctlRule['expected']): string {
  if (Array.isArray(expected)) return expected[0] as string;
  if (typeof expected === 'object') return String(expected.min);
  return expected;
}

function bad(expected: SysctlRule['expected']): string {
  if (typeof expected === 'object' && !Array.isArray(expected)) return String(expected.min - 1);
  const accepted = Array.isArray(expected) ? expected : [expected];
  for (let n = 0; ; n++) if (!accepted.includes(String(n))) return String(n);
}

for (const rule of loadSysctlRules()) {
  configRuleTester(linuxKind, `config/linux-sysctl/${rule.id}`, {
    valid: [{ text: `# hardening\n${rule.key} = ${good(rule.expected)}\n`, message: /as recommended/ }],
    invalid: [{ text: `# hardening\n${rule.key} = ${bad(rule.expected)}\n`, message: /expected/ }],
  });
}

describe('sysctl files, by hand', () => {
  configRuleTester(linuxKind, 'config/linux-sysctl/kptr-restrict', {
    valid: [
      { name: '1 is enough', text: 'kernel.kptr_restrict=1\n' },
      { name: 'slash-separated key', text: 'kernel/kptr_restrict = 2\n' },
      { name: 'leading "-" (ignore errors)', text: '-kernel.kptr_restrict = 2\n' },
      { name: 'a later line overrides', text: 'kernel.kptr_restrict = 0\nkernel.kptr_restrict = 2\n' },
      { name: 'sysctl -a output', text: 'kernel.kexec_load_disabled = 0\nkernel.kptr_restrict = 1\nkernel.max_lock_depth = 1024\n' },
    ],
    invalid: [
      {
        name: 'absent: the kernel default 0 applies',
        text: 'kernel.dmesg_restrict = 1\n',
        message: /not found in this file, so the kernel default 0 applies/,
      },
      { name: 'a comment is not a setting', text: '# kernel.kptr_restrict = 2\nkernel.dmesg_restrict = 1\n' },
      { name: 'a later line overrides', text: 'kernel.kptr_restrict = 2\nkernel.kptr_restrict = 0\n' },
      { name: 'not a number', text: 'kernel.kptr_restrict = yes\n' },
    ],
  });
  configRuleTester(linuxKind, 'config/linux-sysctl/rp-filter-all', {
    valid: [{ name: 'a glob covers all and default', text: 'net.ipv4.conf.*.rp_filter = 2\n' }],
    invalid: [{ name: 'a glob that sets 0', text: 'net.ipv4.conf.*.rp_filter = 0\n' }],
  });
  configRuleTester(linuxKind, 'config/linux-sysctl/suid-dumpable', {
    valid: [
      { name: 'absent: the kernel default 0 is safe', text: 'kernel.dmesg_restrict = 1\n', message: /kernel default 0 is already safe/ },
    ],
    invalid: [{ name: 'dumpable setuid programs', text: 'fs.suid_dumpable = 2\n' }],
  });
  configRuleTester(linuxKind, 'config/linux-sysctl/legacy-tiocsti', {
    valid: [
      {
        name: 'absent on a 6.1 kernel: the key appeared in 6.2',
        text: 'kernel.dmesg_restrict = 1\n',
        options: { kernelVersion: '6.1' },
        result: 'not-applicable',
        message: /does not exist in Linux 6\.1/,
      },
    ],
    invalid: [
      {
        name: 'absent on 6.6: default depends on the build',
        text: 'kernel.dmesg_restrict = 1\n',
        options: { kernelVersion: '6.6' },
        message: /depends on the build/,
      },
    ],
  });

  it('points at the line and quotes it', () => {
    const s = linuxKind.scan(configFileFrom('99-hardening.conf', new TextEncoder().encode('; comment\n\nkernel.dmesg_restrict = 0\n')), {});
    assert.deepEqual(s.facts, { format: 'sysctl settings' });
    const f = s.findings.find((x) => x.check === 'config/linux-sysctl/dmesg-restrict');
    assert.deepEqual(f?.location, { path: '99-hardening.conf', line: 3 });
    assert.equal(f?.evidence, 'kernel.dmesg_restrict = 0');
    assert.equal(f?.result, 'fail');
  });

  it('turns slash keys into dotted ones, keeping dots inside names', () => {
    assert.equal(dottedKey('kernel/kptr_restrict'), 'kernel.kptr_restrict');
    assert.equal(dottedKey('net/ipv4/conf/eth0.100/rp_filter'), 'net.ipv4.conf.eth0/100.rp_filter');
    assert.equal(dottedKey('net.ipv4.conf.all.rp_filter'), 'net.ipv4.conf.all.rp_filter');
  });

  it('matches globs without backtracking blow-up', () => {
    assert.equal(globMatches('net.ipv4.conf.*.rp_filter', 'net.ipv4.conf.all.rp_filter'), true);
    assert.equal(globMatches('net.ipv?.conf.*.rp_filter', 'net.ipv6.conf.default.rp_filter'), true);
    assert.equal(globMatches('net.*.rp_filter', 'kernel.kptr_restrict'), false);
    const started = cpuClock();
    assert.equal(globMatches(`${'*a'.repeat(30)}b`, 'a'.repeat(5000)), false);
    assert.ok(started() < 1000);
  });
});
