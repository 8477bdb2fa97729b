// Checks on the set of services a device exposes, whatever their protocol: what is open (5.6-1) and
// which open ports should never be (debug and legacy control ports, kept as data in catalog/probe/ports.yaml).
// TCP and UDP services are judged separately, each with the ports tried over its transport.
import type { Check } from '../check.ts';
import type { Identification } from './identify.ts';
import { knownPort } from './ports.ts';
import { at } from './service.ts';
import type { LoginAttempt } from './probe-context.ts';

export interface ExposedServices {
  host: string;
  portsTried: number;
  identified: Identification[];
  /** 'udp' when these are the UDP ports asked; TCP otherwise. */
  transport?: 'udp';
}

function describe(identification: Identification): string {
  const { service } = identification;
  if (service.transport === 'udp') {
    if (service.tls) return service.protocol === 'coap' ? 'CoAP over DTLS (UDP)' : 'DTLS over UDP';
    return service.protocol === 'coap' ? 'CoAP over UDP' : 'unidentified UDP service';
  }
  const protocol = service.protocol === 'unknown' ? 'unidentified service' : service.protocol;
  return `${service.tls ? `${protocol} over TLS` : protocol}${service.banner ? ` (banner: ${service.banner.slice(0, 120)})` : ''}`;
}

export const openServicesCheck: Check<ExposedServices> = {
  id: 'probe/services/open-service',
  title: 'Network services the device exposes',
  provisions: ['5.6-1'],
  severity: 'info',
  rationale:
    'Every listening service is attack surface; EN 303 645 5.6-1 asks that unused network interfaces be disabled. The list lets the maker confirm each open port is one the product needs.',
  remediation: 'Disable every service the product does not need in use, and bind maintenance services to nothing by default.',
  *run(exposed) {
    for (const identification of exposed.identified) {
      yield {
        result: 'info',
        location: at(identification.service.endpoint),
        message: `open: ${describe(identification)}${identification.note ? `; ${identification.note}` : ''}`,
      };
    }
    if (exposed.identified.length === 0 && exposed.transport === 'udp') {
      yield {
        result: 'info',
        location: { host: exposed.host },
        message: `no UDP port among the ${exposed.portsTried} asked answered a CoAP ping or a DTLS ClientHello`,
      };
    } else if (exposed.identified.length === 0) {
      yield { result: 'info', location: { host: exposed.host }, message: `no open TCP port among the ${exposed.portsTried} tried` };
    }
  },
};

export const riskyPortCheck: Check<ExposedServices> = {
  id: 'probe/services/risky-port',
  title: 'A debug or legacy control port is open',
  provisions: ['5.6-1'],
  severity: 'high',
  rationale:
    'Some ports carry development or proprietary control services (ADB, vendor DVR protocols, Modbus, TR-069) with a record of unauthenticated access; a product in use should not expose them.',
  remediation: 'Turn the service off in production builds, or restrict it to the interface and peers that need it.',
  *run(exposed) {
    for (const { service } of exposed.identified) {
      const known = knownPort(service.endpoint.port, service.transport ?? 'tcp');
      if (!known?.risk) continue;
      yield {
        result: 'fail',
        location: at(service.endpoint),
        message: `${known.name} ${service.transport === 'udp' ? 'UDP ' : ''}port ${service.endpoint.port} is open: ${known.risk}`,
      };
    }
  },
};

export interface LoginLog {
  host: string;
  attempts: LoginAttempt[];
  loginsAllowed: boolean;
}

export const loginAttemptsCheck: Check<LoginLog> = {
  id: 'probe/login-attempts',
  title: 'Login attempts the probe made',
  provisions: ['5.1-1', '5.1-5'],
  severity: 'info',
  rationale: 'An assessor must be able to say exactly how many logins were tried against a device, and how.',
  remediation: 'None: this is a record of the probe itself.',
  *run(log) {
    if (!log.loginsAllowed) {
      yield {
        result: 'info',
        location: { host: log.host },
        message: 'no login attempted (--no-login): default credentials and brute-force protection not tested',
      };
      return;
    }
    const mine = log.attempts.filter((a) => a.endpoint.host === log.host);
    const count = (purpose: LoginAttempt['purpose']) => mine.filter((a) => a.purpose === purpose).length;
    const methods = [...new Set(mine.map((a) => a.protocol))];
    yield {
      result: 'info',
      location: { host: log.host },
      message: `${mine.length} login attempts: ${count('default-credentials')} with default credentials, ${count('brute-force')} deliberate failures${methods.length ? ` (${methods.join(', ')})` : ''}`,
    };
  },
};
