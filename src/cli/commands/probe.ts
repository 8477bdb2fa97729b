// `baseline probe TARGET...`: the running product over the network, tied to provisions.
import type { Command } from 'commander';
import { InputError } from '../../io/input-error.ts';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits } from '../../scan/device/limits.ts';
import { parsePortList, parseTarget } from '../../scan/device/target.ts';
import { addFindingsOutputOptions, countLine, emitResults, findingLines, type FindingsOutputOptions } from '../findings-output.ts';
import { VERSION } from '../version.ts';

interface ProbeCommandOptions extends FindingsOutputOptions {
  ports?: string;
  udpPorts?: string;
  udp: boolean;
  login: boolean;
  product?: string;
  connectTimeout: string;
  timeout: string;
  concurrency: string;
  rate: string;
  maxLogins: string;
  bruteForceAttempts: string;
  mqttListen: string;
  progress?: boolean;
}

function wholeNumber(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new InputError(`${flag}: expected a whole number of at least ${min}, got "${value}"`);
  return n;
}

export function registerProbe(program: Command): void {
  addFindingsOutputOptions(
    program
      .command('probe <targets...>')
      .description(
        'test the running product over the network: services, TLS, SSH, CoAP and DTLS, default credentials, brute-force protection, disclosure policy',
      )
      .option(
        '-p, --ports <list>',
        'ports to try on targets named without one, e.g. 22,80,8000-8010 (default: the common IoT ports in catalog/probe/ports.yaml)',
      )
      .option(
        '--udp-ports <list>',
        'UDP ports to ask (CoAP ping, DTLS ClientHello) on targets named without a port, same syntax as --ports, or "none" (default: 5683,5684 from catalog/probe/ports.yaml)',
      )
      .option('--no-udp', 'ask no UDP port (same as --udp-ports none)')
      .option('--no-login', 'never send a credential: skip default-credential and brute-force tests')
      .option(
        '--product <baseline.yaml>',
        'the product file: its name and model join the passwords tried, and its disclosure URLs are checked',
      )
      .option('--connect-timeout <ms>', 'time to open a TCP connection', String(DEFAULT_PROBE_LIMITS.connectTimeoutMs))
      .option(
        '--timeout <ms>',
        'time to wait for each reply (UDP requests are retransmitted within it)',
        String(DEFAULT_PROBE_LIMITS.readTimeoutMs),
      )
      .option('--concurrency <n>', 'most connections open at once', String(DEFAULT_PROBE_LIMITS.concurrency))
      .option('--rate <n>', 'most new connections per second to one host', String(DEFAULT_PROBE_LIMITS.connectionsPerSecond))
      .option('--max-logins <n>', 'most default-credential logins tried per service', String(DEFAULT_PROBE_LIMITS.maxLoginAttempts))
      .option(
        '--brute-force-attempts <n>',
        'deliberate failed logins per service to measure brute-force protection (0: none)',
        String(DEFAULT_PROBE_LIMITS.bruteForceAttempts),
      )
      .option(
        '--mqtt-listen <ms>',
        'how long to listen on MQTT # and $SYS/# when a session is accepted',
        String(DEFAULT_PROBE_LIMITS.mqttListenMs),
      )
      .option('--progress', 'print progress to standard error even when it is not a terminal'),
  )
    .addHelpText(
      'after',
      `
TARGET is a host name, an IP address, or host:port ([v6]:port) to probe that one TCP port only.
The probe touches only the targets named: there is no range or subnet syntax. It identifies every open
port by banner or handshake (SSH, TLS, HTTP, MQTT, telnet, FTP, RTSP) and, on targets named without a
port, asks the UDP ports (--udp-ports) for CoAP and DTLS; then:
  TLS     versions (SSLv3 to 1.3, by raw ClientHello), ciphers per version, certificate, Mozilla profile
  SSH     software and version, KEXINIT algorithms, host keys, authentication methods
  logins  the default credential list (catalog/credentials) over SSH, telnet, HTTP Basic/Digest, FTP, MQTT
  5.1-5   a bounded run of deliberate failures, timed, to see whether the device delays or locks out
  MQTT    anonymous access, plaintext, what # and $SYS/# leak
  HTTP    version disclosure, admin pages without TLS, configuration served without authentication
  CoAP    plaintext CoAP, GET /.well-known/core (Block2 followed), configuration or key resources
          listed there served without authentication (GET only, never PUT, POST or DELETE)
  DTLS    versions and suites by raw ClientHello (cookie exchange), PSK or certificates, certificate
  5.2-1   /.well-known/security.txt on the device and at the product file's URLs (RFC 9116)
Every login attempt is counted and reported; --no-login sends none.

Exit codes: 0 nothing failing at or above --fail-on, 1 something is, 2 invalid input.

Examples:
  baseline probe 192.168.1.50
  baseline probe thermostat.local --product baseline.yaml --json --out scans/probe.json
  baseline probe 10.0.0.7:8883 10.0.0.7:22 --no-login
  baseline probe 192.168.1.60 --ports 80,443 --udp-ports 5683,5684
  baseline probe 192.168.1.50 --udp-ports none
  baseline assess baseline.yaml --evidence scans/probe.json`,
    )
    .action(async (targetTexts: string[], options: ProbeCommandOptions) => {
      const targets = targetTexts.map(parseTarget);
      const ports = options.ports !== undefined ? parsePortList(options.ports) : undefined;
      if (!options.udp && options.udpPorts !== undefined) throw new InputError('--udp-ports and --no-udp contradict each other; give one');
      const udpPorts = !options.udp
        ? []
        : options.udpPorts === undefined
          ? undefined
          : options.udpPorts.trim().toLowerCase() === 'none'
            ? []
            : parsePortList(options.udpPorts, '--udp-ports');
      const limits: ProbeLimits = {
        ...DEFAULT_PROBE_LIMITS,
        connectTimeoutMs: wholeNumber(options.connectTimeout, '--connect-timeout', 1),
        readTimeoutMs: wholeNumber(options.timeout, '--timeout', 1),
        concurrency: wholeNumber(options.concurrency, '--concurrency', 1),
        connectionsPerSecond: wholeNumber(options.rate, '--rate', 1),
        maxLoginAttempts: wholeNumber(options.maxLogins, '--max-logins', 0),
        bruteForceAttempts: wholeNumber(options.bruteForceAttempts, '--brute-force-attempts', 0),
        mqttListenMs: wholeNumber(options.mqttListen, '--mqtt-listen', 0),
      };
      const product = options.product ? (await import('../../product/load.ts')).loadProduct(options.product).file : undefined;
      const { loadDefaultCredentials } = await import('../../scan/firmware/accounts/default-credentials.ts');
      const { probe } = await import('../../scan/device/probe.ts');
      const { probeToolkit } = await import('../../scan/device/toolkit.ts');
      const showProgress = options.progress || process.stderr.isTTY;
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      const disclosure = product?.vulnerabilityDisclosure;
      const results = await probe(
        {
          targets,
          ...(ports ? { ports } : {}),
          ...(udpPorts ? { udpPorts } : {}),
          limits,
          login: options.login,
          credentials: loadDefaultCredentials(),
          ...(product ? { product: { name: product.product.name, model: product.product.model ?? '' } } : {}),
          productUrls: {
            ...(disclosure?.securityTxt ? { securityTxt: disclosure.securityTxt } : {}),
            ...(disclosure?.policyUrl ? { policyUrl: disclosure.policyUrl } : {}),
          },
          ...(disclosure
            ? {
                claims: {
                  contact: disclosure.contact,
                  ...(disclosure.acknowledgement ? { acknowledgement: disclosure.acknowledgement } : {}),
                  ...(disclosure.statusUpdates ? { statusUpdates: disclosure.statusUpdates } : {}),
                },
              }
            : {}),
          tool: { name: 'baseline-probe', version: VERSION },
          signal: abort.signal,
          ...(showProgress ? { progress: (line: string) => process.stderr.write(`${line}\n`) } : {}),
        },
        probeToolkit(),
      );
      process.off('SIGINT', onSignal);
      process.exitCode = emitResults(results, options, () => {
        const lines = results.incomplete.map((part) => `not examined: ${part.part}: ${part.reason}`);
        lines.push('', ...findingLines(results), '', countLine(results));
        return `${lines.join('\n')}\n`;
      });
    });
}
