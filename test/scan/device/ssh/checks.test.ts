// Each SSH check on hand-made observations: what passes, what fails, and what it says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck, type Check } from '../../../../src/scan/check.ts';
import type { Finding } from '../../../../src/findings/schema.ts';
import {
  sshDhGroupSizeCheck,
  sshHostKeyCheck,
  sshNoAuthenticationCheck,
  sshPasswordAuthCheck,
  sshProtocol1Check,
  sshSummaryCheck,
  sshTerrapinCheck,
  sshVersionDisclosureCheck,
  sshWeakAlgorithmsCheck,
} from '../../../../src/scan/device/ssh/checks.ts';
import { parseSshIdentification } from '../../../../src/scan/device/ssh/identification.ts';
import type { KexInit } from '../../../../src/scan/device/ssh/kexinit.ts';
import type { SshObservation } from '../../../../src/scan/device/ssh/observation.ts';
import { sshFindings } from '../../../../src/scan/device/ssh/probe-ssh.ts';

const endpoint = { host: '192.0.2.10', port: 22 };

function kexinit(overrides: Partial<Record<'kex' | 'hostKey' | 'ciphers' | 'macs', string[]>> = {}): KexInit {
  const ciphers = overrides.ciphers ?? ['aes128-ctr', 'aes256-gcm@openssh.com'];
  const macs = overrides.macs ?? ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-256'];
  return {
    kex: overrides.kex ?? ['curve25519-sha256', 'diffie-hellman-group16-sha512', 'kex-strict-s-v00@openssh.com'],
    hostKey: overrides.hostKey ?? ['ssh-ed25519', 'rsa-sha2-512'],
    ciphersClientToServer: ciphers,
    ciphersServerToClient: ciphers,
    macsClientToServer: macs,
    macsServerToClient: macs,
    compressionClientToServer: ['none'],
    compressionServerToClient: ['none'],
    languagesClientToServer: [],
    languagesServerToClient: [],
    firstKexPacketFollows: false,
  };
}

function observation(overrides: Partial<SshObservation> = {}): SshObservation {
  return {
    endpoint,
    identification: parseSshIdentification('SSH-2.0-OpenSSH_9.6'),
    preIdentificationLines: [],
    kexinit: kexinit(),
    hostKeys: [{ algorithm: 'ssh-ed25519', type: 'ssh-ed25519', bits: 256, fingerprint: 'SHA256:abc' }],
    incomplete: [],
    ...overrides,
  };
}

function results(check: Check<SshObservation>, o: SshObservation): Finding[] {
  return runCheck(check, o);
}

function only(findings: Finding[]): Finding {
  assert.equal(findings.length, 1, JSON.stringify(findings));
  return findings[0] as Finding;
}

describe('probe/ssh/protocol-1', () => {
  const cases: [string, Finding['result']][] = [
    ['SSH-2.0-OpenSSH_9.6', 'pass'],
    ['SSH-1.99-OpenSSH_3.9p1', 'fail'],
    ['SSH-1.5-Cisco-1.25', 'fail'],
  ];
  for (const [line, result] of cases) {
    it(`${line} → ${result}`, () => {
      const f = only(results(sshProtocol1Check, observation({ identification: parseSshIdentification(line) })));
      assert.equal(f.result, result);
      assert.deepEqual(f.provisions, ['5.5-1']);
      assert.deepEqual(f.location, { host: '192.0.2.10', port: 22 });
    });
  }
  it('says nothing without an identification', () => {
    assert.equal(results(sshProtocol1Check, observation({ identification: undefined })).length, 0);
  });
});

