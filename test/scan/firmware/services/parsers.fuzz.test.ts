// Property-based fuzzing of the boot-configuration parsers: arbitrary text gives a result, never an
// exception, and never a long stall; the whole inventory on a fuzzed tree only ever records ImageReadErrors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  parseInetd,
  parseInittab,
  parseUci,
  parseUnitFile,
  parseXinetd,
  scriptCommands,
  splitWords,
} from '../../../../src/scan/firmware/services/parsers.ts';
import { bootInventory } from '../../../../src/scan/firmware/services/boot-services.ts';
import { serviceChecks } from '../../../../src/scan/firmware/services/index.ts';
import { openDirectoryFs } from '../../../../src/scan/firmware/directory-fs.ts';
import { firmwareContext } from '../../../../src/scan/firmware/firmware-check.ts';
import { buildTree } from '../../../helpers/firmware-rule-tester.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const MAX_MS = 2000;

const piece = fc.constantFrom(
  '::',
  ':',
  'respawn',
  'askfirst',
  'ttyS0',
  '-/bin/sh',
  '/sbin/getty -L ttyS0 115200',
  '[Service]',
  '[Unit]',
  'ExecStart=',
  'User=',
  '\\',
  '\n',
  '\r\n',
  ' ',
  '\t',
  '#',
  'service telnet',
  '{',
  '}',
  'disable = no',
  'server = /usr/sbin/in.telnetd',
  'config dnsmasq',
  "option enable_tftp '1'",
  'list x',
  "'",
  '"',
  'stream tcp nowait root /usr/sbin/tcpd in.telnetd',
  'start-stop-daemon -S -x',
  'chpst -u',
  'procd_set_param command',
  'procd_set_param user',
  ';',
  '&&',
  '|',
  '$(',
  '`',
  'exec',
  'x=1',
  '*)',
  '=',
);
const text = fc.oneof(
  fc.string({ maxLength: 2000 }),
  fc.array(fc.oneof(piece, fc.string({ maxLength: 20 })), { maxLength: 200 }).map((p) => p.join('')),
);

function bounded(run: () => unknown): void {
  const started = cpuClock();
  run();
  assert.ok(started() < MAX_MS, `took ${Math.round(started())} ms`);
}

describe('service parsers never throw on arbitrary text', () => {
  for (const [name, parse] of Object.entries({
    parseInittab,
    parseUnitFile,
    parseInetd,
    parseXinetd,
    parseUci,
    scriptCommands,
    splitWords,
  })) {
    it(name, () =>
      fc.assert(
        fc.property(text, (t) => bounded(() => parse(t))),
        { numRuns: RUNS },
      ),
    );
  }

  it('long pathological lines stay fast', () => {
    for (const unit of [
      '\\'.repeat(100_000),
      ':'.repeat(100_000),
      `${'a '.repeat(50_000)}`,
      `service ${'{'.repeat(50_000)}`,
      `option ${"'".repeat(50_000)}`,
    ])
      for (const parse of [parseInittab, parseUnitFile, parseInetd, parseXinetd, parseUci, scriptCommands]) bounded(() => parse(unit));
  });

  it('the inventory and every check on a fuzzed tree', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, text, text, async (inittab, unitText, inetd, uci) => {
        const root = buildTree({
          'etc/inittab': inittab,
          'lib/systemd/system/a.service': unitText,
          'etc/systemd/system/multi-user.target.wants/a.service': { symlink: '/lib/systemd/system/a.service' },
          'etc/inetd.conf': inetd,
          'etc/xinetd.d/x': inetd,
          'etc/config/dhcp': uci,
          'etc/init.d/s': `#!/bin/sh\n${unitText}`,
          'etc/rc.d/S10s': { symlink: '../init.d/s' },
          'etc/rc.d/S11loop': { symlink: 'S11loop' },
        });
        const context = firmwareContext(openDirectoryFs(root), 'fuzz');
        bounded(() => bootInventory(context));
        for (const check of serviceChecks) await check.run(context);
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 10)) },
    );
  });
});
