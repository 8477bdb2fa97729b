// The live probe's look for the vulnerability disclosure policy (EN 303 645 5.2-1, PSTI Schedule 1
// paragraph 2): security.txt from each web endpoint of the device and from the product file's URL, the
// policy documents they name, all checked as `baseline check security-txt` checks a file. Only the
// device's hosts and the hosts the product file names are ever contacted.
import { runCheck } from '../../check.ts';
import type { Finding } from '../../../findings/schema.ts';
import type { Endpoint } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import type { ProbeOutcome } from '../service.ts';
import type { DisclosureClaims } from './check-security-txt-file.ts';
import { endpointUrl, fetchDocument, type FetchedDocument, isHtmlPage, urlTarget, type UrlTarget } from './fetch-document.ts';
import { POLICY_CHECKS, type PolicySubject, type PolicyText } from './policy-checks.ts';
import { policyLines, type TimescaleKind } from './policy-timescales.ts';
import {
  answerText,
  type DisclosureObservation,
  type EndpointAnswer,
  type FoundSecurityTxt,
  LEGACY_PATH,
  PROBE_DISCLOSURE_CHECKS,
  WELL_KNOWN_PATH,
} from './probe-checks.ts';
import { type Place, policyUrls, SECURITY_TXT_CHECKS } from './security-txt-checks.ts';
import { parseSecurityTxt, SECURITY_TXT_MAX_BYTES } from './security-txt.ts';

export interface DisclosureProbeInput {
  /** The device's web interfaces found by the probe. */
  webEndpoints: { endpoint: Endpoint; tls: boolean }[];
  /** URLs the product file names (vulnerabilityDisclosure.securityTxt and .policyUrl). */
  productUrls: { securityTxt?: string; policyUrl?: string };
  /** The product file's contact and timescale claims, compared with what is published. */
  claims?: DisclosureClaims;
  /** A name for a device host (by address), sent as Host and used in URLs: a Canonical field names the device that way. */
  hostNames?: Map<string, string>;
  /** "Now" for Expires; defaults to the current time. */
  asOf?: Date;
}

const MAX_POLICY_BYTES = 256 * 1024;
/** Policy documents read at most: a hostile security.txt could name hundreds. */
const MAX_POLICY_FETCHES = 4;

function fetchSecurityTxt(context: ProbeContext, target: UrlTarget): Promise<FetchedDocument> {
  // One byte past the bound is enough to tell a file is too large.
  return fetchDocument(context, target, SECURITY_TXT_MAX_BYTES + 1);
}

/** A 200 answer that is a text file, not the device's web UI answering every path. */
function servesText(doc: FetchedDocument): boolean {
  return doc.status === 200 && !doc.redirect && doc.body !== undefined && !isHtmlPage(doc.body);
}

const RFC_9116_FIELD =
  /^(-----BEGIN PGP SIGNED MESSAGE-----|(contact|expires|encryption|acknowledgments|preferred-languages|canonical|policy|hiring|csaf)\s*:)/im;

/**
 * On the device's own paths, a text answer only counts as a security.txt when it has at least one of the
 * RFC's fields: many web servers answer every path with the same short text, which is not a policy.
 * A URL the product file names is taken at its word and validated whatever it holds.
 */
function servesSecurityTxt(doc: FetchedDocument): boolean {
  return servesText(doc) && RFC_9116_FIELD.test((doc.body ?? Buffer.alloc(0)).subarray(0, 64 * 1024).toString('utf8'));
}

/** A host name fit for a URL and a Host header; anything else falls back to the address. */
function usableHostName(name: string | undefined): string | undefined {
  if (name === undefined || !/^[a-z0-9_]([a-z0-9_.-]{0,252})$/i.test(name)) return undefined;
  return name;
}

function placeOf(doc: FetchedDocument): Place {
  return { host: doc.endpoint.host, port: doc.endpoint.port };
}

