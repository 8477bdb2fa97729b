// The HTTP checks, pure functions of an HttpObservation: what the service reveals about its software,
// whether its login travels without TLS, which catalog endpoints hand out data without a login, and a
// summary of what was seen. Default credentials and brute-force protection come from ../login.ts.
import type { Check } from '../../check.ts';
import { endpointText } from '../target.ts';
import { at } from '../service.ts';
import type { HttpObservation, LoginInterface } from './observe.ts';
import { disclosureVerdict } from './disclosure.ts';
import { schemeIs } from './www-authenticate.ts';

export const softwareDisclosureCheck: Check<HttpObservation> = {
  id: 'probe/http/software-disclosure',
  title: 'The web server names its software and version to anyone',
  provisions: ['5.6-2'],
  severity: 'low',
  rationale:
    'A Server or X-Powered-By header with a version, a stock default page or an error page signed with the server version tells an unauthenticated visitor exactly which published vulnerabilities to try.',
  remediation:
    'Remove versions from response headers (nginx server_tokens off, lighttpd server.tag, Apache ServerTokens Prod), replace stock default and error pages, and drop X-Powered-By.',
  *run(o) {
    if (!o.root) return;
    yield disclosureVerdict(
      at(o.service.endpoint),
      o.disclosures,
      'web server',
      'no software name or version in the response headers, root page or error page',
    );
  },
};

function loginText(login: LoginInterface): string {
  if (login.kind === 'form') return `a login form at ${login.path}`;
  const realm = login.realm !== undefined ? ` (realm "${login.realm}")` : '';
  return `HTTP ${login.schemes.join('/')} authentication at ${login.path}${realm}`;
}

/** Basic and forms send the password itself; Digest sends a hash of it, still open to offline guessing. */
function sendsPasswordInClear(login: LoginInterface): boolean {
  if (login.kind === 'form') return true;
  return login.challenges.length === 0 || login.challenges.some((c) => !schemeIs(c, 'digest'));
}

export const cleartextLoginCheck: Check<HttpObservation> = {
  id: 'probe/http/cleartext-login',
  title: 'The web login and admin interface are served over plain HTTP',
  provisions: ['5.5-1', '5.5-7', '5.8-1'],
  severity: 'high',
  rationale:
    "Without TLS the password (in the clear with Basic authentication and forms, as a guessable hash with Digest), the session and the settings pages, with the owner's account and network details, cross the network readable and modifiable by anyone on the path.",
  remediation:
    'Serve the login and every authenticated page over HTTPS only (TLS 1.2 or later), and redirect plain HTTP to it or switch plain HTTP off.',
  *run(o) {
    const where = at(o.service.endpoint);
    if (o.loginInterfaces.length === 0) return;
    const list = o.loginInterfaces.map(loginText).join('; ');
    if (o.service.tls) {
      yield { result: 'info', location: where, severity: 'info', message: `login interface served over TLS: ${list}` };
      return;
    }
    const clear = o.loginInterfaces.some(sendsPasswordInClear);
    yield {
      result: 'fail',
      location: where,
      severity: clear ? 'high' : 'medium',
      message: clear
        ? `the password crosses the network unencrypted: ${list} over plain HTTP`
        : `a Digest login over plain HTTP (the session and pages are unencrypted, the response hash can be guessed offline): ${list}`,
    };
  },
};

// Values of fields that look like secrets, so that evidence never carries a working credential.
const SECRET_VALUE = /((?:pass(?:word|wd|phrase)?|pwd|psk|secret|token|api[_-]?key|key)[\w.-]*["']?\s*[:=]\s*["']?)([^"'\s,&<}\\]+)/gi;

export function redactSecrets(text: string): string {
  return text.replace(SECRET_VALUE, (_m, name: string) => `${name}***`);
}

