// `baseline probe`: the live device, over the network. For each target the user named: connect to the
// ports (the user's, or the common IoT ports kept as data), identify each open service by what it says,
// hand it to its protocol's prober (TLS, SSH, HTTP, MQTT, telnet, FTP, RTSP), look for the disclosure policy,
// and gather everything into the shared findings format that `baseline assess --evidence` reads. On a
// target named without a port, the UDP ports (CoAP, DTLS) are asked as well, beside the TCP scan.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { runCheck } from '../check.ts';
import { FINDINGS_FORMAT, type Finding, type Results } from '../../findings/schema.ts';
import { InputError } from '../../io/input-error.ts';
import type { DefaultCredentials, ProductIdentity } from '../firmware/accounts/default-credentials.ts';
import { type Endpoint, ProbeError } from './connection.ts';
import { type Identification, identifyService, type IdentifyDetectors } from './identify.ts';
import type { UdpIdentification } from './identify-udp.ts';
import type { ProbeLimits } from './limits.ts';
import { openPorts, scanPorts } from './port-scan.ts';
import { createProbeContext, type ProbeContext } from './probe-context.ts';
import { loadKnownPorts, loadKnownUdpPorts } from './ports.ts';
import { loginAttemptsCheck, openServicesCheck, riskyPortCheck } from './service-checks.ts';
import type { ProbeOutcome, ServiceProber, ServiceProtocol } from './service.ts';
import { endpointText, type Target } from './target.ts';

export interface DisclosureInput {
  /** The device's web interfaces found by the probe. */
  webEndpoints: { endpoint: Endpoint; tls: boolean }[];
  /** URLs the product file names for its policy (securityTxt, policyUrl). */
  productUrls: { securityTxt?: string; policyUrl?: string };
  /** The product file's contact and timescale claims, compared with what is published. */
  claims?: { contact?: string; acknowledgement?: string; statusUpdates?: string };
  /** A name for a device host (by address): the target's host name when the user gave one. */
  hostNames?: Map<string, string>;
}

export interface UdpToolkit {
  /** What answers on one UDP port: CoAP, DTLS, ICMP unreachable or nothing. */
  identify(context: ProbeContext, endpoint: Endpoint): Promise<UdpIdentification>;
  coap?: ServiceProber;
  dtls?: ServiceProber;
}

export interface ProbeToolkit {
  detectors: IdentifyDetectors;
  /** The UDP side (CoAP and DTLS); without it the probe is TCP only. */
  udp?: UdpToolkit;
  /** The prober of each application protocol. */
  probers: Partial<Record<ServiceProtocol, ServiceProber>>;
  /** Runs on every port that speaks TLS, before the protocol inside. */
  tls?: ServiceProber;
  disclosure?: (context: ProbeContext, input: DisclosureInput) => Promise<ProbeOutcome>;
}

export interface ProbeOptions {
  targets: Target[];
  /** Ports to try on targets named without one (default: catalog/probe/ports.yaml). */
  ports?: number[];
  /** UDP ports to ask on targets named without one (default: the `udp` list of catalog/probe/ports.yaml; [] for none). */
  udpPorts?: number[];
  limits: ProbeLimits;
  login: boolean;
  credentials: DefaultCredentials;
  product?: ProductIdentity;
  productUrls?: DisclosureInput['productUrls'];
  claims?: DisclosureInput['claims'];
  tool: { name: string; version: string };
  progress?: (line: string) => void;
  signal?: AbortSignal;
}

const RESOLVE_TIMEOUT_MS = 5000;

