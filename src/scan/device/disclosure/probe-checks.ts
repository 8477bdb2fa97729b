// Checks on how the disclosure policy is served: whether the device (or the product file's URLs) gives
// one at all, where, over what, and as what. Pure functions of the observation the prober gathered.
import type { Check, FindingDraft } from '../../check.ts';
import { at } from '../service.ts';
import { endpointText } from '../target.ts';
import type { FetchedDocument } from './fetch-document.ts';
import { DISCLOSURE_PROVISIONS, type Place } from './security-txt-checks.ts';

export const WELL_KNOWN_PATH = '/.well-known/security.txt';
export const LEGACY_PATH = '/security.txt';

/** What one web endpoint of the device answered for security.txt. */
export interface EndpointAnswer {
  wellKnown: FetchedDocument;
  /** Asked only when the well-known path gave no security.txt. */
  legacy?: FetchedDocument;
}

/** A security.txt that was read, where from. */
export interface FoundSecurityTxt {
  doc: FetchedDocument;
  source: 'device' | 'product';
  legacy: boolean;
}

export interface DisclosureObservation {
  endpoints: EndpointAnswer[];
  /** The product file's URLs and what they answered. */
  productDocs: { field: 'securityTxt' | 'policyUrl'; doc: FetchedDocument }[];
  /** Product URLs that could not even be asked (not a web URL). */
  productUrlProblems: { field: 'securityTxt' | 'policyUrl'; url: string; reason: string }[];
  found: FoundSecurityTxt[];
  /** Policy documents read for the timescales. */
  policies: FetchedDocument[];
  /** Where a finding about the device as a whole goes. */
  place: Place;
}

/** What a fetch came back with, in a few words. */
export function answerText(doc: FetchedDocument): string {
  if (doc.error) return `no answer (${doc.error})`;
  if (doc.redirect) return `a redirect (HTTP ${doc.status}) to ${doc.redirect.slice(0, 200)}, not followed`;
  return `HTTP ${doc.status}`;
}

export const policyFoundCheck: Check<DisclosureObservation> = {
  id: 'probe/disclosure/policy-found',
  title: 'A vulnerability disclosure policy can be found',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'medium',
  rationale:
    'The policy has to be public for anyone to report a vulnerability. RFC 9116 puts a pointer to it at /.well-known/security.txt; without that, or a policy URL in the product file, nobody can find where to report.',
  remediation:
    'Serve /.well-known/security.txt from the device web interface or the product website, and name it (securityTxt) and the policy (policyUrl) in the product file.',
  *run(observation) {
    const read = [...observation.found.map((f) => f.doc.url), ...observation.policies.map((p) => p.url)];
    if (read.length > 0) {
      yield { result: 'pass', location: observation.place, message: `disclosure policy found: ${[...new Set(read)].join(', ')}` };
      return;
    }
    const asked = [
      ...observation.endpoints.flatMap((e) => [e.wellKnown, ...(e.legacy ? [e.legacy] : [])]),
      ...observation.productDocs.map((p) => p.doc),
    ].map((doc) => `${doc.url} (${answerText(doc)})`);
    const product =
      observation.productDocs.length || observation.productUrlProblems.length ? '' : '; the product file names no securityTxt or policyUrl';
    yield {
      result: 'fail',
      location: observation.place,
      message: `no vulnerability disclosure policy found on the device${asked.length ? `: asked ${asked.join(', ')}` : ''}${product}`,
    };
  },
};

function endpointPlace(doc: FetchedDocument): { host: string; port: number } {
  return at(doc.endpoint);
}

