// The small part of U-Boot's command language the checks need: words and commands, ${references}, and
// the walk from bootcmd through run, for loops and setenv bootargs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { followBoot, MAX_VISITS } from '../../../../src/scan/config/uboot/boot-path.ts';
import { effective, type EnvVariable } from '../../../../src/scan/config/uboot/environment.ts';
import { expandValue, parseScript, plainWord, type Resolver } from '../../../../src/scan/config/uboot/script.ts';

const words = (script: string) =>
  parseScript(script).map((c) => c.words.map((w) => w.map((p) => ('text' in p ? p.text : `<${p.ref}>`)).join('')));
const envOf = (vars: Record<string, string>) =>
  effective(Object.entries(vars).map(([name, value], i): EnvVariable => ({ name, value, line: i + 1 })));
const resolverOf =
  (vars: Record<string, string>): Resolver =>
  (name) =>
    vars[name] === undefined ? undefined : [{ value: vars[name] as string, origin: name }];
const options = { roots: ['bootcmd', 'altbootcmd', 'preboot', 'uenvcmd'], networkCommands: ['tftpboot', 'tftp', 'dhcp', 'pxe'] };

describe('parseScript', () => {
  it('splits commands on ; && || and newlines, and takes keywords off the front', () => {
    assert.deepEqual(words('if run a; then run b && bootm; else echo "no; luck" || reset; fi\nboot'), [
      ['run', 'a'],
      ['run', 'b'],
      ['bootm'],
      ['echo', 'no; luck'],
      ['reset'],
      ['boot'],
    ]);
  });

  it('keeps references outside single quotes, and backslash escapes', () => {
    assert.deepEqual(words(`setenv bootargs "console=\${console}" 'root=\${root}' \\$x $baud $(old)`), [
      ['setenv', 'bootargs', 'console=<console>', 'root=${root}', '$x', '<baud>', '<old>'],
    ]);
  });

  it('records where each command starts, keywords included, for line numbers', () => {
    const source = '# c\nsetenv a 1; setenv b 2\nif true; then\n  bootz\nfi && \\\n  echo x';
    assert.deepEqual(
      parseScript(source).map((c) => [plainWord(c.words[0]), source.slice(c.at, c.at + 6)]),
      [
        ['setenv', 'setenv'],
        ['setenv', 'setenv'],
        ['true', 'if tru'],
        ['bootz', 'bootz\n'],
        ['echo', '\\\n  ec'],
      ],
    );
  });

  it('reads a for loop and skips comments', () => {
    const commands = parseScript('# comment ; run x\nfor t in ${targets}; do run boot_${t}; done');
    assert.equal(commands[0]?.loop?.name, 't');
    assert.equal(plainWord(commands[1]?.words[0]), 'run');
  });
});

describe('expandValue', () => {
  it('replaces ${name}, $(name) and $name once, and says where each piece came from', () => {
    const out = expandValue(
      'console=${console},$baud root=$(root) x=${missing} \\$y',
      'bootargs',
      resolverOf({ console: 'ttyS0', baud: '115200', root: '${nested}' }),
    );
    assert.equal(out.text, 'console=ttyS0,115200 root=${nested} x= $y');
    assert.deepEqual(out.unresolved, ['missing']);
    assert.deepEqual(
      out.pieces.map((p) => [out.text.slice(p.start, p.end), p.origin]),
      [
        ['console=', 'bootargs'],
        ['ttyS0', 'console'],
        [',', 'bootargs'],
        ['115200', 'baud'],
        [' root=', 'bootargs'],
        ['${nested}', 'root'],
        [' x= $y', 'bootargs'],
      ],
    );
  });

  it('stops at 16 KiB', () => {
    const out = expandValue('${a}${a}${a}${a}${a}', 'v', resolverOf({ a: 'x'.repeat(5000) }));
    assert.equal(out.text.length, 16 * 1024);
    assert.equal(out.truncated, true);
  });
});

