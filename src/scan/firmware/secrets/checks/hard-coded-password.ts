import type { FirmwareCheck } from '../../firmware-check.ts';
import { secretScan } from '../secret-scan.ts';

export const hardCodedPassword: FirmwareCheck = {
  id: 'firmware/hard-coded-password',
  title: 'Password or secret written into a script or configuration file',
  provisions: ['5.4-3'],
  severity: 'medium',
  rationale:
    'A password, passphrase or shared secret assigned literally in a shell script or configuration file (Wi-Fi PSK, MQTT, database, admin UI, VPN) is the same on every unit and public to anyone who unpacks the image. Well-known defaults such as "changeme" are reported too: they are defaults. Variables, template placeholders and file references are not.',
  remediation: 'Read the secret at run time from per-unit protected storage, provisioned at manufacture or set by the user at first start.',
  run(context) {
    return secretScan(context).passwords.map((p) => ({
      result: 'fail' as const,
      location: { path: p.path, line: p.line },
      message: `${p.name} is set to a literal value ${p.redacted}`,
      evidence: p.evidence,
    }));
  },
};
