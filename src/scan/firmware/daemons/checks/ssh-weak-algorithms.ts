import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { type SshAlgorithmKind, weakSshAlgorithm } from '../ssh-algorithms.ts';
import { type SshdOption, sshdConfig } from '../sshd.ts';

const KEYWORDS: Record<string, SshAlgorithmKind> = {
  ciphers: 'cipher',
  macs: 'mac',
  kexalgorithms: 'kex',
  hostkeyalgorithms: 'signature',
  pubkeyacceptedalgorithms: 'signature',
  pubkeyacceptedkeytypes: 'signature',
  casignaturealgorithms: 'signature',
};

export const sshWeakAlgorithms: FirmwareCheck = {
  id: 'firmware/ssh-weak-algorithms',
  title: 'SSH server configured with outdated algorithms',
  provisions: ['5.5-1'],
  severity: 'medium',
  rationale:
    "Algorithms such as CBC ciphers, RC4, HMAC-MD5, SHA-1 key exchange and ssh-dss/ssh-rsa signatures are no longer regarded as best practice (RFC 9142, RFC 8758, RFC 8332). The list is data, catalog/rules/ssh-algorithms.yaml, with each entry's source.",
  remediation: "Remove the listed algorithms; OpenSSH's own defaults are sound, so deleting the line is often the fix.",
  run(context) {
    const sshd = sshdConfig(context);
    if (!sshd) return [];
    const drafts: FindingDraft[] = [];
    const options: SshdOption[] = [...sshd.global.values(), ...sshd.matches.flatMap((m) => [...m.options.values()])];
    for (const option of options) {
      const kind = KEYWORDS[option.keyword.toLowerCase()];
      if (!kind) continue;
      // `-list` removes from the defaults; `+list` and `^list` add to them; a bare list replaces them.
      if (option.value.startsWith('-')) continue;
      const names = option.value
        .replace(/^[+^]/, '')
        .split(/[,\s]+/)
        .filter(Boolean);
      for (const name of names) {
        const rule = weakSshAlgorithm(kind, name);
        if (!rule) continue;
        drafts.push({
          result: 'fail',
          severity: rule.severity,
          location: { path: option.path, line: option.line },
          message: `sshd ${option.keyword} offers ${name}: ${rule.rationale}`,
          evidence: `${option.keyword} ${option.value} (source: ${rule.source})`,
        });
      }
    }
    return drafts;
  },
};