describe('followBoot', () => {
  it('follows run, boot, for loops over ${boot_targets} and local assignments', () => {
    const path = followBoot(
      envOf({
        bootcmd: 'run distro_bootcmd',
        distro_bootcmd: 'for target in ${boot_targets}; do run bootcmd_${target}; done',
        boot_targets: 'mmc0 dhcp',
        bootcmd_mmc0: 'devnum=0; run mmc_boot',
        mmc_boot: 'if mmc dev ${devnum}; then run scan_${devnum}; fi',
        scan_0: 'load mmc 0 ${loadaddr} boot.scr',
        bootcmd_dhcp: 'if dhcp ${scriptaddr}; then source ${scriptaddr}; fi',
        unused: 'tftpboot',
      }),
      options,
    );
    assert.deepEqual([...path.reached.keys()], ['bootcmd', 'distro_bootcmd', 'bootcmd_mmc0', 'mmc_boot', 'scan_0', 'bootcmd_dhcp']);
    assert.deepEqual(
      path.network.map((n) => [n.variable, n.command, n.chain.join('>')]),
      [['bootcmd_dhcp', 'dhcp', 'bootcmd>distro_bootcmd>bootcmd_dhcp']],
    );
  });

  it('records setenv bootargs with what it expands to at that point', () => {
    const path = followBoot(
      envOf({
        bootcmd: 'run setroot mmcargs; bootz',
        setroot: 'setenv mmcroot /dev/mmcblk1p2',
        mmcroot: '/dev/mmcblk0p2',
        mmcargs: 'setenv bootargs console=${console} root=${mmcroot}',
        console: 'ttymxc0',
      }),
      options,
    );
    assert.deepEqual(
      path.bootargs.map((b) => [b.variable, b.value.text]),
      [['mmcargs', 'console=ttymxc0 root=/dev/mmcblk1p2']],
    );
  });

  it('labels the text a command writes as it is told, and keeps what setenv left and where saveenv ran', () => {
    const script = 'setenv console ttyS0\nsetenv bootargs console=${console}\nsetenv x y\nsetenv x\nsaveenv\ndhcp';
    const path = followBoot(envOf({ script }), { ...options, roots: ['script'], label: (v, at) => `${v}@${at}` });
    const at = (text: string) => script.indexOf(text);
    assert.deepEqual(
      path.bootargs[0]?.value.pieces.map((p) => p.origin),
      [`script@${at('setenv bootargs')}`, `script@${at('setenv console')}`],
    );
    assert.equal(path.bootargs[0]?.at, at('setenv bootargs'));
    assert.deepEqual(
      [...path.set].map(([name, s]) => [name, s.value, s.variable, s.at]),
      [
        ['console', 'ttyS0', 'script', 0],
        ['bootargs', 'console=ttyS0', 'script', at('setenv bootargs')],
        ['x', '', 'script', at('setenv x\n')],
      ],
    );
    assert.deepEqual(path.saved, { variable: 'script', at: at('saveenv') });
    assert.deepEqual(
      path.network.map((n) => [n.command, n.at]),
      [['dhcp', at('dhcp')]],
    );
  });

  it('names runs of variables that do not exist, and ends on cycles', () => {
    const path = followBoot(envOf({ bootcmd: 'run a missing', a: 'run b', b: 'run a; boot' }), options);
    assert.deepEqual([...path.reached.keys()], ['bootcmd', 'a', 'b']);
    assert.deepEqual(path.missing, ['missing']);
  });

  it('is bounded: a long chain of runs stops at the depth limit, many variables at the visit limit', () => {
    const chain: Record<string, string> = { bootcmd: 'run v0' };
    for (let i = 0; i < 100; i++) chain[`v${i}`] = `run v${i + 1}`;
    assert.match(followBoot(envOf(chain), options).limited ?? '', /nested runs/);
    const wide: Record<string, string> = { bootcmd: Array.from({ length: 2000 }, (_, i) => `run w${i}`).join('; ') };
    for (let i = 0; i < 2000; i++) wide[`w${i}`] = 'true';
    const path = followBoot(envOf(wide), options);
    assert.equal(path.reached.size, MAX_VISITS);
    assert.match(path.limited ?? '', /variables/);
  });
});
