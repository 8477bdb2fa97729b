// The CoAP checks: pure functions of a CoapObservation, each with its metadata beside it. Plain CoAP is
// graded like plain MQTT (high, 5.5-1 and 5.8-1); a resource list anyone can read bears on 5.6-2; catalog
// resources served without authorisation are graded like the HTTP endpoints served without a login.
import type { Check } from '../../check.ts';
import { redactSecrets } from '../http/checks.ts';
import { at } from '../service.ts';
import { endpointText } from '../target.ts';
import { type CoreLink, linkParam } from './link-format.ts';
import { COAP_CODE, codeText, LINK_FORMAT } from './message.ts';
import type { CoapObservation, Discovery } from './scan-coap.ts';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What the server answered, for messages: "2.05 (link-format, 151 bytes in 10 blocks of 16 bytes)". */
export function discoveryText(d: Discovery): string {
  if (d.reset || d.code === undefined) return 'RST (the server rejected the request)';
  const format =
    d.contentFormat === undefined ? '' : d.contentFormat === LINK_FORMAT ? 'link-format, ' : `content format ${d.contentFormat}, `;
  const blocks = d.blocks > 1 ? ` in ${d.blocks} blocks of ${d.blockSize} bytes` : '';
  return `${codeText(d.code)} (${format}${d.bytes} bytes${blocks}${d.separate ? ', as a separate response' : ''})`;
}

/** The resource paths, as many as fit in `max` characters. */
export function resourceNames(links: CoreLink[], more = 0, max = 160): string {
  const names: string[] = [];
  let size = 0;
  for (const link of links) {
    if (size + link.target.length + 2 > max) break;
    names.push(link.target);
    size += link.target.length + 2;
  }
  const hidden = links.length - names.length + more;
  return `${names.join(', ')}${hidden > 0 ? `${names.length > 0 ? ', ' : ''}… and ${hidden} more` : ''}`;
}

