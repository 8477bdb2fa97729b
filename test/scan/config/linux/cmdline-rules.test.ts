// Every command-line rule, driven from its YAML row, then hand-written cases for the parser's corners
// (quotes, "--", dashes vs underscores, repeated parameters) and for defaults settled by a .config.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linuxKind } from '../../../../src/scan/config/linux/index.ts';
import { type CmdlineRule, loadCmdlineRules } from '../../../../src/scan/config/linux/cmdline-rules.ts';
import { parseCmdline } from '../../../../src/scan/config/linux/cmdline-parser.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { configRuleTester, type RuleCase } from '../../../helpers/config-rule-tester.ts';
import { kconfigHeader } from './kconfig-text.ts';

const BASE = 'console=tty1 root=/dev/mmcblk0p2 rootfstype=ext4 fsck.repair=yes rootwait';
const line = (extra: string) => `${BASE} ${extra}\n`;
type Match = NonNullable<Extract<CmdlineRule, { check: 'forbid' }>['match']>;

/** A parameter whose value `match` accepts. */
function matching(param: string, match: Match | undefined): string {
  if (!match || match.flag) return param;
  if (match.values) return `${param}=${match.values[0]}`;
  if (match.prefixes) return `${param}=${match.prefixes[0]}0,115200`;
  if (match.contains) return `${param}="x${match.contains[0]}x"`;
  return `${param}=${match.bool ? '1' : '0'}`;
}

/** A value `match` does not accept. */
function notMatching(param: string, match: Match): string {
  if (match.bool === true) return `${param}=0`;
  if (match.bool === false) return `${param}=1`;
  return `${param}=none`;
}

for (const rule of loadCmdlineRules()) {
  const check = `config/linux-cmdline/${rule.id}`;
  const cases: { valid: RuleCase[]; invalid: RuleCase[] } = { valid: [], invalid: [] };
  if (rule.check === 'forbid') {
    cases.valid.push({ name: `without ${rule.param}`, text: `${BASE}\n`, message: /no .* on the kernel command line|which is fine/ });
    if (rule.match) cases.valid.push({ text: line(notMatching(rule.param, rule.match)), message: /which is fine/ });
    cases.invalid.push({ text: line(matching(rule.param, rule.match)), message: /is on the kernel command line/ });
  } else if (rule.check === 'require') {
    cases.valid.push({ text: line(matching(rule.param, rule.match)), message: /as recommended/ });
    if (rule.match) cases.invalid.push({ text: line(notMatching(rule.param, rule.match)), message: /expected/ });
    cases.invalid.push({
      name: `without ${rule.param}`,
      text: `${BASE}\n`,
      result: rule.absent === 'pass' ? 'pass' : rule.absent,
      message: /not on the/,
    });
  } else {
    const first = rule.anyOf[0];
    const param = first?.param ?? `${first?.paramPrefix}uuid`;
    cases.valid.push({ text: line(matching(param, first?.match)), message: /shows/ });
    // Evidence rules never fail: without the evidence they report info.
    cases.invalid.push({ name: 'no evidence', text: `${BASE}\n`, result: 'info', message: /nothing on the kernel command line shows/ });
  }
  configRuleTester(linuxKind, check, cases);
}

