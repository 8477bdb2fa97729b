// The disclosure probe against real web servers on 127.0.0.1: nginx serving security.txt files and a
// policy the way devices and product sites do (and do wrong), plus tiny hostile servers.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../../../src/findings/schema.ts';
import { probeDisclosure } from '../../../../src/scan/device/disclosure/probe-disclosure.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { type Daemon, freePort, LOOPBACK, makeTempDir, startDaemon } from '../../../helpers/daemon.ts';
import { makeSelfSignedCertificate } from '../../../helpers/self-signed.ts';

const AS_OF = new Date('2026-11-01T00:00:00Z');
const POLICY_HTML =
  '<!doctype html>\n<html><body>\n<h1>Vulnerability disclosure</h1>\n<p>We acknowledge every report within 5 working days.</p>\n<p>We send status updates every 30 days until the issue is resolved.</p>\n</body></html>\n';

interface Site {
  /** Files under the web root, given the port (security.txt files name their own URLs). */
  files: (port: number) => Record<string, string>;
  /** Extra location blocks. */
  locations?: string;
  /** nginx's charset for text/plain: unset sends "text/plain" alone. */
  charset?: boolean;
  tls?: boolean;
}

async function startSite(site: Site): Promise<Daemon & { dir: string }> {
  const dir = makeTempDir('disclosure');
  const www = join(dir.path, 'www');
  const conf = join(dir.path, 'nginx.conf');
  const cert = join(dir.path, 'cert.pem');
  const key = join(dir.path, 'key.pem');
  if (site.tls) {
    makeSelfSignedCertificate({ cert: cert, key: key }, { commonName: 'thermostat.local' });
  }
  const temp = (name: string) => `${name}_temp_path ${join(dir.path, name)};`;
  const daemon = await startDaemon({
    command: '/usr/sbin/nginx',
    prepare: (port) => {
      for (const [path, content] of Object.entries(site.files(port))) {
        mkdirSync(dirname(join(www, path)), { recursive: true });
        writeFileSync(join(www, path), content);
      }
      mkdirSync(www, { recursive: true });
      writeFileSync(
        conf,
        `user root;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  types { text/html html; text/plain txt; }
  default_type application/octet-stream;
  ${site.charset ? 'charset utf-8;' : ''}
  server {
    listen ${LOOPBACK}:${port}${site.tls ? ' ssl' : ''};
    ${site.tls ? `ssl_certificate ${cert}; ssl_certificate_key ${key};` : ''}
    root ${www};
    ${site.locations ?? ''}
  }
}
`,
      );
    },
    args: () => ['-e', 'stderr', '-c', conf, '-g', `daemon off; pid ${join(dir.path, 'nginx.pid')};`],
  });
  const stop = daemon.stop;
  return Object.assign(daemon, { dir: dir.path, stop: async () => (await stop(), dir.remove()) });
}

function context(overrides: Partial<typeof DEFAULT_PROBE_LIMITS> = {}): ProbeContext {
  return createProbeContext({ limits: { ...DEFAULT_PROBE_LIMITS, ...overrides }, login: false, credentials: loadDefaultCredentials() });
}

const byCheck = (findings: Finding[], check: string) => findings.filter((f) => f.check === check);
const one = (findings: Finding[], check: string, result?: Finding['result']) => {
  const matching = byCheck(findings, check).filter((f) => result === undefined || f.result === result);
  assert.equal(matching.length, 1, `${check} ${result ?? ''}: ${JSON.stringify(byCheck(findings, check), null, 1)}`);
  return matching[0] as Finding;
};

