import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { type BootService, bootInventory } from '../boot-services.ts';
import { type RiskyService, riskyServices } from '../risky-services.ts';

export function describeStart(s: BootService): string {
  const how =
    s.starter === 'systemd'
      ? `systemd unit ${s.unit ?? s.service}`
      : s.starter === 'inittab'
        ? `/etc/inittab${s.action ? ` (${s.action})` : ''}`
        : `${s.starter} ${s.service}`;
  // A daemon run by a script: name the script too, since the starter alone points at the wrong file.
  return s.source !== '/etc/inittab' && s.starter === 'inittab' ? `started by ${s.source}, run from ${how}` : `started by ${how}`;
}

export function commandLine(s: BootService): string {
  return s.argv.join(' ').slice(0, 300);
}

/** One check per row of catalog/rules/risky-services.yaml, so each carries its own provisions. */
export function riskyServiceCheck(rule: RiskyService): FirmwareCheck {
  const programs = new Set(rule.programs);
  const units = new Set(rule.units ?? []);
  return {
    id: `firmware/service/${rule.id}`,
    title: rule.title,
    provisions: rule.provisions,
    severity: rule.severity,
    rationale: `${rule.rationale} (${rule.source}.)`,
    remediation:
      rule.remediation ??
      'Remove the service from the production image, or at least from what starts at boot; if it is needed for manufacturing or support, enable it only through an authenticated, per-unit procedure.',
    run(context) {
      const drafts: FindingDraft[] = [];
      const seen = new Set<string>();
      for (const s of bootInventory(context).services) {
        const byProgram = s.programs.find((p) => programs.has(p));
        const byUnit = s.unit && (units.has(s.unit) || units.has(s.unit.replace(/@[^.]{1,128}\./, '@.'))) ? s.unit : undefined;
        if (!byProgram && !byUnit) continue;
        const key = `${s.source}:${s.line ?? 0}:${byProgram ?? byUnit}`;
        if (seen.has(key)) continue;
        seen.add(key);
        drafts.push({
          result: 'fail',
          location: { path: s.source, ...(s.line ? { line: s.line } : {}) },
          message: `${byProgram ?? byUnit} ${describeStart(s)}${s.argv.length ? `: ${commandLine(s)}` : ''}`,
          evidence: commandLine(s) || s.service,
        });
      }
      return drafts;
    },
  };
}

export function riskyServiceChecks(): FirmwareCheck[] {
  return riskyServices().map(riskyServiceCheck);
}
