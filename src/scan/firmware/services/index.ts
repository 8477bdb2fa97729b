// The services and interfaces analyzer: what starts at boot (boot-services.ts, gathered once per
// filesystem), checked for services that should not run on a production device (one check per row of
// catalog/rules/risky-services.yaml), logins and shells on serial consoles, and network daemons left
// running as root.
import type { FirmwareCheck } from '../firmware-check.ts';
import { riskyServiceChecks } from './checks/risky-service.ts';
import { rootService } from './checks/root-service.ts';
import { serialConsole } from './checks/serial-console.ts';

export const serviceChecks: readonly FirmwareCheck[] = [...riskyServiceChecks(), serialConsole, rootService];
