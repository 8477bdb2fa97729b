import type { FirmwareCheck } from '../../firmware-check.ts';
import { bootIntegrityIndicators } from '../boot-integrity.ts';

export const bootIntegrity: FirmwareCheck = {
  id: 'firmware/boot-integrity',
  title: 'Root filesystem verified at boot (dm-verity indicators)',
  provisions: ['5.7-1'],
  severity: 'info',
  rationale:
    'dm-verity with a root hash passed by a verified bootloader lets the kernel refuse a modified root filesystem, the part of secure boot a rootfs can show. Secure boot itself starts in ROM and the bootloader, outside the root filesystem, so absence of these indicators is reported as information, never as a failure.',
  remediation:
    'Where the hardware supports it: a ROM-verified bootloader, a signed FIT kernel, and dm-verity for the root filesystem with the root hash in the signed part.',
  run(context) {
    const indicators = bootIntegrityIndicators(context);
    if (!indicators.length)
      return [
        {
          result: 'info',
          location: { path: '/' },
          message:
            'no dm-verity or verified-boot indicator in this root filesystem; secure boot may still be done by the bootloader (not visible here)',
        },
      ];
    return indicators.map((i) => ({
      result: i.strength === 'configured' ? ('pass' as const) : ('info' as const),
      location: i.line === undefined ? { path: i.path } : { path: i.path, line: i.line },
      message: i.detail,
    }));
  },
};
