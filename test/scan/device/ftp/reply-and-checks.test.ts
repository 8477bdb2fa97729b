// The FTP reply parser (examples and fuzzing: only FtpReplyError may escape) and the FTP checks on
// hand-made observations, passing and failing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Check, runCheck } from '../../../../src/scan/check.ts';
import { ftpAnonymousCheck, ftpBannerCheck, ftpCleartextCheck, ftpSummaryCheck } from '../../../../src/scan/device/ftp/checks.ts';
import { demandsTls } from '../../../../src/scan/device/ftp/ftp-login.ts';
import type { FtpObservation } from '../../../../src/scan/device/ftp/observe.ts';
import { FtpReplyError, parseFtpReply, replyText } from '../../../../src/scan/device/ftp/reply.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

describe('parseFtpReply', () => {
  it('reads a one-line reply and leaves what follows', () => {
    const buffer = Buffer.from('220 (vsFTPd 3.0.3)\r\n331 next');
    assert.deepEqual(parseFtpReply(buffer), { reply: { code: 220, lines: ['(vsFTPd 3.0.3)'] }, length: 20 });
  });

  it('reads a multi-line FEAT reply up to the line with the code and a space', () => {
    const text = '211-Features:\r\n AUTH TLS\r\n211-not the end\r\n PBSZ\r\n211 End\r\n';
    const parsed = parseFtpReply(Buffer.from(text));
    assert.deepEqual(parsed?.reply.lines, ['Features:', ' AUTH TLS', '211-not the end', ' PBSZ', 'End']);
    assert.equal(parsed?.length, text.length);
    assert.equal(replyText(parsed!.reply), '211 Features: |  AUTH TLS | 211-not the end |  PBSZ | End');
  });

  it('waits for more of an incomplete reply', () => {
    assert.equal(parseFtpReply(Buffer.from('220 Rea')), undefined);
    assert.equal(parseFtpReply(Buffer.from('211-Features:\r\n EPSV\r\n')), undefined);
  });

  it('accepts a bare code line and a bare LF', () => {
    assert.deepEqual(parseFtpReply(Buffer.from('230\n'))?.reply, { code: 230, lines: [''] });
  });

  for (const bad of ['SSH-2.0-OpenSSH\r\n', '2200 x\r\n', '999 x\r\n', '\r\n']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseFtpReply(Buffer.from(bad)), FtpReplyError));
  }

  it('refuses replies that never end', () => {
    assert.throws(() => parseFtpReply(Buffer.alloc(20_000, 0x41)), /longer than/);
    const endless = Buffer.from(`220-${' line\r\n'.repeat(400)}`);
    assert.throws(() => parseFtpReply(endless), /more than 256 lines/);
  });

  it('fuzz: random and mutated replies raise nothing but FtpReplyError', () => {
    const piece = fc.constantFrom('220', '211-', '211 ', '\r\n', '\n', '-', ' ', 'AUTH TLS', '530 ', '\x00', '\xff');
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.array(piece, { maxLength: 40 }).map((parts) => Buffer.from(parts.join(''), 'latin1')),
    );
    fc.assert(
      fc.property(input, fc.integer({ min: 4, max: 400 }), (buffer, max) => {
        try {
          const parsed = parseFtpReply(buffer, max);
          if (parsed) {
            assert.ok(parsed.length <= buffer.length && parsed.length <= max);
            assert.ok(parsed.reply.code >= 100 && parsed.reply.code <= 599);
          }
        } catch (error) {
          if (!(error instanceof FtpReplyError)) throw error;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('tells a demand for TLS from a wrong password', () => {
    assert.equal(demandsTls({ code: 530, lines: ['Non-anonymous sessions must use encryption.'] }), true);
    assert.equal(demandsTls({ code: 530, lines: ['Login incorrect.'] }), false);
  });
});

const endpoint = { host: '192.0.2.30', port: 21 };

function observation(overrides: Partial<FtpObservation> = {}): FtpObservation {
  return {
    service: { endpoint, protocol: 'ftp', tls: false },
    reached: true,
    greeting: '220 Welcome',
    greetingCode: 220,
    featCode: 211,
    features: ['EPSV', 'PASV', 'SIZE'],
    authTls: false,
    ...overrides,
  };
}

const cases: [Check<FtpObservation>, string, FtpObservation, [string, string | undefined, RegExp][]][] = [
  [ftpCleartextCheck, 'fails without AUTH TLS', observation(), [['fail', 'medium', /FEAT lists no AUTH TLS/]]],
  [
    ftpCleartextCheck,
    'fails when FEAT is not supported',
    observation({ featCode: 502, features: undefined }),
    [['fail', 'medium', /does not support FEAT \(502\)/]],
  ],
  [
    ftpCleartextCheck,
    'fails low when TLS is offered but a password is asked in clear',
    observation({ authTls: true, plainUser: 'password-asked' }),
    [['fail', 'low', /offers AUTH TLS but still asks for a password/]],
  ],
  [
    ftpCleartextCheck,
    'passes when TLS is required',
    observation({ authTls: true, plainUser: 'tls-demanded' }),
    [['pass', undefined, /requires TLS/]],
  ],
  [ftpCleartextCheck, 'notes TLS offered when untested', observation({ authTls: true }), [['info', undefined, /was not tested/]]],
  [ftpCleartextCheck, 'says nothing when FEAT got no reply', observation({ featCode: undefined, features: undefined }), []],
  [
    ftpAnonymousCheck,
    'fails on anonymous access',
    observation({ anonymous: { outcome: 'accepted', reply: '230 Login successful.' } }),
    [['fail', 'high', /logged in USER anonymous/]],
  ],
  [
    ftpAnonymousCheck,
    'passes on refusal',
    observation({ anonymous: { outcome: 'rejected', reply: '530 Login incorrect.' } }),
    [['pass', undefined, /refuses/]],
  ],
  [
    ftpAnonymousCheck,
    'notes an unclear answer',
    observation({ anonymous: { outcome: 'unclear', reply: '421 Busy' } }),
    [['info', undefined, /could not be judged: 421 Busy/]],
  ],
  [ftpAnonymousCheck, 'says nothing when not tried', observation(), []],
  [
    ftpBannerCheck,
    'fails on a versioned greeting',
    observation({ greeting: '220 ProFTPD 1.3.5e Server (Debian)' }),
    [['fail', 'low', /discloses ProFTPD 1\.3\.5e/]],
  ],
  [ftpBannerCheck, 'passes on a neutral greeting', observation(), [['pass', undefined, /names no software version/]]],
  [
    ftpSummaryCheck,
    'summarises',
    observation({ anonymous: { outcome: 'rejected', reply: '530' } }),
    [['info', 'info', /^FTP on 192\.0\.2\.30:21: greeting "220 Welcome"; FEAT: EPSV, PASV, SIZE; anonymous login rejected$/]],
  ],
];

describe('FTP checks', () => {
  for (const [check, name, subject, expected] of cases) {
    it(`${check.id}: ${name}`, () => {
      const findings = runCheck(check, subject);
      assert.deepEqual(
        findings.map((f) => f.result),
        expected.map(([result]) => result),
      );
      findings.forEach((f, i) => {
        const [, severity, message] = expected[i] ?? [];
        if (severity) assert.equal(f.severity, severity);
        assert.match(f.message, message ?? /^$/);
        assert.deepEqual(f.location, endpoint);
      });
    });
  }
});
