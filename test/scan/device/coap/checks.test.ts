// Each CoAP check on hand-made observations: what it says when the resource list is open, refused or
// missing, when a catalog resource is served or refused, and when nothing answered at all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Check, runCheck } from '../../../../src/scan/check.ts';
import {
  coapDiscoveryCheck,
  coapPlaintextCheck,
  coapSummaryCheck,
  coapUnauthenticatedResourceCheck,
} from '../../../../src/scan/device/coap/checks.ts';
import { parseLinkFormat } from '../../../../src/scan/device/coap/link-format.ts';
import { COAP_CODE, coapCode, LINK_FORMAT } from '../../../../src/scan/device/coap/message.ts';
import { coapFindings, coapNote } from '../../../../src/scan/device/coap/probe-coap.ts';
import { coapResourceCatalog } from '../../../../src/scan/device/coap/resource-catalog.ts';
import type { CoapObservation, Discovery, ResourceFetch } from '../../../../src/scan/device/coap/scan-coap.ts';

const endpoint = { host: '192.0.2.20', port: 5683 };
const LIBCOAP_LIST = '</>;title="General Info";ct=0,</time>;if="clock";rt="ticks";title="Internal Clock";ct=0;obs,</config>;ct=0';

function discovery(extra: Partial<Discovery> = {}, list = LIBCOAP_LIST): Discovery {
  const parsed = parseLinkFormat(list);
  return {
    code: COAP_CODE.content,
    contentFormat: LINK_FORMAT,
    reset: false,
    bytes: list.length,
    blocks: 0,
    separate: false,
    links: parsed.links,
    moreLinks: parsed.more,
    malformed: parsed.malformed,
    ...extra,
  };
}

function entry(id: string) {
  const found = coapResourceCatalog().find((e) => e.id === id);
  assert.ok(found, id);
  return found;
}

function fetched(path: string, id: string, extra: Partial<ResourceFetch> = {}): ResourceFetch {
  return { path, entry: entry(id), code: COAP_CODE.content, bytes: 16, excerpt: 'wifi_psk=hunter2', exposed: true, ...extra };
}

function observation(extra: Partial<CoapObservation> = {}): CoapObservation {
  return {
    service: { endpoint, protocol: 'coap', tls: false, transport: 'udp' },
    discovery: discovery(),
    resources: [],
    notFetched: [],
    transmissions: 1,
    ignored: 0,
    oversized: 0,
    elapsedMs: 12,
    incomplete: [],
    ...extra,
  };
}

interface Case {
  name: string;
  subject: CoapObservation;
  /** [result, severity] of each finding, in order. */
  expect: [string, string][];
  mentions?: RegExp;
}

function table(check: Check<CoapObservation>, cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const findings = runCheck(check, c.subject);
      assert.deepEqual(
        findings.map((f) => [f.result, f.severity]),
        c.expect,
      );
      for (const f of findings) {
        assert.equal(f.check, check.id);
        assert.deepEqual(f.provisions, check.provisions);
        assert.deepEqual(f.location, endpoint);
      }
      if (c.mentions) assert.match(`${findings[0]?.message ?? ''}\n${findings[0]?.evidence ?? ''}`, c.mentions);
    });
  }
}

describe('probe/coap/plaintext', () => {
  table(coapPlaintextCheck, [
    {
      name: 'fails high whenever the server answered over plain UDP',
      subject: observation(),
      expect: [['fail', 'high']],
      mentions: /plain UDP/,
    },
    {
      name: 'fails on an answered ping when the GET went unanswered',
      subject: observation({ discovery: undefined, pong: true }),
      expect: [['fail', 'high']],
      mentions: /ping/,
    },
    {
      name: 'fails even when the GET was refused: the exchange was still in the clear',
      subject: observation({ discovery: discovery({ code: COAP_CODE.unauthorized, links: [] }) }),
      expect: [['fail', 'high']],
      mentions: /4\.01/,
    },
    { name: 'says nothing when nothing answered', subject: observation({ discovery: undefined, pong: false }), expect: [] },
  ]);
});

