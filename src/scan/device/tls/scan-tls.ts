// Measures what a TLS port accepts, one raw ClientHello per connection: which protocol versions, which
// cipher suites with each (offer the lot, note the server's choice, take it out, offer the rest again, until
// the server refuses), the certificate chain and the key exchange groups. Every connection goes through the
// probe's gate and counts against a per-port budget of handshakes; whatever the budget or a misbehaving
// server left unknown is said in `incomplete`. The DTLS prober runs the same enumeration (scanHandshakes)
// with its own handshake over UDP.
import { SEVERITY_ORDER } from '../../../findings/schema.ts';
import { type Endpoint, ProbeError } from '../connection.ts';
import type { ProbeContext } from '../probe-context.ts';
import { endpointText } from '../target.ts';
import { openTlsSocket } from '../tls-socket.ts';
import { buildClientHello, NAMED_GROUPS } from './client-hello.ts';
import { type CipherSuiteEntry, loadCipherSuites, suiteFacts, suitesForVersion } from './cipher-suites.ts';
import { type CertificateInfo, describeCertificate, type HostMatch, matchHost, parseCertificate } from './certificate.ts';
import { attemptHandshake, type HandshakeOffer, type HandshakeOutcome } from './handshake.ts';
import type { CertificateObservation, TlsObservation, VersionObservation } from './observation.ts';
import { checkRecordHeader, CONTENT_TYPE, hex4, TlsParseError } from './records.ts';
import { TLS_VERSIONS, type TlsVersion, versionLabel, versionRank } from './versions.ts';

export const DEFAULT_MAX_HANDSHAKES = 80;
/** One handshake per version, and one to read a certificate when the raw handshakes did not show it. */
const MIN_HANDSHAKES = TLS_VERSIONS.length + 1;
/** The TLS versions asked about, highest first. */
const TLS_VERSIONS_DOWN: TlsVersion[] = [...TLS_VERSIONS].reverse();
/** Handshakes that fail in a row (silence, garbage) before the port is given up. */
const MAX_CONSECUTIVE_FAILURES = 2;

export interface TlsScanOptions {
  /** Most handshakes made on this port in all (default 80; at least 6). */
  maxHandshakes?: number;
}

interface VersionState extends VersionObservation {
  remaining: number[];
  tries: number;
  stopped: boolean;
}

/** Weak suites first: a server that follows the client's order then shows them before any budget runs out. */
export function offerOrder(suites: CipherSuiteEntry[]): number[] {
  const registry = loadCipherSuites();
  const weight = (s: CipherSuiteEntry) => {
    const worst = Math.max(
      -1,
      ...s.legacy
        .filter((k) => registry.weaknesses.get(k)?.perSuite)
        .map((k) => SEVERITY_ORDER.indexOf(registry.weaknesses.get(k)!.severity)),
    );
    return worst * 4 + (s.forwardSecrecy ? 0 : 2) + (s.aead ? 0 : 1);
  };
  return suites
    .map((s, index) => ({ s, index, w: weight(s) }))
    .sort((a, b) => b.w - a.w || a.index - b.index)
    .map(({ s }) => s.value);
}

function certificateChain(ders: Buffer[], hostName: string): { chain: CertificateInfo[]; hostMatch: HostMatch } | { problem: string } {
  try {
    const certificates = ders.map((der) => parseCertificate(der));
    return { chain: certificates.map(describeCertificate), hostMatch: matchHost(certificates[0]!, hostName) };
  } catch (error) {
    return { problem: `the server's certificate could not be parsed: ${(error as Error).message}` };
  }
}

/** The chain through node's TLS (the only way to see it when the server speaks nothing older than TLS 1.3). */
async function certificateOverTls(context: ProbeContext, endpoint: Endpoint): Promise<Buffer[]> {
  const socket = await openTlsSocket(context, endpoint);
  try {
    const ders: Buffer[] = [];
    let cert = socket.getPeerCertificate(true);
    while (cert && cert.raw && ders.length < 16) {
      ders.push(cert.raw);
      const next = cert.issuerCertificate;
      if (!next || next === cert || next.raw?.equals(cert.raw)) break;
      cert = next;
    }
    return ders;
  } finally {
    socket.destroy();
  }
}

/** What differs between scanning TLS over TCP and DTLS over UDP. */
export interface HandshakeScanSpec {
  protocol: 'TLS' | 'DTLS';
  /** The versions asked about, highest first (DTLS ones by the TLS version they are built on). */
  versions: readonly TlsVersion[];
  /** The suites a hello for `version` may offer. */
  suites(version: TlsVersion): CipherSuiteEntry[];
  /** One handshake attempt: a fresh connection or channel, one offer, the server's first flight. */
  attempt(offer: HandshakeOffer): Promise<HandshakeOutcome>;
  /** How a report names a version: "TLS 1.2", "DTLS 1.0". */
  label(version: TlsVersion): string;
  /** The certificate chain read another way when no raw handshake showed it (TLS 1.3-only servers). */
  certificateFallback?: () => Promise<Buffer[]>;
}

