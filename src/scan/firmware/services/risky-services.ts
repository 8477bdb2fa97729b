// The services that should not start on a production device, kept as data
// (catalog/rules/risky-services.yaml): each row names the programs and systemd units that start it.
import { z } from 'zod';
import { dataRuleBase } from '../../check.ts';
import { cached, loadRuleFile, RULES_DIR } from '../../config/linux/rule-files.ts';

export const RISKY_SERVICES_FILE = `${RULES_DIR}risky-services.yaml`;

const programName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/);

const riskyServiceSchema = z
  .strictObject({
    ...dataRuleBase,
    programs: z.array(programName),
    units: z.array(z.string().regex(/^[A-Za-z0-9_.@-]{1,128}\.(service|socket)$/)).optional(),
  })
  .refine((r) => r.programs.length > 0 || (r.units?.length ?? 0) > 0, 'give programs or units');

const riskyServicesFileSchema = z.strictObject({ rules: z.array(riskyServiceSchema).min(1) });

export type RiskyService = z.infer<typeof riskyServiceSchema>;

export function loadRiskyServices(path = RISKY_SERVICES_FILE, text?: string): RiskyService[] {
  return loadRuleFile(riskyServicesFileSchema, path, text).rules;
}

export const riskyServices = cached(() => loadRiskyServices());