export const wellKnownLocationCheck: Check<DisclosureObservation> = {
  id: 'probe/disclosure/well-known-location',
  title: 'security.txt is at /.well-known/security.txt',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'low',
  rationale:
    'RFC 9116 requires web services to publish security.txt under /.well-known/; the top-level /security.txt is only a fallback or a redirect, and readers look in the well-known place first.',
  remediation: 'Serve the file at /.well-known/security.txt (the top-level path may redirect there).',
  *run(observation) {
    for (const { wellKnown, legacy } of observation.endpoints) {
      const where = endpointText(wellKnown.endpoint.host, wellKnown.endpoint.port);
      const wellFound = observation.found.some((f) => f.doc === wellKnown);
      const legacyFound = legacy !== undefined && observation.found.some((f) => f.doc === legacy);
      let draft: Omit<FindingDraft, 'location'>;
      if (wellFound) draft = { result: 'pass', message: `security.txt served at ${wellKnown.url}` };
      else if (legacyFound) {
        draft = {
          result: 'fail',
          message: `security.txt served only at the legacy ${legacy.url} (${WELL_KNOWN_PATH} gave ${answerText(wellKnown)}); RFC 9116 places it under /.well-known/`,
        };
      } else {
        const answers = [wellKnown, ...(legacy ? [legacy] : [])].map(
          (d) => `${new URL(d.url).pathname}: ${answerText(d)}${d.status === 200 ? ' with a page that is not a security.txt' : ''}`,
        );
        draft = { result: 'info', message: `no security.txt on ${where} (${answers.join('; ')})` };
      }
      yield { ...draft, location: endpointPlace(wellKnown) };
    }
  },
};

export const productUrlCheck: Check<DisclosureObservation> = {
  id: 'probe/disclosure/product-url',
  title: "The product file's disclosure URLs answer",
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'medium',
  rationale:
    'The product file says where the security.txt and the policy are published; a link that is broken, or that redirects elsewhere, means the published policy is not where the maker says it is.',
  remediation: 'Publish the documents at the URLs the product file names, or correct the URLs in the product file.',
  *run(observation) {
    for (const problem of observation.productUrlProblems) {
      yield {
        result: 'fail',
        location: observation.place,
        message: `the product file's ${problem.field} "${problem.url}" cannot be fetched: ${problem.reason}`,
      };
    }
    for (const { field, doc } of observation.productDocs) {
      if (doc.error) continue; // no answer at all is an incomplete part, not a verdict on the URL
      if (doc.status === 200 && !doc.redirect) {
        const isText = field === 'policyUrl' || observation.found.some((f) => f.doc === doc);
        yield isText
          ? { result: 'pass', location: endpointPlace(doc), message: `the product file's ${field} ${doc.url} answers HTTP 200` }
          : {
              result: 'fail',
              location: endpointPlace(doc),
              message: `the product file's ${field} ${doc.url} answers with an HTML page, not a security.txt`,
            };
      } else {
        yield {
          result: 'fail',
          location: endpointPlace(doc),
          message: `the product file's ${field} ${doc.url} answered ${answerText(doc)}`,
        };
      }
    }
  },
};

export const httpsCheck: Check<DisclosureObservation> = {
  id: 'probe/disclosure/https',
  title: 'security.txt is served over HTTPS',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'low',
  rationale:
    'RFC 9116 requires security.txt to be served over HTTPS, so that nobody on the network path can swap the contact for their own.',
  remediation: 'Serve the file over HTTPS, and redirect the plain-HTTP URL to it.',
  *run(observation) {
    for (const { doc } of observation.found) {
      yield doc.tls
        ? { result: 'pass', location: endpointPlace(doc), message: `${doc.url} is served over HTTPS` }
        : { result: 'fail', location: endpointPlace(doc), message: `${doc.url} is served over plain HTTP; RFC 9116 requires HTTPS` };
    }
  },
};

export const contentTypeCheck: Check<DisclosureObservation> = {
  id: 'probe/disclosure/content-type',
  title: 'security.txt is served as text/plain; charset=utf-8',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'low',
  rationale: 'RFC 9116 requires the media type text/plain with the charset parameter set to utf-8, so readers decode the file as written.',
  remediation: 'Configure the web server to send "Content-Type: text/plain; charset=utf-8" for security.txt.',
  *run(observation) {
    for (const { doc } of observation.found) {
      const type = doc.contentType ?? '';
      const media = type.split(';')[0]?.trim().toLowerCase() ?? '';
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
      const shown = type ? `"${type.slice(0, 120)}"` : 'no Content-Type';
      if (media === 'text/plain' && charset === 'utf-8') {
        yield { result: 'pass', location: endpointPlace(doc), message: `${doc.url} is served as ${shown}` };
      } else {
        yield {
          result: 'fail',
          location: endpointPlace(doc),
          message: `${doc.url} is served with ${shown}; RFC 9116 requires "text/plain; charset=utf-8"`,
        };
      }
    }
  },
};

export const PROBE_DISCLOSURE_CHECKS: Check<DisclosureObservation>[] = [
  policyFoundCheck,
  wellKnownLocationCheck,
  productUrlCheck,
  httpsCheck,
  contentTypeCheck,
];