export async function scanTls(
  context: ProbeContext,
  endpoint: Endpoint,
  hostName?: string,
  options: TlsScanOptions = {},
): Promise<TlsObservation> {
  const name = hostName ?? endpoint.host;
  return scanHandshakes(context, endpoint, name, Math.max(MIN_HANDSHAKES, options.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES), {
    protocol: 'TLS',
    versions: TLS_VERSIONS_DOWN,
    suites: (version) => suitesForVersion(version),
    attempt: (offer) => attemptHandshake(context, endpoint, offer),
    label: versionLabel,
    certificateFallback: () => certificateOverTls(context, endpoint),
  });
}

/**
 * Every version once, then the suites of each accepted version by elimination, then the certificate, all
 * within `maxHandshakes`. Throws the first failure when no version could be told at all.
 */
export async function scanHandshakes(
  context: ProbeContext,
  endpoint: Endpoint,
  name: string,
  maxHandshakes: number,
  spec: HandshakeScanSpec,
): Promise<TlsObservation> {
  const registry = loadCipherSuites();
  const where = endpointText(endpoint.host, endpoint.port);
  const initial = (version: TlsVersion): VersionState => ({
    version,
    status: 'unknown',
    suites: [],
    complete: false,
    remaining: offerOrder(spec.suites(version)),
    tries: 0,
    stopped: false,
  });
  const states = new Map(spec.versions.map((version) => [version, initial(version)] as const));
  const incomplete: TlsObservation['incomplete'] = [];
  const dhPrimeBits = new Set<number>();
  const ecdhGroups = new Set<string>();
  let clientCertificateRequested = false;
  let certificate: CertificateObservation | undefined;
  let certificateProblem: string | undefined;
  let handshakes = 0;
  let consecutiveFailures = 0;
  let firstFailure: ProbeError | undefined;
  let givenUp: string | undefined;

  const budgetLeft = () => maxHandshakes - handshakes - (certificate ? 0 : 1);

  const record = (state: VersionState, outcome: HandshakeOutcome) => {
    const first = state.tries === 1;
    if (outcome.kind === 'failed') {
      consecutiveFailures++;
      firstFailure ??= outcome.error;
      if (first) state.detail = outcome.error.message;
      state.stopped = true;
      return;
    }
    consecutiveFailures = 0;
    if (outcome.kind === 'refused') {
      if (first) {
        state.status = 'refused';
        state.detail = outcome.reason;
      }
      state.complete = state.status === 'accepted';
      state.stopped = true;
      return;
    }
    const { hello } = outcome;
    if (hello.version === undefined || versionRank(hello.version) > versionRank(state.version)) {
      const said = hello.version ? spec.label(hello.version) : `unknown version 0x${hex4(hello.wireVersion)}`;
      state.detail = `answered a ${spec.label(state.version)} hello with ${said}`;
      state.stopped = true;
      return;
    }
    if (hello.version !== state.version) {
      // The server fell back to an older version: it does not speak the one asked for.
      if (first) {
        state.status = 'refused';
        state.detail = `answered with ${spec.label(hello.version)}`;
      }
      state.complete = state.status === 'accepted';
      state.stopped = true;
      return;
    }
    state.status = 'accepted';
    const facts = suiteFacts(hello.cipherSuite, registry);
    if (!state.suites.some((s) => s.code === facts.code)) state.suites.push(facts);
    const at = state.remaining.indexOf(hello.cipherSuite);
    if (at < 0) {
      state.detail = `chose ${facts.name}, which was not offered`;
      state.stopped = true;
    } else {
      state.remaining.splice(at, 1);
      if (state.remaining.length === 0) {
        state.complete = true;
        state.stopped = true;
      }
    }
    if (hello.keyShareGroup !== undefined) ecdhGroups.add(NAMED_GROUPS[hello.keyShareGroup] ?? `group ${hello.keyShareGroup}`);
    if (outcome.keyExchange?.kind === 'dh') dhPrimeBits.add(outcome.keyExchange.primeBits);
    if (outcome.keyExchange?.kind === 'ecdh') {
      ecdhGroups.add(NAMED_GROUPS[outcome.keyExchange.namedGroup] ?? `group ${outcome.keyExchange.namedGroup}`);
    }
    if (outcome.keyExchange?.kind === 'ecdh-explicit') ecdhGroups.add('explicit curve parameters');
    clientCertificateRequested ||= outcome.clientCertificateRequested;
    if (!certificate && outcome.certificates.length > 0) {
      const parsed = certificateChain(outcome.certificates, name);
      if ('problem' in parsed) certificateProblem = parsed.problem;
      else certificate = { source: 'handshake', ...parsed };
    } else if (!certificate && outcome.flightProblem && !hello.helloRetryRequest && hello.version !== 'TLSv1.3') {
      certificateProblem = `the rest of the server's first flight could not be read: ${outcome.flightProblem}`;
    }
  };

  const step = async (state: VersionState) => {
    handshakes++;
    state.tries++;
    const outcome = await spec.attempt({ versions: [state.version], suites: state.remaining, serverName: name });
    record(state, outcome);
    if (outcome.kind === 'failed' && outcome.error.kind === 'aborted') throw outcome.error;
    if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES)
      givenUp = `gave up after ${consecutiveFailures} failed handshakes in a row (${outcome.kind === 'failed' ? outcome.error.message : ''})`;
  };

  context.progress(`${where}: ${spec.protocol} versions and cipher suites (at most ${maxHandshakes} handshakes)`);
  // First every version once, so that the budget never hides a version; then the suites of each.
  for (const state of states.values()) {
    if (givenUp || context.signal.aborted) break;
    await step(state);
  }
  for (const state of states.values()) {
    while (!givenUp && !context.signal.aborted && state.status === 'accepted' && !state.stopped && budgetLeft() > 0) await step(state);
  }

  if (context.signal.aborted) throw new ProbeError('aborted', 'probe aborted');
  if (
    spec.certificateFallback &&
    !certificate &&
    !givenUp &&
    [...states.values()].some((s) => s.status === 'accepted') &&
    handshakes < maxHandshakes
  ) {
    handshakes++;
    try {
      const parsed = certificateChain(await spec.certificateFallback(), name);
      if ('problem' in parsed) certificateProblem = parsed.problem;
      else if (parsed.chain.length > 0) certificate = { source: 'tls-session', ...parsed };
    } catch (error) {
      if (!(error instanceof ProbeError) || error.kind === 'aborted') throw error;
      certificateProblem ??= `no TLS session could be made to read it: ${error.message}`;
    }
  }

  const versions: VersionObservation[] = [...states.values()].map(({ version, status, detail, suites, complete }) => ({
    version,
    status,
    ...(detail !== undefined ? { detail } : {}),
    suites,
    complete,
  }));
  if (versions.every((v) => v.status === 'unknown')) {
    throw firstFailure ?? new ProbeError('protocol', `no ${spec.protocol} handshake could be made`);
  }
  for (const v of versions) {
    const label = spec.label(v.version);
    if (v.status === 'unknown') incomplete.push({ part: `${where} ${label}`, reason: v.detail ?? givenUp ?? 'not tried' });
    else if (v.status === 'accepted' && !v.complete) {
      const why =
        givenUp ?? v.detail ?? (budgetLeft() <= 0 ? `the cap of ${maxHandshakes} handshakes on this port was reached` : 'stopped early');
      incomplete.push({ part: `${where} ${label} cipher suites`, reason: `${v.suites.length} found, the list may be longer: ${why}` });
    }
  }
  if (!versions.some((v) => v.status === 'accepted')) {
    const answers = [...new Set(versions.filter((v) => v.status === 'refused').map((v) => v.detail ?? 'refused'))];
    incomplete.push({ part: `${where} ${spec.protocol}`, reason: `the server refused every ClientHello (${answers.join('; ')})` });
  }
  // A DTLS server that only takes pre-shared keys has no certificate to show; that is no gap.
  const certificateSuites = versions.some((v) => v.suites.some((suite) => usesCertificate(suite.code)));
  if (!certificate && versions.some((v) => v.status === 'accepted') && (spec.protocol === 'TLS' || certificateSuites)) {
    incomplete.push({
      part: `${where} ${spec.protocol} certificate`,
      reason: certificateProblem ?? 'the server showed no certificate',
    });
  }
  return {
    ...(spec.protocol === 'DTLS' ? { protocol: 'DTLS' as const } : {}),
    endpoint,
    observedAt: new Date().toISOString(),
    versions,
    ...(certificate ? { certificate } : {}),
    keyExchange: { dhPrimeBits: [...dhPrimeBits].sort((a, b) => a - b), ecdhGroups: [...ecdhGroups] },
    clientCertificateRequested,
    handshakes,
    maxHandshakes,
    incomplete,
  };
}

