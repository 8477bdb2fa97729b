import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { type BootService, bootInventory } from '../boot-services.ts';
import { commandLine, describeStart } from './risky-service.ts';

const SERIAL_TTY = /^(?:ttyS|ttyAMA|ttyUSB|ttyACM|ttymxc|ttyO|ttyGS|ttySAC|ttyMSM|ttyPS|ttyHS|ttyAML|ttyMV|ttyTHS|ttyLP|ttySC)\d{0,3}$/;
const GETTY = /^(?:a?getty|mingetty|mgetty|fbgetty|serial-getty|login)$/;
const SHELL = /^(?:sh|ash|bash|dash|hush|zsh|msh|busybox)$/;

function ttyOf(s: BootService): string | undefined {
  if (s.tty) return s.tty;
  const instance = /^(?:serial-)?getty@([^.]{1,64})\.service$/.exec(s.unit ?? '')?.[1];
  return (
    instance ??
    s.argv
      .slice(1)
      .find((a) => /^(\/dev\/)?tty[A-Za-z]{1,8}\d{0,3}$/.test(a))
      ?.replace(/^\/dev\//, '')
  );
}

export const serialConsole: FirmwareCheck = {
  id: 'firmware/serial-console',
  title: 'Login or shell on a serial console',
  provisions: ['5.6-4'],
  severity: 'medium',
  rationale:
    "A getty or shell on a UART (ttyS*, ttyAMA*, ttymxc*, …) or the kernel console gives anyone who clips onto the board's debug pins a login prompt, or straight away a root shell. Kernel console= parameters are checked by the config checks; this check looks only at logins and shells started on serial lines.",
  remediation:
    'Do not start getty or shells on serial lines in production images (remove the inittab line, or the serial-getty@ link), or require a per-unit credential.',
  run(context) {
    const drafts: FindingDraft[] = [];
    for (const s of bootInventory(context).services) {
      const tty = ttyOf(s);
      if (!tty) continue;
      const serial = SERIAL_TTY.test(tty);
      const consoleLine = tty === 'console';
      if (!serial && !consoleLine) continue;
      const program = s.programs[0] ?? '';
      const shell = SHELL.test(program) || (program === 'login' && s.argv.includes('-f'));
      if (!shell && !GETTY.test(program) && !/getty/.test(s.unit ?? '')) continue;
      const where = consoleLine ? 'the kernel console (a serial port on most embedded boards)' : `serial line ${tty}`;
      drafts.push({
        result: 'fail',
        location: { path: s.source, ...(s.line ? { line: s.line } : {}) },
        message: shell ? `shell without login on ${where}, ${describeStart(s)}` : `login prompt on ${where}, ${describeStart(s)}`,
        evidence: commandLine(s) || s.service,
        ...(shell ? { severity: 'high' as const } : {}),
      });
    }
    return drafts;
  },
};