describe('command-line rules, by hand', () => {
  configRuleTester(linuxKind, 'config/linux-cmdline/serial-console', {
    valid: [
      { name: 'a virtual terminal console', text: 'console=tty1 root=/dev/sda2 rootwait\n' },
      {
        name: 'Raspberry Pi OS default with the serial console removed',
        text: 'console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait quiet splash\n',
      },
    ],
    invalid: [
      {
        name: 'Raspberry Pi serial0',
        text: 'console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait\n',
        message: /console=serial0,115200/,
      },
      { name: 'a PC UART', text: 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro console=ttyS0,115n8\n' },
      { name: 'a PL011 UART after a tty', text: 'console=tty1 console=ttyAMA0,115200 root=/dev/mmcblk0p2 rootwait\n' },
      { name: 'a USB serial adapter', text: 'root=/dev/sda1 console=ttyUSB0\n' },
    ],
  });
  configRuleTester(linuxKind, 'config/linux-cmdline/verified-root', {
    valid: [
      {
        name: 'dm-mod.create with a quoted verity table',
        text: 'dm-mod.create="vroot,,,ro,0 1638400 verity 1 /dev/mmcblk0p2 /dev/mmcblk0p3 4096 4096 204800 1 sha256 d2f5 abcd" root=/dev/dm-0 rootwait\n',
      },
      {
        name: 'dm_mod.create: underscores and dashes are the same',
        text: 'dm_mod.create="vroot,,,ro,0 8 verity 1 a b 4096 4096 1 1 sha256 00 00" root=/dev/dm-0\n',
      },
      { name: 'systemd roothash', text: 'root=/dev/mapper/root roothash=3f2a9e systemd.verity=1\n' },
    ],
    invalid: [
      { name: 'a dm root that is not verity', text: 'root=/dev/dm-0 dm-mod.create="lroot,,,rw,0 8 linear /dev/sda2 0"\n', result: 'info' },
      { name: 'verity switched off', text: 'root=/dev/sda2 systemd.verity=0\n', result: 'info' },
    ],
  });
  configRuleTester(linuxKind, 'config/linux-cmdline/encrypted-storage', {
    valid: [
      { name: 'dracut LUKS', text: 'root=/dev/mapper/root rd.luks.uuid=5f1e6d2c-1111 quiet\n', message: /rd\.luks\.uuid=/ },
      { name: 'systemd luks.name', text: 'root=/dev/mapper/root luks.name=5f1e=root\n' },
      { name: 'Arch cryptdevice', text: 'cryptdevice=UUID=1234:cryptroot root=/dev/mapper/cryptroot\n' },
      {
        name: 'a dm-crypt table',
        text: 'dm-mod.create="croot,,,rw,0 2097152 crypt aes-xts-plain64 :64:logon:key 0 /dev/sda2 0" root=/dev/dm-0\n',
      },
    ],
    invalid: [{ name: 'rd.luks=0 turns LUKS off', text: 'root=/dev/sda2 rd.luks=0\n', result: 'info' }],
  });
  configRuleTester(linuxKind, 'config/linux-cmdline/init-on-alloc', {
    valid: [{ name: 'the last occurrence counts', text: 'root=/dev/sda1 init_on_alloc=0 init_on_alloc=1\n' }],
    invalid: [
      { name: 'init_on_alloc=0', text: 'root=/dev/sda1 init_on_alloc=0\n', message: /`init_on_alloc=0`.*expected `init_on_alloc=1`/ },
      { name: 'switched off after being on', text: 'root=/dev/sda1 init_on_alloc=on init_on_alloc=off\n' },
    ],
  });
  configRuleTester(linuxKind, 'config/linux-cmdline/slab-nomerge', {
    valid: [{ name: 'the slub_nomerge alias', text: 'root=/dev/sda1 slub_nomerge\n' }],
    invalid: [{ name: 'absent', text: 'root=/dev/sda1 rootwait\n', message: /`slab_nomerge` is not on the kernel command line/ }],
  });
  configRuleTester(linuxKind, 'config/linux-cmdline/init-shell', {
    valid: [{ name: 'systemd as init', text: 'root=/dev/sda1 init=/lib/systemd/systemd\n' }],
    invalid: [
      { name: 'busybox sh', text: 'root=/dev/sda1 init=/bin/sh\n' },
      { name: 'after "--" it is an argument for init, not the kernel', text: 'root=/dev/sda1 init=/bin/bash -- init=/sbin/init\n' },
    ],
  });
  configRuleTester(linuxKind, 'config/linux-cmdline/kgdboc', {
    valid: [{ name: 'after "--" parameters go to init', text: 'root=/dev/sda1 rootwait -- kgdboc=ttyS0\n' }],
    invalid: [{ name: 'on a UART', text: 'root=/dev/sda1 kgdboc=ttyS0,115200 kgdbwait\n' }],
  });

  it('reads quotes, dashes and "--" like the kernel', () => {
    const { params } = parseCmdline('a="b c" "d=e f" dm-mod.create="x y" flag -- after=1\n');
    assert.deepEqual(
      params.map((p) => [p.name, p.key, p.value]),
      [
        ['a', 'a', 'b c'],
        ['d', 'd', 'e f'],
        ['dm-mod.create', 'dm_mod.create', 'x y'],
        ['flag', 'flag', undefined],
      ],
    );
  });

  it('points at the line of a multi-line cmdline.txt and quotes the parameter', () => {
    const s = linuxKind.scan(
      configFileFrom('boot/cmdline.txt', new TextEncoder().encode('# edited\nroot=/dev/sda1 console=ttyS0,115200\n')),
      {},
    );
    assert.deepEqual(s.facts, { format: 'kernel command line' });
    const f = s.findings.find((x) => x.check === 'config/linux-cmdline/serial-console');
    assert.deepEqual(f?.location, { path: 'boot/cmdline.txt', line: 2 });
    assert.equal(f?.evidence, 'console=ttyS0,115200');
    assert.deepEqual(f?.provisions, ['5.6-4']);
  });
});

describe('--cmdline with a kernel .config', () => {
  const config = (lines: string) => configFileFrom('config', new TextEncoder().encode(`${kconfigHeader('arm64', '6.1.0')}${lines}`));
  const cmdlineFinding = (lines: string, cmdline: string, rule: string) =>
    linuxKind.scan(config(lines), { cmdline }).findings.find((f) => f.check === `config/linux-cmdline/${rule}`);

  it('settles an absent parameter from the kernel config default', () => {
    const on = cmdlineFinding('CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y\n', 'root=/dev/sda1', 'init-on-alloc');
    assert.equal(on?.result, 'pass');
    assert.match(on?.message ?? '', /kernel config makes it the default \(CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y\)/);
    assert.deepEqual(on?.location, { path: '--cmdline' });
    const off = cmdlineFinding('# CONFIG_INIT_ON_ALLOC_DEFAULT_ON is not set\n', 'root=/dev/sda1', 'init-on-alloc');
    assert.equal(off?.result, 'fail');
    assert.match(off?.message ?? '', /does not make it the default/);
  });

  it('lets the command line override the config default', () => {
    assert.equal(cmdlineFinding('CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y\n', 'root=/dev/sda1 init_on_alloc=0', 'init-on-alloc')?.result, 'fail');
    assert.equal(
      cmdlineFinding('CONFIG_MODULES=y\n# CONFIG_MODULE_SIG_FORCE is not set\n', 'module.sig_enforce=1', 'module-sig-enforce')?.result,
      'pass',
    );
  });

  it('counts a kernel without modules as enforcing module signatures', () => {
    assert.equal(cmdlineFinding('# CONFIG_MODULES is not set\n', 'root=/dev/sda1', 'module-sig-enforce')?.result, 'pass');
    assert.equal(cmdlineFinding('CONFIG_DEBUG_FS=y\nCONFIG_DEBUG_FS_ALLOW_NONE=y\n', 'root=/dev/sda1', 'debugfs-off')?.result, 'pass');
  });

  it('says what is unknown without a config', () => {
    const s = linuxKind.scan(configFileFrom('cmdline.txt', new TextEncoder().encode('root=/dev/sda1 rootwait\n')), {});
    const f = s.findings.find((x) => x.check === 'config/linux-cmdline/init-on-alloc');
    assert.equal(f?.result, 'info');
    assert.match(
      f?.message ?? '',
      /depends on the kernel config \(CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y\): scan the kernel \.config with --cmdline/,
    );
  });

  it('ignores --cmdline given with a command-line file', () => {
    const s = linuxKind.scan(configFileFrom('cmdline.txt', new TextEncoder().encode('root=/dev/sda1 rootwait\n')), { cmdline: 'nokaslr' });
    assert.equal(s.findings.find((x) => x.check === 'config/linux-cmdline/nokaslr')?.result, 'pass');
    assert.equal(s.incomplete[0]?.part, '--cmdline');
  });
});
