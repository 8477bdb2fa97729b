// A service found on the device, and the contract every protocol prober keeps: given a service and the
// shared context, return findings in the shared format plus anything it could not examine.
import type { Finding } from '../../findings/schema.ts';
import type { Endpoint } from './connection.ts';
import type { ProbeContext } from './probe-context.ts';

export const SERVICE_PROTOCOLS = ['ssh', 'http', 'mqtt', 'telnet', 'ftp', 'rtsp', 'coap', 'unknown'] as const;
export type ServiceProtocol = (typeof SERVICE_PROTOCOLS)[number];

export interface IdentifiedService {
  endpoint: Endpoint;
  /** The application protocol, recognised by banner or handshake whatever the port. */
  protocol: ServiceProtocol;
  /** True when the protocol runs inside TLS on this port (https, mqtts, ...), or inside DTLS over UDP. */
  tls: boolean;
  /** 'udp' for a service reached by datagrams (CoAP, DTLS); absent for TCP. */
  transport?: 'udp';
  /** The first bytes the service sent unasked, printable and cut short, when it sent any. */
  banner?: string;
}

export interface ProbeOutcome {
  findings: Finding[];
  /** Parts that could not be examined, and why: never a silent success. */
  incomplete: { part: string; reason: string }[];
  /** A short description of what the service turned out to be, for its open-service finding (UDP services). */
  note?: string;
}

export type ServiceProber = (service: IdentifiedService, context: ProbeContext) => Promise<ProbeOutcome>;

/** Location of a finding about a service. */
export function at(endpoint: Endpoint): { host: string; port: number; transport?: 'udp' } {
  return { host: endpoint.host, port: endpoint.port, ...(endpoint.transport === 'udp' ? { transport: 'udp' as const } : {}) };
}

/** Printable text of untrusted bytes: control characters escaped, cut to `max` characters. */
export function printable(bytes: Buffer | string, max = 200): string {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  const cleaned = text
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/\r?\n/g, '\\n');
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}

/** A password for display: first character then stars, so a report never carries a working credential. */
export function redactPassword(password: string): string {
  if (password === '') return '(empty)';
  return `${password[0]}${'*'.repeat(Math.max(3, password.length - 1))}`;
}