export async function probeDisclosure(context: ProbeContext, input: DisclosureProbeInput): Promise<ProbeOutcome> {
  const incomplete: ProbeOutcome['incomplete'] = [];
  const noteFailure = (doc: FetchedDocument, what: string) => {
    if (doc.error) incomplete.push({ part: `${what} ${doc.url}`, reason: doc.error });
  };
  const observation: DisclosureObservation = {
    endpoints: [],
    productDocs: [],
    productUrlProblems: [],
    found: [],
    policies: [],
    place: { host: '', port: 0 },
  };

  for (const { endpoint, tls } of input.webEndpoints) {
    const hostName = usableHostName(input.hostNames?.get(endpoint.host));
    const targetFor = (path: string): UrlTarget => ({
      url: endpointUrl(endpoint, tls, path, hostName),
      endpoint,
      tls,
      path,
      hostHeader: new URL(endpointUrl(endpoint, tls, '/', hostName)).host,
    });
    const wellKnown = await fetchSecurityTxt(context, targetFor(WELL_KNOWN_PATH));
    noteFailure(wellKnown, 'security.txt');
    const answer: EndpointAnswer = { wellKnown };
    if (servesSecurityTxt(wellKnown)) observation.found.push({ doc: wellKnown, source: 'device', legacy: false });
    else if (!wellKnown.error) {
      // The RFC's fallback: some servers still publish at the top level.
      answer.legacy = await fetchSecurityTxt(context, targetFor(LEGACY_PATH));
      noteFailure(answer.legacy, 'security.txt');
      if (servesSecurityTxt(answer.legacy)) observation.found.push({ doc: answer.legacy, source: 'device', legacy: true });
    }
    observation.endpoints.push(answer);
  }

  const productTarget = (field: 'securityTxt' | 'policyUrl'): UrlTarget | undefined => {
    const url = input.productUrls[field];
    if (!url) return undefined;
    const target = urlTarget(url);
    if ('error' in target) {
      observation.productUrlProblems.push({ field, url, reason: target.error });
      return undefined;
    }
    return target;
  };
  const securityTxtTarget = productTarget('securityTxt');
  if (securityTxtTarget) {
    const doc = await fetchSecurityTxt(context, securityTxtTarget);
    noteFailure(doc, "the product file's securityTxt");
    observation.productDocs.push({ field: 'securityTxt', doc });
    if (servesText(doc)) observation.found.push({ doc, source: 'product', legacy: false });
  }

  // Policy documents: the product file's, then those the security.txt files name, on hosts already in play.
  const policyUrlTarget = productTarget('policyUrl');
  const allowedHosts = new Set<string>(
    [
      ...input.webEndpoints.flatMap((w) => [w.endpoint.host, usableHostName(input.hostNames?.get(w.endpoint.host)) ?? w.endpoint.host]),
      ...[securityTxtTarget, policyUrlTarget].flatMap((t) => (t ? [t.endpoint.host] : [])),
    ].map((h) => h.toLowerCase()),
  );
  const unread: PolicySubject['unread'] = [];
  const policyTargets: { target: UrlTarget; fromProduct: boolean }[] = [];
  if (policyUrlTarget) policyTargets.push({ target: policyUrlTarget, fromProduct: true });
  for (const found of observation.found) {
    for (const url of policyUrls(parseSecurityTxt(found.doc.body ?? Buffer.alloc(0)))) {
      const target = urlTarget(url);
      if ('error' in target || policyTargets.some((p) => p.target.url === target.url)) continue;
      if (!allowedHosts.has(target.endpoint.host.toLowerCase())) {
        unread.push({
          name: url,
          reason: `on ${target.endpoint.host}, which the probe does not contact; name it as policyUrl in the product file`,
        });
        continue;
      }
      policyTargets.push({ target, fromProduct: false });
    }
  }
  for (const [index, { target, fromProduct }] of policyTargets.entries()) {
    if (index >= MAX_POLICY_FETCHES) {
      unread.push({ name: target.url, reason: `more than ${MAX_POLICY_FETCHES} policy documents named` });
      continue;
    }
    const doc = await fetchDocument(context, target, MAX_POLICY_BYTES);
    noteFailure(doc, 'disclosure policy');
    if (fromProduct) observation.productDocs.push({ field: 'policyUrl', doc });
    if (doc.status === 200 && !doc.redirect && doc.body) observation.policies.push(doc);
    else unread.push({ name: target.url, reason: answerText(doc) });
  }

  const first =
    observation.found[0]?.doc ?? observation.policies[0] ?? observation.endpoints[0]?.wellKnown ?? observation.productDocs[0]?.doc;
  if (!first) {
    const problems = observation.productUrlProblems.map((p) => `; ${p.field} "${p.url}": ${p.reason}`).join('');
    incomplete.push({
      part: 'disclosure policy',
      reason: `no web endpoint on the device and no usable URL in the product file${problems}`,
    });
    return { findings: [], incomplete };
  }
  observation.place = placeOf(first);
  return { findings: judge(observation, input, unread), incomplete };
}

/** Every check over what was fetched: how it is served, each security.txt, and the timescales. */
function judge(observation: DisclosureObservation, input: DisclosureProbeInput, unread: PolicySubject['unread']): Finding[] {
  const findings = PROBE_DISCLOSURE_CHECKS.flatMap((check) => runCheck(check, observation));
  const asOf = input.asOf ?? new Date();
  const texts: PolicyText[] = observation.policies.map((doc) => ({
    name: doc.url,
    place: placeOf(doc),
    lines: policyLines((doc.body ?? Buffer.alloc(0)).toString('utf8'), doc.contentType),
  }));
  for (const found of observation.found) findings.push(...checkFound(found, input, asOf, texts));
  if (texts.length === 0) return findings;
  const claims: Partial<Record<TimescaleKind, string>> = {
    ...(input.claims?.acknowledgement ? { acknowledgement: input.claims.acknowledgement } : {}),
    ...(input.claims?.statusUpdates ? { statusUpdates: input.claims.statusUpdates } : {}),
  };
  const place = observation.place;
  const placeName = observation.found[0]?.doc.url ?? observation.policies[0]?.url ?? '';
  findings.push(...POLICY_CHECKS.flatMap((check) => runCheck(check, { texts, claims, unread, place, placeName })));
  return findings;
}

function checkFound({ doc }: FoundSecurityTxt, input: DisclosureProbeInput, asOf: Date, texts: PolicyText[]): Finding[] {
  const body = doc.body ?? Buffer.alloc(0);
  const parsed = parseSecurityTxt(body, doc.truncated ? Math.max(doc.declaredLength ?? 0, body.length) : body.length);
  const place = placeOf(doc);
  texts.push({ name: doc.url, place, lines: parsed.comments });
  return SECURITY_TXT_CHECKS.flatMap((check) =>
    runCheck(check, {
      name: doc.url,
      place,
      parsed,
      asOf,
      fetchedFrom: doc.url,
      ...(input.claims?.contact ? { claimedContact: input.claims.contact } : {}),
    }),
  );
}