function linkLine(link: CoreLink): string {
  const said = ['rt', 'if', 'ct', 'title']
    .map((name) => [name, linkParam(link, name)] as const)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${value}`);
  return `<${link.target}>${said.length > 0 ? ` ${said.join(' ')}` : ''}`;
}

function linkEvidence(d: Discovery): string {
  const lines: string[] = [];
  let size = 0;
  for (const link of d.links) {
    const line = linkLine(link);
    if (size + line.length + 1 > 1800) break;
    lines.push(line);
    size += line.length + 1;
  }
  const hidden = d.links.length - lines.length + d.moreLinks;
  if (hidden > 0) lines.push(`… and ${hidden} more`);
  if (d.malformed > 0) lines.push(`(${plural(d.malformed, 'entry')} could not be read)`);
  return lines.join('\n');
}

export const coapPlaintextCheck: Check<CoapObservation> = {
  id: 'probe/coap/plaintext',
  title: 'CoAP runs without DTLS',
  provisions: ['5.5-1', '5.8-1'],
  severity: 'high',
  rationale:
    'Plain CoAP (UDP 5683) has no encryption and no authentication of its own: every request and response, with the readings, settings and any credential or token the application carries, crosses the network readable, and being UDP, requests are as easy to forge as to read.',
  remediation:
    'Serve CoAP only over DTLS 1.2 or later (coaps, UDP 5684) with per-device keys or certificates, or protect the messages with OSCORE (RFC 8613), and close the plain CoAP port.',
  *run(o) {
    const d = o.discovery;
    if (!d && !o.pong) return;
    yield {
      result: 'fail',
      location: at(o.service.endpoint),
      message: `a CoAP server answers over plain UDP on port ${o.service.endpoint.port}: requests, responses and anything a client sends cross the network unencrypted and unauthenticated`,
      evidence: d ? `GET /.well-known/core over UDP without DTLS → ${discoveryText(d)}` : 'a CoAP ping over UDP without DTLS was answered',
    };
  },
};

export const coapDiscoveryCheck: Check<CoapObservation> = {
  id: 'probe/coap/resource-discovery',
  title: 'The CoAP resource list is readable without authentication',
  provisions: ['5.6-2'],
  severity: 'low',
  rationale:
    "GET /.well-known/core (RFC 6690) lists every resource the device serves, with its type and interface: to anyone who can send a datagram, a map of the device's attack surface and often its make and function.",
  remediation:
    'Serve resource discovery only to authenticated peers (over DTLS or OSCORE), or list only the resources unauthenticated clients may use; answer 4.01 Unauthorized otherwise.',
  *run(o) {
    const d = o.discovery;
    if (!d) return;
    const where = at(o.service.endpoint);
    if (d.code === COAP_CODE.content && d.links.length + d.moreLinks > 0) {
      const count = d.links.length + d.moreLinks;
      yield {
        result: 'fail',
        location: where,
        message: `anyone can list the ${plural(count, 'resource')} the device serves: ${resourceNames(d.links, d.moreLinks)}`,
        evidence: linkEvidence(d),
      };
    } else if (d.code === COAP_CODE.content) {
      yield { result: 'info', location: where, message: `GET /.well-known/core answered ${discoveryText(d)} with no readable link` };
    } else if (d.code === COAP_CODE.unauthorized || d.code === COAP_CODE.forbidden) {
      yield { result: 'pass', location: where, message: `GET /.well-known/core without credentials was refused: ${discoveryText(d)}` };
    } else if (d.code === COAP_CODE.notFound) {
      yield {
        result: 'pass',
        location: where,
        message: 'the device offers no resource discovery (GET /.well-known/core answered 4.04 Not Found)',
      };
    } else {
      yield { result: 'info', location: where, message: `GET /.well-known/core answered ${discoveryText(d)}` };
    }
  },
};

export const coapUnauthenticatedResourceCheck: Check<CoapObservation> = {
  id: 'probe/coap/unauthenticated-resource',
  title: 'Configuration, credentials or firmware served over CoAP without authentication',
  provisions: ['5.5-4', '5.5-5', '5.6-2'],
  severity: 'high',
  rationale:
    'A resource the device lists as configuration, keys, credentials or firmware that answers a plain GET from anyone gives away secrets and settings that need authentication, and a device that serves them so usually takes changes the same way.',
  remediation:
    'Require authentication (DTLS with per-device keys or certificates, or OSCORE) for every resource that returns configuration, keys or firmware details, and take debug resources out of production firmware.',
  *run(o) {
    const where = at(o.service.endpoint);
    const exposed = o.resources.filter((r) => r.exposed);
    for (const r of exposed) {
      yield {
        result: 'fail',
        location: where,
        severity: r.entry.severity,
        message: `GET ${r.path} returned ${r.bytes} bytes without authentication: ${r.entry.title} (${r.entry.kind})`,
        evidence: `catalog entry ${r.entry.id}${r.contentFormat !== undefined ? `, content format ${r.contentFormat}` : ''}\n${redactSecrets(r.excerpt)}`,
      };
    }
    const judged = o.resources.filter((r) => !r.problem || r.code !== undefined);
    if (exposed.length === 0 && judged.length > 0) {
      const answers = judged
        .map((r) => `${r.path} → ${r.reset ? 'RST' : r.code !== undefined ? codeText(r.code) : 'no answer'}`)
        .join(', ');
      const catchAll =
        o.randomPathCode === COAP_CODE.content ? ' (the device answers 2.05 to a random path too; answers were compared with it)' : '';
      yield {
        result: 'pass',
        location: where,
        message: `none of the ${plural(judged.length, 'listed resource')} that look sensitive returned content without authentication: ${answers}${catchAll}`,
      };
    }
  },
};

export const coapSummaryCheck: Check<CoapObservation> = {
  id: 'probe/coap/summary',
  title: 'What the CoAP probe saw',
  provisions: ['5.6-1'],
  severity: 'info',
  rationale:
    'Each network service is an interface the manufacturer has to justify and secure; this records what the CoAP service showed and how the probe got it.',
  remediation: 'Switch off CoAP services the product does not need in use.',
  *run(o) {
    const { host, port } = o.service.endpoint;
    const parts: string[] = [];
    const d = o.discovery;
    if (d) {
      parts.push(`GET /.well-known/core → ${discoveryText(d)}`);
      if (d.code === COAP_CODE.content) parts.push(`${plural(d.links.length + d.moreLinks, 'resource')} listed`);
      if (d.truncated) parts.push(`resource list read in part (${d.truncated})`);
    } else {
      parts.push(o.incomplete[0]?.reason ?? 'no answer to GET /.well-known/core');
      if (o.pong !== undefined) parts.push(o.pong ? 'a CoAP ping was answered' : 'a CoAP ping went unanswered too');
    }
    if (o.resources.length > 0) {
      parts.push(
        `${plural(o.resources.length, 'sensitive-looking resource')} fetched, ${o.resources.filter((r) => r.exposed).length} served without authentication`,
      );
    }
    if (o.notFetched.length > 0) parts.push(`${o.notFetched.length} more not fetched (${o.notFetched.slice(0, 5).join(', ')})`);
    parts.push(`${plural(o.transmissions, 'datagram')} sent in ${o.elapsedMs} ms`);
    if (o.ignored > 0) parts.push(`${plural(o.ignored, 'datagram')} ignored (not CoAP, or not matching a request)`);
    if (o.oversized > 0) parts.push(`${plural(o.oversized, 'oversized datagram')} dropped`);
    const evidence = o.resources
      .map(
        (r) =>
          `${r.path} (${r.entry.id}): ${r.reset ? 'RST' : r.code !== undefined ? codeText(r.code) : 'no answer'}, ${r.bytes} bytes${r.problem ? `, ${r.problem}` : ''}`,
      )
      .join('\n');
    yield {
      result: 'info',
      location: at(o.service.endpoint),
      message: `CoAP on ${endpointText(host, port)} over UDP: ${parts.join('; ')}`,
      ...(evidence ? { evidence } : {}),
    };
  },
};

/** Every CoAP check, in report order (the summary last). */
export const COAP_CHECKS: Check<CoapObservation>[] = [
  coapPlaintextCheck,
  coapDiscoveryCheck,
  coapUnauthenticatedResourceCheck,
  coapSummaryCheck,
];