describe('probeDisclosure against nginx on 127.0.0.1', () => {
  let device: Daemon;
  let webUi: Daemon;
  let legacy: Daemon;
  let tlsDevice: Daemon;

  before(async () => {
    [device, webUi, legacy, tlsDevice] = await Promise.all([
      // A device that does it right, apart from plain HTTP and a Canonical naming its product site.
      startSite({
        charset: true,
        files: (port) => ({
          '.well-known/security.txt': `# Thermostat TT-1\nContact: mailto:security@test.example\nExpires: 2027-03-31T23:59:59Z\nCanonical: https://test.example/.well-known/security.txt\nPolicy: http://${LOOPBACK}:${port}/security/policy.html\nPolicy: https://elsewhere.example/policy\n`,
          'security/policy.html': POLICY_HTML,
          'product/security.txt': `Contact: mailto:security@test.example\nExpires: 2027-03-31T23:59:59Z\nCanonical: http://${LOOPBACK}:${port}/product/security.txt\n`,
          'big/security.txt': `${'# padding padding padding padding padding padding padding padding padding\n'.repeat(600)}Contact: mailto:security@test.example\n`,
        }),
      }),
      // Single-page web UI firmware: every path answers 200 with the same HTML.
      startSite({
        files: () => ({ 'index.html': '<!doctype html><html><body><div id="app"></div></body></html>' }),
        locations: 'location / { try_files $uri /index.html; }',
      }),
      // The well-known path redirects elsewhere; an expired file sits at the top level, without a charset.
      startSite({
        files: () => ({ 'security.txt': 'Contact: mailto:security@test.example\nExpires: 2025-12-31T23:59:59Z\n' }),
        locations: 'location = /.well-known/security.txt { return 301 https://vendor.example/.well-known/security.txt; }',
      }),
      startSite({
        tls: true,
        charset: true,
        files: (port) => ({
          '.well-known/security.txt': `Contact: https://thermostat.local:${port}/report\nExpires: 2027-03-31T23:59:59Z\nCanonical: https://thermostat.local:${port}/.well-known/security.txt\n# We acknowledge reports within 48 hours and send status updates weekly.\n`,
        }),
      }),
    ]);
  });
  after(async () => {
    await Promise.all([device, webUi, legacy, tlsDevice].map((d) => d?.stop()));
  });

  it("reads the device's security.txt and the policy it names on the same host", async () => {
    const endpoint = { host: device.host, port: device.port };
    const outcome = await probeDisclosure(context(), { webEndpoints: [{ endpoint, tls: false }], productUrls: {}, asOf: AS_OF });
    const url = `http://${LOOPBACK}:${device.port}/.well-known/security.txt`;
    assert.deepEqual(outcome.incomplete, []);
    for (const f of outcome.findings) {
      assert.deepEqual(f.location, { host: LOOPBACK, port: device.port });
      assert.deepEqual(f.provisions, ['5.2-1']);
    }
    assert.match(
      one(outcome.findings, 'probe/disclosure/policy-found', 'pass').message,
      new RegExp(`found: ${url}, http://127\\.0\\.0\\.1:${device.port}/security/policy\\.html`),
    );
    assert.equal(one(outcome.findings, 'probe/disclosure/well-known-location').result, 'pass');
    assert.match(one(outcome.findings, 'probe/disclosure/https', 'fail').message, /served over plain HTTP; RFC 9116 requires HTTPS/);
    assert.match(one(outcome.findings, 'probe/disclosure/content-type', 'pass').message, /"text\/plain; charset=utf-8"/);
    assert.equal(
      one(outcome.findings, 'disclosure/security-txt/contact', 'pass').message,
      `${url} line 2: contact: mailto:security@test.example`,
    );
    assert.match(one(outcome.findings, 'disclosure/security-txt/expires', 'pass').message, /line 3: expires 2027-03-31T23:59:59Z/);
    assert.match(
      one(outcome.findings, 'disclosure/security-txt/canonical', 'fail').message,
      new RegExp(`line 4: fetched from ${url.replace(/[./]/g, '\\$&')}, which no Canonical field lists \\(https://test\\.example/`),
    );
    assert.match(
      one(outcome.findings, 'disclosure/security-txt/uri-fields', 'fail').message,
      /line 5: Policy "http:\/\/127\.0\.0\.1:\d+\/security\/policy\.html" uses http/,
    );
    const ack = one(outcome.findings, 'disclosure/policy/acknowledgement-timescale', 'pass');
    assert.match(
      ack.message,
      /policy\.html line 4: acknowledgement timescale: "5 working days" \("We acknowledge every report within 5 working days\."\)/,
    );
    assert.equal(one(outcome.findings, 'disclosure/policy/status-update-timescale').result, 'pass');
  });

  it('says so when the device answers every path with its web UI', async () => {
    const endpoint = { host: webUi.host, port: webUi.port };
    const outcome = await probeDisclosure(context(), { webEndpoints: [{ endpoint, tls: false }], productUrls: {}, asOf: AS_OF });
    const found = one(outcome.findings, 'probe/disclosure/policy-found', 'fail');
    assert.deepEqual(found.location, { host: LOOPBACK, port: webUi.port });
    assert.match(
      found.message,
      /^no vulnerability disclosure policy found on the device: asked http:\/\/127\.0\.0\.1:\d+\/\.well-known\/security\.txt \(HTTP 200\), http:\/\/127\.0\.0\.1:\d+\/security\.txt \(HTTP 200\); the product file names no securityTxt or policyUrl$/,
    );
    assert.match(
      one(outcome.findings, 'probe/disclosure/well-known-location', 'info').message,
      /no security\.txt on 127\.0\.0\.1:\d+ \(\/\.well-known\/security\.txt: HTTP 200 with a page that is not a security\.txt; \/security\.txt: HTTP 200 with a page that is not a security\.txt\)/,
    );
    assert.equal(byCheck(outcome.findings, 'disclosure/security-txt/contact').length, 0);
    assert.equal(byCheck(outcome.findings, 'disclosure/policy/acknowledgement-timescale').length, 0);
  });

  it('reports a redirect without following it, and the legacy file it falls back to', async () => {
    const endpoint = { host: legacy.host, port: legacy.port };
    const outcome = await probeDisclosure(context(), { webEndpoints: [{ endpoint, tls: false }], productUrls: {}, asOf: AS_OF });
    assert.match(
      one(outcome.findings, 'probe/disclosure/well-known-location', 'fail').message,
      /served only at the legacy http:\/\/127\.0\.0\.1:\d+\/security\.txt \(\/\.well-known\/security\.txt gave a redirect \(HTTP 301\) to https:\/\/vendor\.example\/\.well-known\/security\.txt, not followed\)/,
    );
    assert.match(
      one(outcome.findings, 'probe/disclosure/content-type', 'fail').message,
      /served with "text\/plain"; RFC 9116 requires "text\/plain; charset=utf-8"/,
    );
    assert.match(
      one(outcome.findings, 'disclosure/security-txt/expires', 'fail').message,
      /\/security\.txt line 2: expired on 2025-12-31T23:59:59Z/,
    );
    // Nothing states the timescales: both fail, the legacy file being the only text read.
    assert.match(
      one(outcome.findings, 'disclosure/policy/acknowledgement-timescale', 'fail').message,
      /no acknowledgement timescale found in http:\/\/127\.0\.0\.1:\d+\/security\.txt/,
    );
  });

  it('uses the device name for Host and URLs over TLS, so a Canonical naming it matches', async () => {
    const endpoint = { host: tlsDevice.host, port: tlsDevice.port };
    const outcome = await probeDisclosure(context(), {
      webEndpoints: [{ endpoint, tls: true }],
      productUrls: {},
      hostNames: new Map([[LOOPBACK, 'thermostat.local']]),
      asOf: AS_OF,
    });
    assert.deepEqual(outcome.incomplete, []);
    assert.match(
      one(outcome.findings, 'probe/disclosure/https', 'pass').message,
      new RegExp(`^https://thermostat\\.local:${tlsDevice.port}/\\.well-known/security\\.txt is served over HTTPS$`),
    );
    assert.equal(one(outcome.findings, 'disclosure/security-txt/canonical').result, 'pass');
    assert.equal(one(outcome.findings, 'disclosure/policy/acknowledgement-timescale').result, 'pass');
    assert.match(one(outcome.findings, 'disclosure/policy/status-update-timescale', 'pass').message, /"weekly"/);
  });

  it("reads the product file's URLs and holds the claims against them", async () => {
    const base = `http://${LOOPBACK}:${device.port}`;
    const outcome = await probeDisclosure(context(), {
      webEndpoints: [],
      productUrls: { securityTxt: `${base}/product/security.txt`, policyUrl: `${base}/security/policy.html` },
      claims: { contact: 'security@test.example', acknowledgement: 'within 2 working days', statusUpdates: 'monthly' },
      asOf: AS_OF,
    });
    assert.deepEqual(outcome.incomplete, []);
    const urls = byCheck(outcome.findings, 'probe/disclosure/product-url');
    assert.deepEqual(
      urls.map((f) => [f.result, f.message]),
      [
        ['pass', `the product file's securityTxt ${base}/product/security.txt answers HTTP 200`],
        ['pass', `the product file's policyUrl ${base}/security/policy.html answers HTTP 200`],
      ],
    );
    assert.equal(one(outcome.findings, 'disclosure/security-txt/canonical').result, 'pass');
    assert.equal(byCheck(outcome.findings, 'disclosure/security-txt/contact').filter((f) => f.result !== 'pass').length, 0);
    const ack = one(outcome.findings, 'disclosure/policy/acknowledgement-timescale', 'fail');
    assert.equal(ack.severity, 'medium');
    assert.match(ack.message, /"5 working days" .* differs from the product file's acknowledgement "within 2 working days"/);
    assert.match(one(outcome.findings, 'disclosure/policy/status-update-timescale', 'pass').message, /as the product file says/);
  });

  it('fails product URLs that are missing, and a file too large to be a security.txt', async () => {
    const base = `http://${LOOPBACK}:${device.port}`;
    const missing = await probeDisclosure(context(), {
      webEndpoints: [],
      productUrls: { securityTxt: `${base}/nowhere/security.txt`, policyUrl: 'ftp://test.example/policy' },
      asOf: AS_OF,
    });
    assert.deepEqual(
      byCheck(missing.findings, 'probe/disclosure/product-url').map((f) => f.message),
      [
        `the product file's policyUrl "ftp://test.example/policy" cannot be fetched: not a web URL (ftp:)`,
        `the product file's securityTxt ${base}/nowhere/security.txt answered HTTP 404`,
      ],
    );
    assert.equal(one(missing.findings, 'probe/disclosure/policy-found').result, 'fail');

    const big = await probeDisclosure(context(), {
      webEndpoints: [],
      productUrls: { securityTxt: `${base}/big/security.txt` },
      asOf: AS_OF,
    });
    assert.match(one(big.findings, 'disclosure/security-txt/encoding', 'fail').message, /larger than the 32 KiB read \(\d+ bytes\)/);
    assert.equal(one(big.findings, 'disclosure/security-txt/contact').result, 'fail');
  });
});

describe('probeDisclosure against hostile and absent servers', () => {
  const sockets = new Set<Socket>();
  let silent: Server;
  let flood: Server;
  let silentPort: number;
  let floodPort: number;

  const listen = (handler: (socket: Socket) => void) =>
    new Promise<{ server: Server; port: number }>((resolve) => {
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
        handler(socket);
      });
      server.listen(0, LOOPBACK, () => resolve({ server, port: (server.address() as { port: number }).port }));
    });

  before(async () => {
    ({ server: silent, port: silentPort } = await listen(() => {}));
    // Answers 200 and then streams a security.txt that never ends.
    ({ server: flood, port: floodPort } = await listen((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nContact: mailto:security@test.example\n');
        const chunk = Buffer.alloc(16 * 1024, '#');
        const pump = () => {
          while (!socket.destroyed && socket.write(chunk));
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
      });
    }));
  });
  after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
    flood.close();
  });

  it('turns a silent server and a closed port into incomplete parts, not a crash', async () => {
    const closed = await freePort();
    const started = Date.now();
    const outcome = await probeDisclosure(context({ readTimeoutMs: 400, connectTimeoutMs: 400 }), {
      webEndpoints: [
        { endpoint: { host: LOOPBACK, port: silentPort }, tls: false },
        { endpoint: { host: LOOPBACK, port: closed }, tls: false },
      ],
      productUrls: {},
      asOf: AS_OF,
    });
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(
      outcome.incomplete.map((p) => [p.part.replace(/\d+/g, 'N'), p.reason.split(':')[0]]),
      [
        ['security.txt http://N.N.N.N:N/.well-known/security.txt', 'timeout'],
        ['security.txt http://N.N.N.N:N/.well-known/security.txt', 'refused'],
      ],
    );
    assert.match(
      one(outcome.findings, 'probe/disclosure/policy-found', 'fail').message,
      /no answer \(timeout: no complete HTTP response within 400 ms\)/,
    );
  });

  it('stops reading an endless security.txt at the bound', async () => {
    const outcome = await probeDisclosure(context(), {
      webEndpoints: [{ endpoint: { host: LOOPBACK, port: floodPort }, tls: false }],
      productUrls: {},
      asOf: AS_OF,
    });
    assert.match(
      one(outcome.findings, 'disclosure/security-txt/encoding', 'fail').message,
      /^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/security\.txt: larger than the 32 KiB read; only the first \d+ lines were checked$/,
    );
    assert.equal(one(outcome.findings, 'disclosure/security-txt/contact').result, 'pass');
    assert.equal(one(outcome.findings, 'disclosure/security-txt/expires').result, 'fail');
  });
});
