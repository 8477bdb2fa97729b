// TCP connect to each port of each named target, through the gate. Only "open" matters to the probe;
// refused and silent ports are counted so that the summary can say what was tried.
import { type Endpoint, ProbeError } from './connection.ts';
import type { ProbeContext } from './probe-context.ts';

export type PortState = 'open' | 'closed' | 'filtered' | 'unreachable';

export interface PortScan {
  host: string;
  states: Map<number, PortState>;
}

export function openPorts(scan: PortScan): number[] {
  return [...scan.states].filter(([, s]) => s === 'open').map(([p]) => p);
}

export async function scanPorts(context: ProbeContext, host: string, ports: number[]): Promise<PortScan> {
  const states = new Map<number, PortState>();
  await Promise.all(
    ports.map(async (port) => {
      const endpoint: Endpoint = { host, port };
      try {
        (await context.openGatedSocket(endpoint)).destroy();
        states.set(port, 'open');
      } catch (error) {
        if (!(error instanceof ProbeError)) throw error;
        states.set(port, error.kind === 'refused' ? 'closed' : error.kind === 'unreachable' ? 'unreachable' : 'filtered');
      }
    }),
  );
  return { host, states: new Map([...states].sort((a, b) => a[0] - b[0])) };
}
