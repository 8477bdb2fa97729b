// The default port list (catalog/probe/ports.yaml), loaded and checked.
import { z } from 'zod';
import { CATALOG_DIR } from '../../catalog/load.ts';
import { parseWithSchema, readYamlFile } from '../../io/yaml-file.ts';

export const PORTS_FILE = `${CATALOG_DIR}probe/ports.yaml`;

export const PORT_HINTS = ['ssh', 'http', 'tls', 'mqtt', 'telnet', 'ftp', 'rtsp', 'unknown'] as const;
export type PortHint = (typeof PORT_HINTS)[number];

const fileSchema = z.strictObject({
  source: z.string().min(3),
  ports: z
    .array(
      z.strictObject({
        port: z.number().int().min(1).max(65535),
        hint: z.enum(PORT_HINTS),
        name: z.string().min(2),
        source: z.string().min(2),
        risk: z.string().min(10).optional(),
      }),
    )
    .min(1),
});

export type KnownPort = z.infer<typeof fileSchema>['ports'][number];

let cache: KnownPort[] | undefined;

export function loadKnownPorts(path = PORTS_FILE): KnownPort[] {
  if (path === PORTS_FILE && cache) return cache;
  const ports = parseWithSchema(readYamlFile(path), fileSchema).ports;
  if (path === PORTS_FILE) cache = ports;
  return ports;
}

export function knownPort(port: number): KnownPort | undefined {
  return loadKnownPorts().find((p) => p.port === port);
}

export function portHint(port: number): PortHint {
  return knownPort(port)?.hint ?? 'unknown';
}
