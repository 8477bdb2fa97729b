import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/io/input-error.ts';
import { endpointText, parsePortList, parseTarget } from '../../../src/scan/device/target.ts';

describe('parseTarget', () => {
  const cases: [string, { host: string; port?: number }][] = [
    ['192.168.1.50', { host: '192.168.1.50' }],
    ['192.168.1.50:8883', { host: '192.168.1.50', port: 8883 }],
    ['thermostat.local', { host: 'thermostat.local' }],
    ['thermostat.local:22', { host: 'thermostat.local', port: 22 }],
    ['::1', { host: '::1' }],
    ['fe80::1', { host: 'fe80::1' }],
    ['[::1]:443', { host: '::1', port: 443 }],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${text}`, () => {
      const target = parseTarget(text);
      assert.equal(target.host, expected.host);
      assert.equal(target.port, expected.port);
    });
  }
  const bad: [string, RegExp][] = [
    ['192.168.1.0/24', /ranges and subnets are not accepted/],
    ['192.168.1.1-20', /ranges and subnets/],
    ['*.local', /ranges and subnets/],
    ['host:0', /outside 1-65535/],
    ['host:99999', /not a port number|outside/],
    ['host:ssh', /not a port number/],
    ['[nothost]:22', /not an IPv6 address/],
    ['bad host', /not a host name/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${text}`, () =>
      assert.throws(
        () => parseTarget(text),
        (e: unknown) => e instanceof InputError && message.test(e.message),
      ));
  }
});

describe('parsePortList', () => {
  it('reads ports and ranges, sorted and without repeats', () => {
    assert.deepEqual(parsePortList('80, 22,8000-8002,22'), [22, 80, 8000, 8001, 8002]);
  });
  it('refuses a sweep', () => assert.throws(() => parsePortList('1-65535'), /more than 1024 ports/));
  it('refuses a backwards range', () => assert.throws(() => parsePortList('90-80'), /backwards/));
  it('names the option it reads in its errors', () => {
    assert.throws(() => parsePortList('5683,0', '--udp-ports'), /^InputError: --udp-ports: port 0 is outside 1-65535$/);
    assert.throws(() => parsePortList('', '--udp-ports'), /--udp-ports: no ports given/);
  });
});

describe('endpointText', () => {
  it('brackets IPv6', () => {
    assert.equal(endpointText('::1', 22), '[::1]:22');
    assert.equal(endpointText('10.0.0.1', 22), '10.0.0.1:22');
  });
});
