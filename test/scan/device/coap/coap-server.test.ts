// The CoAP prober against Debian's libcoap 4.3 coap-server on 127.0.0.1: the resource list read (whole,
// through Block2 when asked for small blocks, and through the blocks the server chooses for a long list),
// the plaintext finding, a configuration resource served without authentication, and the UDP port told
// apart from a closed one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scanCoap } from '../../../../src/scan/device/coap/scan-coap.ts';
import { coapProber, probeCoap } from '../../../../src/scan/device/coap/probe-coap.ts';
import { identifyUdp } from '../../../../src/scan/device/identify-udp.ts';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext, type ProbeContext } from '../../../../src/scan/device/probe-context.ts';
import type { IdentifiedService } from '../../../../src/scan/device/service.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';
import { type CoapServer, freeUdpPorts, startCoapServer } from '../../../helpers/servers/coap-server.ts';

function context(): ProbeContext {
  return createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: 2000, connectionsPerSecond: 200 },
    login: false,
    credentials: loadDefaultCredentials(),
  });
}

function service(server: CoapServer, port = server.port): IdentifiedService {
  return { endpoint: { host: server.host, port }, protocol: 'coap', tls: false, transport: 'udp' };
}

const LIBCOAP_RESOURCES = ['/', '/time', '/async', '/example_data'];

describe('libcoap coap-server with a configuration resource', () => {
  let server: CoapServer;
  before(async () => {
    server = await startCoapServer({
      resources: [
        { path: '/config', payload: 'wifi_ssid=home\nwifi_psk=hunter2' },
        { path: '/sensors/temp', payload: '21.5' },
      ],
    });
  });
  after(() => server.stop());

  it('reads the resource list and reports plaintext CoAP, the open list and the served configuration', async () => {
    const outcome = await probeCoap(service(server), context());
    const by = (check: string) => outcome.findings.filter((f) => f.check === check);
    assert.deepEqual(outcome.incomplete, []);
    assert.equal(by('probe/coap/plaintext')[0]?.result, 'fail');
    assert.equal(by('probe/coap/plaintext')[0]?.severity, 'high');
    const listed = by('probe/coap/resource-discovery')[0];
    assert.equal(listed?.result, 'fail');
    for (const path of [...LIBCOAP_RESOURCES, '/config', '/sensors/temp']) assert.ok(listed?.message.includes(path), path);
    assert.match(listed?.evidence ?? '', /<\/time> rt=ticks if=clock ct=0 title=Internal Clock/);
    const served = by('probe/coap/unauthenticated-resource');
    assert.equal(served.length, 1);
    assert.equal(served[0]?.result, 'fail');
    assert.match(served[0]?.message ?? '', /GET \/config returned 31 bytes without authentication/);
    assert.match(served[0]?.evidence ?? '', /wifi_psk=\*\*\*/);
    assert.doesNotMatch(JSON.stringify(outcome), /hunter2/);
    assert.match(outcome.note ?? '', /^6 resources listed: \/, \/time/);
  });

  it('follows Block2 when it asks for 16-byte blocks, and reads the same list', async () => {
    const whole = await scanCoap(context(), service(server));
    const blocked = await scanCoap(context(), service(server), { blockSzx: 0 });
    assert.equal(whole.discovery?.blocks, 0);
    assert.equal(blocked.discovery?.blockSize, 16);
    assert.equal(blocked.discovery?.blocks, Math.ceil((whole.discovery?.bytes ?? 0) / 16));
    assert.equal(blocked.discovery?.truncated, undefined);
    assert.deepEqual(blocked.discovery?.links, whole.discovery?.links);
    // The configuration resource comes in blocks too.
    assert.equal(blocked.resources[0]?.bytes, 31);
    assert.equal(blocked.resources[0]?.exposed, true);
  });

  it('tells the CoAP port from a closed one', async () => {
    assert.equal((await identifyUdp(context(), { host: server.host, port: server.port })).state, 'coap');
    const closed = await freeUdpPorts(1);
    assert.equal((await identifyUdp(context(), { host: server.host, port: closed })).state, 'closed');
  });
});

describe('libcoap coap-server with a resource list longer than one datagram', () => {
  let server: CoapServer;
  before(async () => {
    const resources = Array.from({ length: 40 }, (_, i) => ({
      path: `/sensors/bedroom-${i}-temperature-and-humidity`,
      payload: String(i),
    }));
    server = await startCoapServer({ resources });
  });
  after(() => server.stop());

  it('reads it through the blocks the server chooses', async () => {
    const observation = await scanCoap(context(), service(server));
    const d = observation.discovery;
    assert.ok(d);
    assert.ok(d.bytes > 1024, String(d.bytes));
    assert.ok(d.blocks >= 2, `${d.blocks} blocks`);
    assert.equal(d.links.length, 44);
    assert.equal(observation.incomplete.length, 0);
  });

  it('stops at its own bound on blocks and says so', async () => {
    const outcome = await coapProber({ blockSzx: 0 })(service(server), context());
    const summary = outcome.findings.find((f) => f.check === 'probe/coap/summary');
    assert.match(summary?.message ?? '', /read in part \(stopped after 64 blocks\)/);
    assert.match(outcome.incomplete[0]?.reason ?? '', /stopped after 64 blocks/);
  });
});
