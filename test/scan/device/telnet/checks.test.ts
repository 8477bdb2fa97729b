// The telnet checks on hand-made observations: passing and failing cases of each.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Check, runCheck } from '../../../../src/scan/check.ts';
import {
  telnetBannerCheck,
  telnetPlaintextCheck,
  telnetSummaryCheck,
  telnetUnauthenticatedShellCheck,
} from '../../../../src/scan/device/telnet/checks.ts';
import type { TelnetObservation } from '../../../../src/scan/device/telnet/observe.ts';

const endpoint = { host: '192.0.2.20', port: 23 };

function observation(overrides: Partial<TelnetObservation> = {}): TelnetObservation {
  return {
    service: { endpoint, protocol: 'telnet', tls: false },
    reached: true,
    banner: '',
    firstPrompt: 'login',
    promptLine: 'camera login:',
    optionRequests: 4,
    ...overrides,
  };
}

const cases: [Check<TelnetObservation>, string, TelnetObservation, [string, RegExp][]][] = [
  [telnetPlaintextCheck, 'fails whenever telnet answers', observation(), [['fail', /telnet server answers on port 23.*login prompt/]]],
  [telnetPlaintextCheck, 'fails on a silent telnet too', observation({ firstPrompt: 'none' }), [['fail', /no prompt within the deadline/]]],
  [telnetPlaintextCheck, 'says nothing when not reached', observation({ reached: false, firstPrompt: 'none' }), []],
  [
    telnetUnauthenticatedShellCheck,
    'fails critical on a confirmed shell',
    observation({ firstPrompt: 'shell', promptLine: '#', shell: { confirmed: true, evidence: 'baseline-probe-42-done' } }),
    [['fail', /shell with no login, and a command ran in it \(prompt "#"\)/]],
  ],
  [
    telnetUnauthenticatedShellCheck,
    'fails on a shell-like prompt that ran nothing',
    observation({ firstPrompt: 'shell', promptLine: 'CLI>', shell: { confirmed: false, evidence: '' } }),
    [['fail', /looks like a shell prompt with no login \("CLI>"\); a test command gave no answer/]],
  ],
  [telnetUnauthenticatedShellCheck, 'passes when a login is asked', observation(), [['pass', /asks for credentials \(login prompt\)/]]],
  [
    telnetUnauthenticatedShellCheck,
    'passes when a password is asked',
    observation({ firstPrompt: 'password' }),
    [['pass', /password prompt/]],
  ],
  [telnetUnauthenticatedShellCheck, 'says nothing without a prompt', observation({ firstPrompt: 'none' }), []],
  [
    telnetBannerCheck,
    'fails on a versioned banner',
    observation({ banner: 'BusyBox v1.31.1 (2021-03-02) built-in shell' }),
    [['fail', /discloses BusyBox v1\.31\.1/]],
  ],
  [telnetBannerCheck, 'passes on a plain banner', observation({ banner: 'Welcome' }), [['pass', /names no software version/]]],
  [telnetBannerCheck, 'says nothing without a prompt', observation({ firstPrompt: 'none', banner: 'Linux 5.4' }), []],
  [
    telnetSummaryCheck,
    'summarises',
    observation({ banner: 'Debian GNU/Linux 12' }),
    [['info', /^telnet on 192\.0\.2\.20:23: connected, 4 option requests refused, login prompt "camera login:"$/]],
  ],
];

describe('telnet checks', () => {
  for (const [check, name, subject, expected] of cases) {
    it(`${check.id}: ${name}`, () => {
      const findings = runCheck(check, subject);
      assert.deepEqual(
        findings.map((f) => f.result),
        expected.map(([result]) => result),
      );
      findings.forEach((f, i) => {
        assert.match(f.message, expected[i]?.[1] ?? /^$/);
        assert.deepEqual(f.location, endpoint);
        assert.equal(f.check, check.id);
      });
    });
  }

  it('cite the provisions they bear on', () => {
    assert.deepEqual(telnetPlaintextCheck.provisions, ['5.5-1', '5.5-7', '5.6-1']);
    assert.equal(telnetUnauthenticatedShellCheck.severity, 'critical');
    assert.deepEqual(telnetBannerCheck.provisions, ['5.6-2']);
  });
});
