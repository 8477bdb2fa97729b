// The telnet checks, pure functions of a TelnetObservation. Default credentials and brute-force
// protection come from ../login.ts.
import type { Check } from '../../check.ts';
import { bannerDisclosure } from '../http/disclosure.ts';
import { at } from '../service.ts';
import { endpointText } from '../target.ts';
import type { TelnetObservation } from './observe.ts';

export const telnetPlaintextCheck: Check<TelnetObservation> = {
  id: 'probe/telnet/plaintext-remote-access',
  title: 'Telnet remote access is enabled',
  provisions: ['5.5-1', '5.5-7', '5.6-1'],
  severity: 'high',
  rationale:
    'Telnet has no encryption: the login, the password and everything typed afterwards cross the network in clear, and an open telnet port is what Mirai-style botnets scan for. A consumer device has no need for it once shipped.',
  remediation:
    'Remove the telnet server from production firmware; if remote administration is needed, use SSH with per-device credentials.',
  *run(o) {
    if (!o.reached) return;
    const asks = o.firstPrompt === 'none' ? 'it gave no prompt within the deadline' : `it stopped at a ${o.firstPrompt} prompt`;
    yield {
      result: 'fail',
      location: at(o.service.endpoint),
      message: `a telnet server answers on port ${o.service.endpoint.port}; everything sent to it, passwords included, is unencrypted (${asks})`,
      ...(o.promptLine ? { evidence: `prompt: ${o.promptLine}` } : {}),
    };
  },
};

export const telnetUnauthenticatedShellCheck: Check<TelnetObservation> = {
  id: 'probe/telnet/unauthenticated-shell',
  title: 'Telnet gives a shell without any login',
  provisions: ['5.5-4', '5.5-5', '5.6-1'],
  severity: 'critical',
  rationale:
    'A telnet service that starts a shell without asking for credentials hands full control of the device (often as root) to anyone who can reach the port.',
  remediation: 'Remove the telnet server; never start a shell (telnetd -l /bin/sh or similar) on a network port.',
  *run(o) {
    const where = at(o.service.endpoint);
    if (o.firstPrompt === 'shell') {
      const confirmed = o.shell?.confirmed ?? false;
      yield {
        result: 'fail',
        location: where,
        message: confirmed
          ? `telnet opened a shell with no login, and a command ran in it (prompt "${o.promptLine ?? ''}")`
          : `telnet stopped at what looks like a shell prompt with no login ("${o.promptLine ?? ''}"); a test command gave no answer`,
        ...(o.shell ? { evidence: o.shell.evidence } : {}),
      };
    } else if (o.firstPrompt === 'login' || o.firstPrompt === 'password') {
      yield { result: 'pass', location: where, message: `telnet asks for credentials (${o.firstPrompt} prompt) before a shell` };
    }
  },
};

export const telnetBannerCheck: Check<TelnetObservation> = {
  id: 'probe/telnet/banner-disclosure',
  title: 'The telnet banner names the software or its version',
  provisions: ['5.6-2'],
  severity: 'low',
  rationale: 'A banner with the operating system or firmware version shown before login tells an attacker which vulnerabilities to try.',
  remediation: 'Replace the pre-login banner (/etc/issue.net, the telnetd -f file) with text that names no software or version.',
  *run(o) {
    if (!o.reached || o.firstPrompt === 'none') return;
    const where = at(o.service.endpoint);
    const disclosure = bannerDisclosure('telnet banner', `${o.banner}\n${o.promptLine ?? ''}`);
    if (disclosure) {
      yield {
        result: 'fail',
        location: where,
        message: `before login the telnet banner discloses ${disclosure.text}`,
        evidence: o.banner || o.promptLine,
      };
    } else {
      yield { result: 'pass', location: where, message: 'the telnet banner names no software version' };
    }
  },
};

export const telnetSummaryCheck: Check<TelnetObservation> = {
  id: 'probe/telnet/summary',
  title: 'Telnet service seen on the device',
  provisions: ['5.6-1'],
  severity: 'info',
  rationale: 'Records what the telnet service showed before any login.',
  remediation: 'Switch off telnet.',
  *run(o) {
    const { host, port } = o.service.endpoint;
    const parts = [
      o.reached ? `connected` : `could not connect`,
      `${o.optionRequests} option requests refused`,
      o.firstPrompt === 'none' ? 'no prompt' : `${o.firstPrompt} prompt "${o.promptLine ?? ''}"`,
    ];
    if (o.error) parts.push(o.error);
    yield {
      result: 'info',
      location: at(o.service.endpoint),
      message: `telnet on ${endpointText(host, port)}: ${parts.join(', ')}`,
      ...(o.banner ? { evidence: `banner: ${o.banner}` } : {}),
    };
  },
};

export const TELNET_CHECKS = [telnetPlaintextCheck, telnetUnauthenticatedShellCheck, telnetBannerCheck, telnetSummaryCheck] as const;