export const unauthenticatedEndpointCheck: Check<HttpObservation> = {
  id: 'probe/http/unauthenticated-endpoint',
  title: 'Configuration, device or debug data is served without a login',
  provisions: ['5.5-4', '5.5-5', '5.6-2'],
  severity: 'high',
  rationale:
    'Well-known device endpoints that return the configuration, a configuration backup, identifying details or debug data to anyone who asks give away secrets and settings that should need authentication, and often accept changes the same way.',
  remediation:
    'Require authentication on every endpoint that returns configuration, backups or device details, remove debug and status pages from production firmware, and keep backups out of the web root.',
  *run(o) {
    const where = at(o.service.endpoint);
    for (const e of o.exposed) {
      yield {
        result: 'fail',
        location: where,
        severity: e.entry.severity,
        message: `GET ${e.entry.path} returned the ${e.entry.title} (${e.entry.kind}, ${e.bytes} bytes) without authentication`,
        evidence: `catalog entry ${e.entry.id}\n${redactSecrets(e.excerpt)}`,
      };
    }
    if (o.exposed.length === 0 && o.endpointsChecked > 0) {
      const catchAll = o.randomPathStatus === 200 ? ' (the device answers 200 to any path; answers were judged by content)' : '';
      yield {
        result: 'pass',
        location: where,
        message: `none of ${o.endpointsChecked} well-known configuration, backup and debug endpoints returned data without a login${catchAll}`,
      };
    }
  },
};

export const httpSummaryCheck: Check<HttpObservation> = {
  id: 'probe/http/summary',
  title: 'HTTP service seen on the device',
  provisions: ['5.6-1'],
  severity: 'info',
  rationale: 'Each network service is an interface the manufacturer has to justify and secure; this records what the HTTP service showed.',
  remediation: 'Switch off web interfaces the product does not need.',
  *run(o) {
    const { host, port } = o.service.endpoint;
    const scheme = o.service.tls ? 'HTTPS' : 'HTTP';
    const parts: string[] = [];
    if (o.root) {
      parts.push(`GET ${o.root.path} → ${o.root.status}${o.root.redirect ? ` (to ${o.root.redirect})` : ''}`);
      if (o.root.title) parts.push(`title "${o.root.title}"`);
      if (o.root.server) parts.push(`Server: ${o.root.server}`);
      if (o.randomPathStatus !== undefined) parts.push(`unknown paths → ${o.randomPathStatus}`);
      parts.push(o.loginInterfaces.length > 0 ? `login: ${o.loginInterfaces.map(loginText).join('; ')}` : 'no login interface found');
      parts.push(`${o.endpointsChecked} catalog endpoints checked, ${o.exposed.length} open`);
    } else parts.push('the root page could not be fetched');
    if (o.failures.length > 0) parts.push(`${o.failures.length} requests failed`);
    yield {
      result: 'info',
      location: at(o.service.endpoint),
      message: `${scheme} on ${endpointText(host, port)}: ${parts.join(', ')}`,
      ...(o.failures.length > 0 ? { evidence: o.failures.map((f) => `${f.path}: ${f.reason}`).join('\n') } : {}),
    };
  },
};

/** Half a year: the shortest max-age browsers' preload lists accept is a year; less than this is token. */
const MIN_HSTS_SECONDS = 180 * 24 * 3600;

export const hstsCheck: Check<HttpObservation> = {
  id: 'probe/http/hsts',
  title: 'The HTTPS interface asks browsers to keep to HTTPS (HSTS)',
  provisions: ['5.5-1'],
  severity: 'low',
  rationale:
    'Without a Strict-Transport-Security header a browser that once reached the device over HTTPS will still follow a plain-HTTP link to it, which an attacker on the network can intercept and downgrade.',
  remediation: 'Send Strict-Transport-Security: max-age=31536000 (or longer) on every HTTPS response of the web interface.',
  *run(o) {
    if (!o.service.tls || !o.root) return;
    const where = at(o.service.endpoint);
    if (!o.root.hsts) {
      yield { result: 'fail', location: where, message: `GET ${o.root.path} over HTTPS carries no Strict-Transport-Security header` };
      return;
    }
    const maxAge = /max-age\s*=\s*"?(\d+)/i.exec(o.root.hsts)?.[1];
    if (maxAge === undefined || Number(maxAge) < MIN_HSTS_SECONDS) {
      yield { result: 'info', location: where, message: `Strict-Transport-Security "${o.root.hsts}" sets a max-age under 180 days` };
    } else yield { result: 'pass', location: where, message: `Strict-Transport-Security: ${o.root.hsts}` };
  },
};

export const HTTP_CHECKS = [
  softwareDisclosureCheck,
  cleartextLoginCheck,
  unauthenticatedEndpointCheck,
  hstsCheck,
  httpSummaryCheck,
] as const;