describe('probe/ssh/weak-algorithms', () => {
  it('passes a server offering only current algorithms', () => {
    assert.equal(only(results(sshWeakAlgorithmsCheck, observation())).result, 'pass');
  });
  const failing: [string, Partial<Record<'kex' | 'hostKey' | 'ciphers' | 'macs', string[]>>, string, Finding['severity']][] = [
    ['group1 next to curve25519', { kex: ['curve25519-sha256', 'diffie-hellman-group1-sha1'] }, 'diffie-hellman-group1-sha1', 'high'],
    ['group14-sha1', { kex: ['curve25519-sha256', 'diffie-hellman-group14-sha1'] }, 'diffie-hellman-group14-sha1', 'medium'],
    ['a CBC cipher', { ciphers: ['aes128-ctr', 'aes256-cbc'] }, 'aes256-cbc', 'medium'],
    ['arcfour', { ciphers: ['aes128-ctr', 'arcfour256'] }, 'arcfour256', 'high'],
    ['the none cipher', { ciphers: ['aes128-ctr', 'none'] }, 'none', 'critical'],
    ['hmac-md5', { macs: ['hmac-sha2-256', 'hmac-md5'] }, 'hmac-md5', 'medium'],
    ['a 64-bit umac', { macs: ['hmac-sha2-256', 'umac-64@openssh.com'] }, 'umac-64@openssh.com', 'low'],
    ['ssh-rsa signatures', { hostKey: ['ssh-ed25519', 'ssh-rsa'] }, 'ssh-rsa', 'medium'],
    ['ssh-dss', { hostKey: ['ssh-ed25519', 'ssh-dss'] }, 'ssh-dss', 'high'],
    ['only CBC ciphers (raised a step)', { ciphers: ['aes128-cbc', '3des-cbc'] }, 'aes128-cbc', 'high'],
  ];
  for (const [name, lists, algorithm, severity] of failing) {
    it(`fails on ${name}`, () => {
      const findings = results(sshWeakAlgorithmsCheck, observation({ kexinit: kexinit(lists) }));
      const f = findings.find((x) => x.message.includes(` ${algorithm}:`));
      assert.ok(f, JSON.stringify(findings.map((x) => x.message)));
      assert.equal(f.result, 'fail');
      assert.equal(f.severity, severity);
      assert.ok(findings.every((x) => x.result === 'fail'));
    });
  }
  it('ignores the extension markers of the kex list', () => {
    const o = observation({
      kexinit: kexinit({ kex: ['curve25519-sha256', 'ext-info-s', 'kex-strict-s-v00@openssh.com', 'kexguess2@matt.ucc.asn.au'] }),
    });
    assert.equal(only(results(sshWeakAlgorithmsCheck, o)).result, 'pass');
  });
  it('names Dropbear build options for a Dropbear server', () => {
    const o = observation({
      identification: parseSshIdentification('SSH-2.0-dropbear_2022.83'),
      kexinit: kexinit({ macs: ['hmac-sha2-256', 'hmac-sha1'] }),
    });
    assert.match(only(results(sshWeakAlgorithmsCheck, o)).evidence ?? '', /DROPBEAR_SHA1_HMAC/);
  });
});

describe('probe/ssh/dh-group-size', () => {
  const request = { min: 1024, preferred: 1024, max: 8192 };
  const cases: [string, SshObservation['groupExchange'], Finding['result'] | undefined][] = [
    ['no group exchange offered', undefined, undefined],
    ['a 1024-bit group', { algorithm: 'diffie-hellman-group-exchange-sha256', request, groupBits: 1024 }, 'fail'],
    ['a 2048-bit group', { algorithm: 'diffie-hellman-group-exchange-sha256', request, groupBits: 2048 }, 'pass'],
    [
      'a 3072-bit group after refusing 1024',
      {
        algorithm: 'diffie-hellman-group-exchange-sha256',
        request: { min: 2048, preferred: 2048, max: 8192 },
        smallRequestRefused: 'the server disconnected: key exchange failed (code 3)',
        groupBits: 3072,
      },
      'pass',
    ],
    ['a group not measured', { algorithm: 'diffie-hellman-group-exchange-sha1', request, error: 'the server disconnected' }, 'info'],
  ];
  for (const [name, groupExchange, result] of cases) {
    it(`${name} → ${result ?? 'nothing'}`, () => {
      const findings = results(sshDhGroupSizeCheck, observation(groupExchange ? { groupExchange } : {}));
      if (result === undefined) return assert.equal(findings.length, 0);
      const f = only(findings);
      assert.equal(f.result, result);
      if (groupExchange?.groupBits) assert.match(f.message, new RegExp(`${groupExchange.groupBits}-bit`));
    });
  }
});

describe('probe/ssh/host-key', () => {
  const cases: [string, number | undefined, Finding['result'], Finding['severity']][] = [
    ['ssh-ed25519', 256, 'pass', 'info'],
    ['ecdsa-sha2-nistp256', 256, 'pass', 'info'],
    ['ssh-rsa', 4096, 'pass', 'info'],
    ['ssh-rsa', 3072, 'pass', 'info'],
    ['ssh-rsa', 2048, 'info', 'low'],
    ['ssh-rsa', 1024, 'fail', 'high'],
    ['ssh-rsa', 768, 'fail', 'critical'],
    ['ssh-dss', 1024, 'fail', 'high'],
  ];
  for (const [type, bits, result, severity] of cases) {
    it(`${type} ${bits} → ${result}/${severity}`, () => {
      const f = only(results(sshHostKeyCheck, observation({ hostKeys: [{ algorithm: type, type, bits, fingerprint: 'SHA256:xyz' }] })));
      assert.equal(f.result, result);
      assert.equal(f.severity, severity);
      assert.match(f.message, /SHA256:xyz/);
    });
  }
});

