// The default port lists (catalog/probe/ports.yaml), TCP and UDP, loaded and checked.
import { z } from 'zod';
import { CATALOG_DIR } from '../../catalog/load.ts';
import { parseWithSchema, readYamlFile } from '../../io/yaml-file.ts';

export const PORTS_FILE = `${CATALOG_DIR}probe/ports.yaml`;

export const PORT_HINTS = ['ssh', 'http', 'tls', 'mqtt', 'telnet', 'ftp', 'rtsp', 'unknown'] as const;
export type PortHint = (typeof PORT_HINTS)[number];

export const UDP_PORT_HINTS = ['coap', 'dtls'] as const;
export type UdpPortHint = (typeof UDP_PORT_HINTS)[number];

const row = {
  port: z.number().int().min(1).max(65535),
  name: z.string().min(2),
  source: z.string().min(2),
  risk: z.string().min(10).optional(),
};

const fileSchema = z.strictObject({
  source: z.string().min(3),
  ports: z.array(z.strictObject({ ...row, hint: z.enum(PORT_HINTS) })).min(1),
  udp: z.array(z.strictObject({ ...row, hint: z.enum(UDP_PORT_HINTS) })).min(1),
});

type PortsFile = z.infer<typeof fileSchema>;
export type KnownPort = PortsFile['ports'][number];
export type KnownUdpPort = PortsFile['udp'][number];

let cache: PortsFile | undefined;

function loadPortsFile(path: string): PortsFile {
  if (path === PORTS_FILE && cache) return cache;
  const file = parseWithSchema(readYamlFile(path), fileSchema);
  if (path === PORTS_FILE) cache = file;
  return file;
}

export function loadKnownPorts(path = PORTS_FILE): KnownPort[] {
  return loadPortsFile(path).ports;
}

export function loadKnownUdpPorts(path = PORTS_FILE): KnownUdpPort[] {
  return loadPortsFile(path).udp;
}

/** The catalog row of a port, TCP unless `transport` says UDP. */
export function knownPort(port: number, transport: 'tcp' | 'udp' = 'tcp'): KnownPort | KnownUdpPort | undefined {
  return (transport === 'udp' ? loadKnownUdpPorts() : loadKnownPorts()).find((p) => p.port === port);
}

export function portHint(port: number): PortHint {
  return loadKnownPorts().find((p) => p.port === port)?.hint ?? 'unknown';
}

/** What a UDP port usually carries; undefined for ports the catalog does not name. */
export function udpPortHint(port: number): UdpPortHint | undefined {
  return loadKnownUdpPorts().find((p) => p.port === port)?.hint;
}