describe('probe/coap/resource-discovery', () => {
  table(coapDiscoveryCheck, [
    {
      name: 'fails low when anyone can list the resources, naming them',
      subject: observation(),
      expect: [['fail', 'low']],
      mentions: /3 resources .*\/, \/time, \/config[\s\S]*<\/time> rt=ticks if=clock ct=0 title=Internal Clock/,
    },
    {
      name: 'counts links past the bound',
      subject: observation({ discovery: { ...discovery(), moreLinks: 10 } }),
      expect: [['fail', 'low']],
      mentions: /13 resources.*… and 10 more/,
    },
    {
      name: 'passes when discovery needs authorisation (4.01)',
      subject: observation({ discovery: discovery({ code: COAP_CODE.unauthorized, links: [], bytes: 0 }) }),
      expect: [['pass', 'low']],
      mentions: /refused: 4\.01/,
    },
    {
      name: 'passes when there is no resource discovery (4.04)',
      subject: observation({ discovery: discovery({ code: COAP_CODE.notFound, links: [], bytes: 0 }) }),
      expect: [['pass', 'low']],
    },
    {
      name: 'is informational on an empty list',
      subject: observation({ discovery: discovery({}, '') }),
      expect: [['info', 'low']],
    },
    {
      name: 'is informational on a reset or another code',
      subject: observation({ discovery: discovery({ code: undefined, reset: true, links: [] }) }),
      expect: [['info', 'low']],
      mentions: /RST/,
    },
    {
      name: 'is informational on a server error',
      subject: observation({ discovery: discovery({ code: coapCode(5, 0), links: [] }) }),
      expect: [['info', 'low']],
      mentions: /5\.00/,
    },
    { name: 'says nothing when the GET was never answered', subject: observation({ discovery: undefined }), expect: [] },
  ]);
});

describe('probe/coap/unauthenticated-resource', () => {
  table(coapUnauthenticatedResourceCheck, [
    {
      name: "fails at the catalog entry's severity, with the content redacted",
      subject: observation({ resources: [fetched('/config', 'configuration')] }),
      expect: [['fail', 'high']],
      mentions: /GET \/config returned 16 bytes without authentication[\s\S]*catalog entry configuration\nwifi_psk=\*\*\*/,
    },
    {
      name: 'fails critical for the LwM2M Security object',
      subject: observation({
        resources: [
          fetched('/0/0', 'lwm2m-security-object'),
          fetched('/config', 'configuration', { exposed: false, code: COAP_CODE.unauthorized }),
        ],
      }),
      expect: [['fail', 'critical']],
    },
    {
      name: 'passes when every sensitive resource was refused, naming the answers',
      subject: observation({
        resources: [
          fetched('/config', 'configuration', { exposed: false, code: COAP_CODE.unauthorized, bytes: 0 }),
          fetched('/fw', 'firmware', { exposed: false, code: undefined, reset: true, bytes: 0 }),
        ],
      }),
      expect: [['pass', 'high']],
      mentions: /\/config → 4\.01, \/fw → RST/,
    },
    {
      name: 'notes a device that answers any path, whose answers were compared',
      subject: observation({ randomPathCode: COAP_CODE.content, resources: [fetched('/config', 'configuration', { exposed: false })] }),
      expect: [['pass', 'high']],
      mentions: /random path too/,
    },
    {
      name: 'says nothing when the only resource could not be fetched',
      subject: observation({ resources: [fetched('/config', 'configuration', { exposed: false, code: undefined, problem: 'no answer' })] }),
      expect: [],
    },
    { name: 'says nothing when no sensitive resource was listed', subject: observation(), expect: [] },
  ]);
});

describe('probe/coap/summary', () => {
  table(coapSummaryCheck, [
    {
      name: 'records the answer, the blocks and the traffic',
      subject: observation({ discovery: discovery({ blocks: 12, blockSize: 16 }), ignored: 3, oversized: 1, transmissions: 14 }),
      expect: [['info', 'info']],
      mentions:
        /2\.05 \(link-format, \d+ bytes in 12 blocks of 16 bytes\); 3 resources listed; 14 datagrams sent .*3 datagrams ignored.*1 oversized datagram dropped/,
    },
    {
      name: 'says why nothing was seen',
      subject: observation({
        discovery: undefined,
        pong: false,
        incomplete: [{ part: 'x', reason: 'no answer to GET /.well-known/core within 300 ms (3 transmissions)' }],
      }),
      expect: [['info', 'info']],
      mentions: /within 300 ms \(3 transmissions\); a CoAP ping went unanswered too/,
    },
  ]);
});

describe('the CoAP findings of one service', () => {
  it('come in report order, the summary last, and give the open-service note', () => {
    const o = observation({ resources: [fetched('/config', 'configuration')] });
    assert.deepEqual(
      coapFindings(o).map((f) => f.check),
      ['probe/coap/plaintext', 'probe/coap/resource-discovery', 'probe/coap/unauthenticated-resource', 'probe/coap/summary'],
    );
    assert.equal(coapNote(o), '3 resources listed: /, /time, /config');
    assert.equal(coapNote(observation({ discovery: undefined, pong: true })), 'answers a CoAP ping but not GET /.well-known/core');
  });
});