describe('probe/ssh/terrapin', () => {
  const cases: [string, Partial<Record<'kex' | 'ciphers' | 'macs', string[]>>, Finding['result']][] = [
    ['chacha20 with strict kex', { ciphers: ['chacha20-poly1305@openssh.com'] }, 'pass'],
    ['chacha20 without strict kex', { kex: ['curve25519-sha256'], ciphers: ['chacha20-poly1305@openssh.com', 'aes128-ctr'] }, 'fail'],
    [
      'CBC with an -etm MAC, no strict kex',
      { kex: ['curve25519-sha256'], ciphers: ['aes128-cbc'], macs: ['hmac-sha2-256-etm@openssh.com'] },
      'fail',
    ],
    ['CBC without -etm MACs', { kex: ['curve25519-sha256'], ciphers: ['aes128-cbc'], macs: ['hmac-sha2-256'] }, 'pass'],
    ['CTR and GCM only', { kex: ['curve25519-sha256'] }, 'pass'],
  ];
  for (const [name, lists, result] of cases) {
    it(`${name} → ${result}`, () => {
      assert.equal(only(results(sshTerrapinCheck, observation({ kexinit: kexinit(lists) }))).result, result);
    });
  }
});

describe('probe/ssh/version-disclosure', () => {
  const cases: [string, Finding['result'], RegExp][] = [
    ['SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3', 'fail', /OpenSSH 9\.2p1 and "Debian-2\+deb12u3"/],
    ['SSH-2.0-dropbear_2022.83', 'fail', /Dropbear 2022\.83/],
    ['SSH-2.0-dropbear', 'pass', /no version/],
    ['SSH-2.0-Server', 'pass', /no version/],
    ['SSH-2.0-Server FreeBSD-20240104', 'fail', /FreeBSD-20240104/],
  ];
  for (const [line, result, message] of cases) {
    it(`${line} → ${result}`, () => {
      const f = only(results(sshVersionDisclosureCheck, observation({ identification: parseSshIdentification(line) })));
      assert.equal(f.result, result);
      assert.deepEqual(f.provisions, ['5.6-2']);
      assert.match(f.message, message);
    });
  }
});

describe('authentication checks', () => {
  it('probe/ssh/no-authentication fails when "none" is accepted and passes otherwise', () => {
    const open = only(results(sshNoAuthenticationCheck, observation({ auth: { username: 'root', methods: [], noneAccepted: true } })));
    assert.equal(open.result, 'fail');
    assert.equal(open.severity, 'critical');
    assert.deepEqual(open.provisions, ['5.1-1']);
    const closed = only(
      results(sshNoAuthenticationCheck, observation({ auth: { username: 'root', methods: ['publickey'], noneAccepted: false } })),
    );
    assert.equal(closed.result, 'pass');
    assert.equal(results(sshNoAuthenticationCheck, observation()).length, 0);
  });
  const methods: [string[], Finding['result'], RegExp][] = [
    [['publickey', 'password'], 'info', /offers password logins/],
    [['publickey', 'keyboard-interactive'], 'info', /keyboard-interactive/],
    [['publickey'], 'pass', /no password login/],
  ];
  for (const [list, result, message] of methods) {
    it(`probe/ssh/password-auth with ${list.join(',')} → ${result}`, () => {
      const f = only(results(sshPasswordAuthCheck, observation({ auth: { username: 'root', methods: list, noneAccepted: false } })));
      assert.equal(f.result, result);
      assert.match(f.message, message);
      assert.deepEqual(f.provisions, ['5.1-1', '5.1-5']);
    });
  }
});

describe('probe/ssh/summary and the full set', () => {
  it('summarises software, algorithms, host keys and methods in one info finding', () => {
    const f = only(
      results(
        sshSummaryCheck,
        observation({
          identification: parseSshIdentification('SSH-2.0-dropbear_2022.83'),
          auth: { username: 'root', methods: ['publickey', 'password'], noneAccepted: false },
          preIdentificationLines: ['Welcome to the router'],
        }),
      ),
    );
    assert.equal(f.result, 'info');
    for (const part of [
      'Dropbear 2022.83',
      'curve25519-sha256',
      'ssh-ed25519 256 SHA256:abc',
      'aes128-ctr',
      'hmac-sha2-256',
      'publickey,password',
    ])
      assert.ok(f.message.includes(part), part);
    assert.match(f.evidence ?? '', /Welcome to the router/);
  });
  it('a sound server yields no failure at all', () => {
    const findings = sshFindings(
      observation({
        identification: parseSshIdentification('SSH-2.0-OpenSSH'),
        auth: { username: 'root', methods: ['publickey'], noneAccepted: false },
      }),
    );
    assert.deepEqual(
      findings.filter((f) => f.result === 'fail').map((f) => f.check),
      [],
    );
    assert.ok(findings.every((f) => f.check.startsWith('probe/ssh/')));
  });
});
