// The targets the user names: a host name, an IPv4 or IPv6 address, or host:port ([v6]:port). There is
// deliberately no range or subnet syntax: the probe touches exactly what it is told to.
import { isIP } from 'node:net';
import { InputError } from '../../io/input-error.ts';

export interface Target {
  /** As the user wrote it, for messages. */
  text: string;
  host: string;
  /** Set when the user named one port: only that port is probed. */
  port?: number;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

export function parseTarget(text: string): Target {
  const trimmed = text.trim();
  let host = trimmed;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    if (isIP(host) !== 6) throw new InputError(`target "${text}": [${host}] is not an IPv6 address`);
  } else if (isIP(trimmed) === 6) {
    host = trimmed;
  } else if (trimmed.includes(':')) {
    const at = trimmed.lastIndexOf(':');
    host = trimmed.slice(0, at);
    portText = trimmed.slice(at + 1);
  }
  if (/[/*]/.test(host) || /^\d+\.\d+\.\d+\.\d+-\d+$/.test(host)) {
    throw new InputError(`target "${text}": ranges and subnets are not accepted; name each host`);
  }
  if (isIP(host) === 0 && !HOST_NAME.test(host)) throw new InputError(`target "${text}": "${host}" is not a host name or IP address`);
  const target: Target = { text: trimmed, host };
  if (portText !== undefined) target.port = parsePort(portText, `target "${text}"`);
  return target;
}

export function parsePort(text: string, where: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new InputError(`${where}: "${text}" is not a port number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new InputError(`${where}: port ${port} is outside 1-65535`);
  return port;
}

/**
 * `--ports 22,80,8000-8010`: a list of ports and short ranges (at most 1024 ports, to stay a probe, not a
 * sweep). `flag` names the option in errors (--ports, --udp-ports).
 */
export function parsePortList(text: string, flag = '--ports'): number[] {
  const ports = new Set<number>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const from = parsePort(range[1] ?? '', flag);
      const to = parsePort(range[2] ?? '', flag);
      if (to < from) throw new InputError(`${flag}: range ${part} runs backwards`);
      for (let p = from; p <= to; p++) ports.add(p);
    } else ports.add(parsePort(part, flag));
    if (ports.size > 1024) throw new InputError(`${flag}: more than 1024 ports; name the ports the product uses`);
  }
  if (ports.size === 0) throw new InputError(`${flag}: no ports given`);
  return [...ports].sort((a, b) => a - b);
}

/** host:port as people write it, bracketing IPv6. */
export function endpointText(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