/** A host name that does not resolve is a mistake in the command, said before any traffic. */
async function checkResolves(target: Target): Promise<void> {
  if (isIP(target.host) !== 0) return;
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new InputError(`target "${target.text}": no answer resolving ${target.host} within ${RESOLVE_TIMEOUT_MS} ms`)),
      RESOLVE_TIMEOUT_MS,
    ).unref(),
  );
  try {
    await Promise.race([lookup(target.host), timeout]);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `target "${target.text}": ${target.host} does not resolve (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/** Runs one prober into `into`; returns the prober's note on the service, if it gave one. */
async function runProber(
  prober: ServiceProber | undefined,
  identification: Identification,
  context: ProbeContext,
  into: ProbeOutcome,
  what: string,
): Promise<string | undefined> {
  if (!prober) return undefined;
  const { endpoint } = identification.service;
  context.progress(`${endpointText(endpoint.host, endpoint.port)}: ${what}`);
  try {
    const outcome = await prober(identification.service, context);
    into.findings.push(...outcome.findings);
    into.incomplete.push(...outcome.incomplete);
    return outcome.note;
  } catch (error) {
    // A prober that trips over a device must not take the rest of the probe with it; say what was lost.
    into.incomplete.push({
      part: `${endpointText(endpoint.host, endpoint.port)} ${what}`,
      reason: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
}

/** Asks each UDP port whether it speaks CoAP or DTLS. */
async function identifyUdpPorts(context: ProbeContext, target: Target, ports: number[], udp: UdpToolkit): Promise<UdpIdentification[]> {
  context.progress(`${target.text}: asking ${ports.length} UDP port${ports.length === 1 ? '' : 's'} for CoAP and DTLS`);
  const answers = await Promise.all(
    ports.map(async (port): Promise<UdpIdentification> => {
      const endpoint: Endpoint = { host: target.host, port, transport: 'udp' };
      try {
        return await udp.identify(context, endpoint);
      } catch (error) {
        // Like TCP identification, an aborted or failed question leaves the port unanswered, not the run broken.
        if (error instanceof ProbeError) return { endpoint, state: 'silent' };
        throw error;
      }
    }),
  );
  const answered = answers.filter((a) => a.identification);
  context.progress(
    `${target.text}: UDP ${answered.length > 0 ? answered.map((a) => `${a.endpoint.port} (${a.state === 'coap' ? 'CoAP' : 'DTLS'})`).join(', ') : 'no answer'}`,
  );
  return answers;
}

/** Probes the UDP services that answered, then reports them as open (with what the probers saw). */
async function probeUdpServices(
  context: ProbeContext,
  target: Target,
  answers: UdpIdentification[],
  udp: UdpToolkit,
  outcome: ProbeOutcome,
): Promise<void> {
  const identified = answers.flatMap((a) => (a.identification ? [a.identification] : []));
  await Promise.all(
    identified.map(async (identification) => {
      const coap = identification.service.protocol === 'coap' && !identification.service.tls;
      const note = await runProber(coap ? udp.coap : udp.dtls, identification, context, outcome, coap ? 'CoAP (UDP)' : 'DTLS (UDP)');
      if (note) identification.note = note;
    }),
  );
  const exposed = { host: target.host, portsTried: answers.length, identified, transport: 'udp' as const };
  outcome.findings.push(...runCheck(openServicesCheck, exposed), ...runCheck(riskyPortCheck, exposed));
}

export async function probe(options: ProbeOptions, toolkit: ProbeToolkit): Promise<Results> {
  for (const target of options.targets) await checkResolves(target);
  const context = createProbeContext({
    limits: options.limits,
    login: options.login,
    credentials: options.credentials,
    ...(options.product ? { product: options.product } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  const defaultPorts = options.ports ?? loadKnownPorts().map((p) => p.port);
  const defaultUdpPorts = options.udpPorts ?? loadKnownUdpPorts().map((p) => p.port);
  const outcome: ProbeOutcome = { findings: [], incomplete: [] };
  const webEndpoints: DisclosureInput['webEndpoints'] = [];
  const hosts = new Set<string>();

  for (const target of options.targets) {
    hosts.add(target.host);
    const ports = target.port !== undefined ? [target.port] : defaultPorts;
    // A target named with a port is that one TCP port only.
    const udpPorts = toolkit.udp && target.port === undefined ? defaultUdpPorts : [];
    context.progress(`${target.text}: connecting to ${ports.length} TCP port${ports.length === 1 ? '' : 's'}`);
    const [scan, udpAnswers] = await Promise.all([
      scanPorts(context, target.host, ports),
      toolkit.udp && udpPorts.length > 0 ? identifyUdpPorts(context, target, udpPorts, toolkit.udp) : Promise.resolve([]),
    ]);
    const open = openPorts(scan);
    context.progress(`${target.text}: ${open.length} open${open.length ? ` (${open.join(', ')})` : ''}`);
    if (open.length === 0 && [...scan.states.values()].every((s) => s === 'unreachable' || s === 'filtered')) {
      outcome.incomplete.push({
        part: target.text,
        reason: `no answer from any of ${ports.length} ports (host down, filtered or unreachable)`,
      });
    }
    const identified = await Promise.all(open.map((port) => identifyService(context, { host: target.host, port }, toolkit.detectors)));
    const exposed = { host: target.host, portsTried: ports.length, identified };
    outcome.findings.push(...runCheck(openServicesCheck, exposed), ...runCheck(riskyPortCheck, exposed));

    await Promise.all(
      identified.map(async (identification) => {
        const { service } = identification;
        if (service.tls) await runProber(toolkit.tls, identification, context, outcome, 'TLS');
        if (service.protocol === 'http') webEndpoints.push({ endpoint: service.endpoint, tls: service.tls });
        await runProber(toolkit.probers[service.protocol], identification, context, outcome, service.protocol);
      }),
    );
    if (toolkit.udp && udpPorts.length > 0) await probeUdpServices(context, target, udpAnswers, toolkit.udp, outcome);
  }

  if (toolkit.disclosure && (webEndpoints.length > 0 || options.productUrls?.securityTxt || options.productUrls?.policyUrl)) {
    context.progress('vulnerability disclosure policy');
    try {
      const disclosure = await toolkit.disclosure(context, {
        webEndpoints,
        productUrls: options.productUrls ?? {},
        ...(options.claims ? { claims: options.claims } : {}),
      });
      outcome.findings.push(...disclosure.findings);
      outcome.incomplete.push(...disclosure.incomplete);
    } catch (error) {
      outcome.incomplete.push({ part: 'disclosure policy', reason: error instanceof Error ? error.message : String(error) });
    }
  }
  for (const host of hosts) {
    outcome.findings.push(...runCheck(loginAttemptsCheck, { host, attempts: context.attempts, loginsAllowed: options.login }));
  }
  return {
    format: FINDINGS_FORMAT,
    tool: options.tool.name,
    version: options.tool.version,
    target: options.targets.map((t) => t.text).join(' '),
    generatedAt: new Date().toISOString(),
    findings: sortFindings(outcome.findings),
    incomplete: outcome.incomplete,
  };
}

/** Stable order for reading and diffing: by host, port, then check id. */
function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (a.location.host ?? '').localeCompare(b.location.host ?? '') ||
      (a.location.port ?? 0) - (b.location.port ?? 0) ||
      a.check.localeCompare(b.check),
  );
}