/** True when a suite authenticates the server with a certificate (not a pre-shared key or nothing). */
export function usesCertificate(code: number): boolean {
  const entry = loadCipherSuites().byCode.get(code);
  return entry !== undefined && ['RSA', 'DSS', 'ECDSA', 'any'].includes(entry.authentication);
}

/**
 * One ClientHello offering every version and suite: true when the reply starts with a TLS handshake or
 * alert record. Says false for anything else (silence, a banner, a close), and never throws for what the
 * peer does; only an aborted probe rejects.
 */
export async function speaksTls(context: ProbeContext, endpoint: Endpoint): Promise<boolean> {
  const registry = loadCipherSuites();
  const suites = [...suitesForVersion('TLSv1.3', registry).map((s) => s.value), ...offerOrder(suitesForVersion('TLSv1.2', registry))];
  let connection;
  try {
    connection = await context.connect(endpoint);
    await connection.write(buildClientHello({ versions: ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1.0'], suites, serverName: endpoint.host }));
    const header = await connection.readBytes(5, context.limits.readTimeoutMs, 'a TLS record header');
    const { type } = checkRecordHeader(header);
    return type === CONTENT_TYPE.handshake || type === CONTENT_TYPE.alert;
  } catch (error) {
    if (error instanceof ProbeError && error.kind === 'aborted') throw error;
    if (error instanceof ProbeError || error instanceof TlsParseError) return false;
    throw error;
  } finally {
    connection?.close();
  }
}
